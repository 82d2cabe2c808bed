//! A local `nats-server` child process with JetStream, for tests and local runs: start on
//! a free (or given) port with a store directory, stop, start again on the same port and
//! store. Production servers are run by their own supervisor, never through this.

use std::io;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Where `scripts/nats-server.sh install` puts the pinned server, under the workspace.
pub const PINNED_BINARY: &str = ".tools/nats/bin/nats-server";

/// A nats-server this process started; stopped when dropped.
#[derive(Debug)]
pub struct NatsServer {
    binary: PathBuf,
    port: u16,
    store_dir: PathBuf,
    child: Option<Child>,
}

impl NatsServer {
    /// The pinned server under `workspace`, installing it with `scripts/nats-server.sh
    /// install` when it is missing.
    pub fn pinned_binary(workspace: &Path) -> io::Result<PathBuf> {
        let binary = workspace.join(PINNED_BINARY);
        if binary.is_file() {
            return Ok(binary);
        }
        let status = Command::new("bash")
            .arg(workspace.join("scripts/nats-server.sh"))
            .arg("install")
            .stdout(Stdio::null())
            .status()?;
        if !status.success() || !binary.is_file() {
            return Err(io::Error::other(format!(
                "scripts/nats-server.sh install did not produce {}",
                binary.display()
            )));
        }
        Ok(binary)
    }

    /// Starts `binary` with JetStream on 127.0.0.1 (`port` 0 picks a free one), storing
    /// in `store_dir`; returns once it accepts connections.
    pub fn start(binary: &Path, port: u16, store_dir: &Path) -> io::Result<NatsServer> {
        let port = if port == 0 { free_port()? } else { port };
        let mut server = NatsServer {
            binary: binary.to_path_buf(),
            port,
            store_dir: store_dir.to_path_buf(),
            child: None,
        };
        server.start_again()?;
        Ok(server)
    }

    /// `nats://127.0.0.1:{port}`.
    pub fn url(&self) -> String {
        format!("nats://127.0.0.1:{}", self.port)
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Stops the server gracefully (SIGTERM, so it writes out what it stored), killing
    /// it if it takes longer than a few seconds.
    pub fn stop(&mut self) -> io::Result<()> {
        let Some(mut child) = self.child.take() else {
            return Ok(());
        };
        let _ = Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status();
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if child.try_wait()?.is_some() {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        child.kill()?;
        child.wait().map(|_| ())
    }

    /// Starts the server again on the same port and store (after `stop`).
    pub fn start_again(&mut self) -> io::Result<()> {
        if self.child.is_some() {
            return Ok(());
        }
        let mut child = Command::new(&self.binary)
            .args([
                "-a",
                "127.0.0.1",
                "-p",
                &self.port.to_string(),
                "-js",
                "-sd",
            ])
            .arg(&self.store_dir)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()?;
        let address = SocketAddr::from(([127, 0, 0, 1], self.port));
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if TcpStream::connect_timeout(&address, Duration::from_millis(200)).is_ok() {
                self.child = Some(child);
                return Ok(());
            }
            if let Some(status) = child.try_wait()? {
                return Err(io::Error::other(format!(
                    "{} exited at start ({status}); is port {} taken?",
                    self.binary.display(),
                    self.port
                )));
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                let _ = child.wait();
                return Err(io::Error::other("nats-server did not listen within 10 s"));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for NatsServer {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// Whether something accepts TCP connections at `host:port` of a `nats://` URL.
pub fn reachable(url: &str) -> bool {
    let address = url.trim_start_matches("nats://");
    let Ok(mut addresses) = std::net::ToSocketAddrs::to_socket_addrs(address) else {
        return false;
    };
    addresses.any(|a| TcpStream::connect_timeout(&a, Duration::from_millis(500)).is_ok())
}

/// A port nothing listens on right now.
pub fn free_port() -> io::Result<u16> {
    Ok(TcpListener::bind(("127.0.0.1", 0))?.local_addr()?.port())
}
