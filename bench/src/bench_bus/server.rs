//! The NATS server of a run: the one given (`--nats-url` / `NATS_URL`), or the pinned
//! current nats-server started on a free port with a store on the data disk and stopped
//! at the end. An unreachable server only skips the `nats` rows.

use std::path::{Path, PathBuf};

use bus::nats_server::{self, NatsServer};
use bus::{Bus, JetStreamBus, JetStreamOptions};

/// The NATS side of a run.
pub struct Nats {
    url: Result<String, String>,
    started: Option<(NatsServer, tempfile::TempDir)>,
    pid: Option<u32>,
}

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
}

/// The port of a `nats://host:port` URL (4222 when none is given).
fn port_of(url: &str) -> Option<u16> {
    let rest = url.split("://").last()?;
    let host_port = rest.rsplit('@').next()?.split('/').next()?;
    match host_port.rsplit_once(':') {
        Some((_, port)) => port.parse().ok(),
        None => Some(4222),
    }
}

impl Nats {
    pub fn none(why: &str) -> Nats {
        Nats {
            url: Err(why.to_string()),
            started: None,
            pid: None,
        }
    }

    pub async fn start(given: Option<String>, data_dir: &Path, notes: &mut Vec<String>) -> Nats {
        let mut nats = match given {
            Some(url) => Nats {
                pid: port_of(&url).and_then(crate::cpu::find_server),
                url: Ok(url),
                started: None,
            },
            None => match start_pinned(data_dir) {
                Ok((server, store)) => Nats {
                    url: Ok(server.url()),
                    pid: crate::cpu::find_server(server.port()),
                    started: Some((server, store)),
                },
                Err(why) => Nats::none(&why),
            },
        };
        let origin = if nats.started.is_some() {
            "started for this run (pinned binary, store on the data disk, default sync: the server fsyncs its store every 2 min, not per message)"
        } else {
            "given by --nats-url / NATS_URL"
        };
        if let Ok(url) = &nats.url {
            match probe(url).await {
                Ok(version) => notes.push(format!("nats-server {version} at {url}, {origin}")),
                Err(why) => {
                    nats.url = Err(why);
                }
            }
        }
        if let Err(why) = &nats.url {
            eprintln!("note: {why}; the nats rows are marked skipped");
            notes.push(format!("nats skipped: {why}"));
        }
        nats
    }

    pub fn url(&self) -> Result<String, String> {
        self.url.clone()
    }

    /// The server's pid when it runs on this machine (for its CPU use).
    pub fn pid(&self) -> Option<u32> {
        self.pid
    }

    /// Stops the server if this run started it.
    pub fn stop(&mut self, notes: &mut Vec<String>) {
        if let Some((mut server, _store)) = self.started.take()
            && let Err(e) = server.stop()
        {
            notes.push(format!("stopping nats-server: {e}"));
        }
    }
}

fn start_pinned(data_dir: &Path) -> Result<(NatsServer, tempfile::TempDir), String> {
    let binary = NatsServer::pinned_binary(&workspace())
        .map_err(|e| format!("the pinned nats-server is not available: {e}"))?;
    let store = tempfile::Builder::new()
        .prefix("bench-bus-nats-")
        .tempdir_in(data_dir)
        .map_err(|e| format!("creating the nats store dir: {e}"))?;
    let server = NatsServer::start(&binary, 0, store.path())
        .map_err(|e| format!("starting {}: {e}", binary.display()))?;
    Ok((server, store))
}

/// Connects once (creating and deleting a throwaway deployment) to learn the server's
/// version and that JetStream works.
async fn probe(url: &str) -> Result<String, String> {
    if !nats_server::reachable(url) {
        return Err(format!("no NATS server at {url}"));
    }
    let options = JetStreamOptions {
        prefix: format!(
            "benchbus-probe-{}",
            &uuid::Uuid::new_v4().simple().to_string()[..8]
        ),
        ..JetStreamOptions::default()
    };
    let bus = JetStreamBus::connect(url, options)
        .await
        .map_err(|e| format!("NATS at {url}: {e}"))?;
    let version = bus.server_version();
    let deleted = bus.delete_streams().await;
    bus.close().await;
    deleted.map_err(|e| format!("NATS at {url}: {e}"))?;
    Ok(version)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_port_comes_from_the_url_or_defaults_to_4222() {
        assert_eq!(port_of("nats://127.0.0.1:4333"), Some(4333));
        assert_eq!(port_of("nats://user:pw@localhost:5000"), Some(5000));
        assert_eq!(port_of("nats://localhost"), Some(4222));
        assert_eq!(port_of("localhost:7"), Some(7));
    }
}
