//! The processes of one test, with their NATS server and prefix. Dropping a cluster kills
//! its processes and deletes its streams from the shared server (its pinned server dies
//! with it), also when the test fails: nothing is left for a later run to clean up.

use std::path::PathBuf;
use std::process::ExitStatus;
use std::time::{Duration, Instant};

use bus::nats_server::NatsServer;
use tempfile::TempDir;

use super::http::Client;
use super::nats::{self, Nats};
use super::process::{Process, Spec};

/// How long a process may take to print its URL, and then to report ready.
const START_WITHIN: Duration = Duration::from_secs(60);

pub struct Cluster {
    pub prefix: String,
    pub nats_url: String,
    pub kind: Nats,
    processes: Vec<Process>,
    server: Option<NatsServer>,
    // Declared last: removed after the processes and the server are gone.
    root: TempDir,
}

impl Cluster {
    /// An empty cluster on `kind` of server, with a fresh prefix.
    pub fn new(kind: Nats) -> Cluster {
        let root = tempfile::tempdir().unwrap();
        let (nats_url, server) = match kind {
            Nats::Local => (nats::local_url(), None),
            Nats::Pinned => {
                let store = root.path().join("nats-store");
                std::fs::create_dir_all(&store).unwrap();
                let server = nats::start_pinned(&store);
                (server.url(), Some(server))
            }
        };
        Cluster {
            prefix: nats::unique_prefix(),
            nats_url,
            kind,
            processes: Vec::new(),
            server,
            root,
        }
    }

    /// Starts every spec (each with a data directory of its own) and waits until all of
    /// them listen and report ready.
    pub async fn start(&mut self, specs: Vec<Spec>) {
        let first = self.processes.len();
        for spec in specs {
            assert!(
                self.processes.iter().all(|p| p.spec.name != spec.name),
                "two processes named {}",
                spec.name
            );
            let dir = self.root.path().join(&spec.name);
            let stderr = self.root.path().join(format!("{}.stderr", spec.name));
            let process = Process::spawn(spec, &dir, &stderr, &self.nats_url, &self.prefix);
            self.processes.push(process);
        }
        for process in &mut self.processes[first..] {
            process.wait_up(START_WITHIN);
        }
        let names: Vec<String> = self.processes[first..]
            .iter()
            .map(|p| p.spec.name.clone())
            .collect();
        for name in names {
            self.wait_ready(&name).await;
        }
    }

    /// Polls `/readyz` of `name` until it answers 200.
    pub async fn wait_ready(&self, name: &str) {
        let process = self.process(name);
        let client = Client::new();
        let deadline = Instant::now() + START_WITHIN;
        loop {
            let answer = client.readiness(process.base()).await;
            if matches!(answer, Some((200, _))) {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "{name} did not become ready: {answer:?}; its stderr:\n{}",
                process.stderr_tail(40)
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    pub fn process(&self, name: &str) -> &Process {
        self.processes
            .iter()
            .find(|p| p.spec.name == name)
            .unwrap_or_else(|| panic!("no process named {name}"))
    }

    fn process_mut(&mut self, name: &str) -> &mut Process {
        self.processes
            .iter_mut()
            .find(|p| p.spec.name == name)
            .unwrap_or_else(|| panic!("no process named {name}"))
    }

    pub fn names(&self) -> Vec<String> {
        self.processes.iter().map(|p| p.spec.name.clone()).collect()
    }

    /// `http://127.0.0.1:PORT{path}` of the process `name`.
    pub fn url(&self, name: &str, path: &str) -> String {
        format!("{}{path}", self.process(name).base())
    }

    /// The data directory of `name` (its file log is `{dir}/log`).
    pub fn data_dir(&self, name: &str) -> PathBuf {
        self.process(name).dir.clone()
    }

    /// SIGKILL to `name`.
    pub fn kill(&mut self, name: &str) {
        self.process_mut(name).kill();
    }

    /// Starts the stopped process `name` again on its data directory, with `env` added to
    /// its environment, and waits until it is ready.
    pub async fn start_again(&mut self, name: &str, env: &[(&str, &str)]) {
        let (url, prefix) = (self.nats_url.clone(), self.prefix.clone());
        let process = self.process_mut(name);
        for (key, value) in env {
            process.spec = process.spec.clone().env(key, value);
        }
        process.start(&url, &prefix);
        process.wait_up(START_WITHIN);
        self.wait_ready(name).await;
    }

    /// SIGTERM to `name`; panics unless it stops cleanly.
    pub fn terminate(&mut self, name: &str) {
        let process = self.process_mut(name);
        let status = process.terminate();
        assert_clean(name, status, process);
    }

    /// SIGTERM to every running process at once; panics unless each stops cleanly.
    pub fn terminate_all(&mut self) {
        for process in self.processes.iter().filter(|p| p.is_running()) {
            process.send_term();
        }
        for process in self.processes.iter_mut().filter(|p| p.is_running()) {
            let status = process.wait_exit();
            assert_clean(&process.spec.name.clone(), status, process);
        }
    }

    /// The pinned server of this test (to stop and start it again).
    pub fn server(&mut self) -> &mut NatsServer {
        self.server
            .as_mut()
            .expect("only a cluster on the pinned server controls its server")
    }
}

fn assert_clean(name: &str, status: ExitStatus, process: &Process) {
    assert!(
        status.success(),
        "{name} did not stop cleanly on SIGTERM ({status}); its stderr:\n{}",
        process.stderr_tail(40)
    );
}

impl Drop for Cluster {
    fn drop(&mut self) {
        for process in &mut self.processes {
            process.kill();
        }
        if std::thread::panicking() {
            for process in &self.processes {
                eprintln!(
                    "--- stderr of {} (last lines) ---\n{}",
                    process.spec.name,
                    process.stderr_tail(30)
                );
            }
        }
        // The pinned server and its store go away with the cluster; the shared server
        // keeps what it is not told to delete.
        if self.kind == Nats::Local
            && let Err(error) = nats::delete_streams_blocking(&self.nats_url, &self.prefix)
        {
            eprintln!(
                "could not delete the streams of prefix {} at {}: {error}",
                self.prefix, self.nats_url
            );
        }
    }
}
