//! One child process of the real `ticketing` binary: `ticketing serve <services...>` on a
//! free port, with its own data directory (its own file log), over NATS JetStream.

use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::{Duration, Instant};

/// The session key every process of a test shares (a cookie from auth is valid everywhere).
pub const JWT_KEY: &str = "multi-process-test-key-multi-process-test-key";

/// Settings a process reads from its environment, cleared so the caller's shell cannot
/// change what a test runs.
const CLEARED_ENV: [&str; 12] = [
    "LOG_URL",
    "NATS_URL",
    "NATS_PREFIX",
    "NATS_REPLICAS",
    "ACK_WAIT_SECONDS",
    "PORT",
    "BIND",
    "DATA_DIR",
    "EXPIRATION_WINDOW_SECONDS",
    "SECURE_COOKIE",
    "PAYMENT_PROVIDER",
    "BODY_LIMIT_BYTES",
];

/// What to run: a name for the test's messages, the services, extra environment.
#[derive(Debug, Clone)]
pub struct Spec {
    pub name: String,
    pub services: Vec<String>,
    pub env: Vec<(String, String)>,
}

impl Spec {
    /// `name` running `services` (space separated).
    pub fn new(name: &str, services: &str) -> Spec {
        Spec {
            name: name.to_owned(),
            services: services.split_whitespace().map(str::to_owned).collect(),
            env: Vec::new(),
        }
    }

    pub fn env(mut self, key: &str, value: &str) -> Spec {
        self.env.retain(|(k, _)| k != key);
        self.env.push((key.to_owned(), value.to_owned()));
        self
    }
}

/// A running (or stopped) process of the binary. Killed when dropped.
#[derive(Debug)]
pub struct Process {
    pub spec: Spec,
    /// Its data directory: log, read models, relay checkpoint.
    pub dir: PathBuf,
    stderr: PathBuf,
    child: Option<Child>,
    up: Option<Receiver<String>>,
    base: Option<String>,
}

impl Process {
    /// Starts `spec` on `dir` (created or reused) over the bus at `nats_url` under `prefix`;
    /// its standard error is appended to `stderr`. Does not wait for it to listen.
    pub fn spawn(spec: Spec, dir: &Path, stderr: &Path, nats_url: &str, prefix: &str) -> Process {
        let mut process = Process {
            spec,
            dir: dir.to_path_buf(),
            stderr: stderr.to_path_buf(),
            child: None,
            up: None,
            base: None,
        };
        process.start(nats_url, prefix);
        process
    }

    /// Starts it again on the same data directory (after `kill` or `terminate`).
    pub fn start(&mut self, nats_url: &str, prefix: &str) {
        assert!(self.child.is_none(), "{} is still running", self.spec.name);
        let log = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.stderr)
            .unwrap();
        let mut command = Command::new(env!("CARGO_BIN_EXE_ticketing"));
        command.arg("serve").args(&self.spec.services);
        command.args(["--port", "0", "--bus", nats_url, "--nats-prefix", prefix]);
        command.arg("--data-dir").arg(&self.dir);
        for key in CLEARED_ENV {
            command.env_remove(key);
        }
        command.env("RUST_LOG", "warn").env("JWT_KEY", JWT_KEY);
        for (key, value) in &self.spec.env {
            command.env(key, value);
        }
        let mut child = command
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::from(log))
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (sender, receiver) = channel();
        std::thread::spawn(move || {
            let mut lines = BufReader::new(stdout).lines();
            for line in lines.by_ref().map_while(Result::ok) {
                if let Some(url) = line.strip_prefix("ticketing is up: ") {
                    let _ = sender.send(url.trim().to_owned());
                    break;
                }
            }
            // Keep reading so the process never blocks on a full pipe.
            for _ in lines {}
        });
        self.child = Some(child);
        self.up = Some(receiver);
        self.base = None;
    }

    /// Waits for the line `ticketing is up: http://...` and returns the base URL.
    pub fn wait_up(&mut self, within: Duration) -> &str {
        if self.base.is_none() {
            let receiver = self.up.take().expect("the process was started");
            match receiver.recv_timeout(within) {
                Ok(base) => self.base = Some(base),
                Err(RecvTimeoutError::Timeout) => panic!(
                    "{} did not start within {within:?}; its stderr:\n{}",
                    self.spec.name,
                    self.stderr_tail(40)
                ),
                Err(RecvTimeoutError::Disconnected) => panic!(
                    "{} exited before it was up; its stderr:\n{}",
                    self.spec.name,
                    self.stderr_tail(40)
                ),
            }
        }
        self.base.as_deref().unwrap_or_default()
    }

    /// `http://127.0.0.1:PORT` once up.
    pub fn base(&self) -> &str {
        self.base.as_deref().expect("wait_up was called")
    }

    pub fn is_running(&self) -> bool {
        self.child.is_some()
    }

    /// SIGKILL: no draining, no checkpoint written on the way out.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// SIGTERM, then waits for the exit (a clean stop drains HTTP and the consumers).
    pub fn terminate(&mut self) -> ExitStatus {
        self.send_term();
        self.wait_exit()
    }

    /// Sends SIGTERM (with the `kill` command: the workspace forbids unsafe code).
    pub fn send_term(&self) {
        let child = self.child.as_ref().expect("the process runs");
        let status = Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success(), "kill -TERM {}", child.id());
    }

    /// Waits (at most 40 s) for the process to exit.
    pub fn wait_exit(&mut self) -> ExitStatus {
        let mut child = self.child.take().expect("the process runs");
        let deadline = Instant::now() + Duration::from_secs(40);
        loop {
            if let Some(status) = child.try_wait().unwrap() {
                return status;
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                let _ = child.wait();
                panic!(
                    "{} did not stop within 40 s of SIGTERM; its stderr:\n{}",
                    self.spec.name,
                    self.stderr_tail(40)
                );
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// The last `lines` lines the process wrote to standard error (for failure messages).
    pub fn stderr_tail(&self, lines: usize) -> String {
        let Ok(file) = File::open(&self.stderr) else {
            return String::new();
        };
        let all: Vec<String> = BufReader::new(file).lines().map_while(Result::ok).collect();
        all[all.len().saturating_sub(lines)..].join("\n")
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        self.kill();
    }
}
