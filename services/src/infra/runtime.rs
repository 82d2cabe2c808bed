//! `Runtime`: what every service is started with, and the task set that graceful
//! shutdown drains.

use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use domain::Timestamp;
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// The log backend (the embedded file log; an enum over backends when there are more).
pub type Log = eventlog::FileLog;
/// The bus backend: embedded in one process, JetStream between processes.
pub type Bus = bus::AnyBus<Log>;

/// Tunables shared by the services.
#[derive(Debug, Clone)]
pub struct Settings {
    /// How long an order holds its ticket (spec: 15 minutes).
    pub expiration_window: Duration,
    /// How long a command waits for its own read model before answering 503.
    pub read_your_writes_timeout: Duration,
    /// Ack wait of the bus consumers.
    pub ack_wait: Duration,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            expiration_window: Duration::from_secs(900),
            read_your_writes_timeout: Duration::from_secs(5),
            ack_wait: Duration::from_secs(30),
        }
    }
}

/// Background tasks the runtime waits for on shutdown, by name.
type TaskList = Arc<Mutex<Vec<(String, JoinHandle<()>)>>>;

/// Log, bus, settings and shutdown, shared by the services of one process. Cheap to clone.
#[derive(Clone)]
pub struct Runtime {
    pub log: Log,
    pub bus: Bus,
    pub settings: Settings,
    shutdown: watch::Receiver<bool>,
    tasks: TaskList,
}

impl std::fmt::Debug for Runtime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Runtime")
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

impl Runtime {
    /// A runtime whose background tasks stop when `shutdown` turns true.
    pub fn new(
        log: Log,
        bus: impl Into<Bus>,
        settings: Settings,
        shutdown: watch::Receiver<bool>,
    ) -> Self {
        Runtime {
            log,
            bus: bus.into(),
            settings,
            shutdown,
            tasks: Arc::new(Mutex::new(Vec::new())),
        }
    }

    /// A receiver that turns true when the process is stopping.
    pub fn shutdown(&self) -> watch::Receiver<bool> {
        self.shutdown.clone()
    }

    pub fn is_stopping(&self) -> bool {
        *self.shutdown.borrow()
    }

    /// Runs a background task that must finish before the process exits.
    pub fn spawn<F>(&self, name: impl Into<String>, task: F)
    where
        F: Future<Output = ()> + Send + 'static,
    {
        let handle = tokio::spawn(task);
        if let Ok(mut tasks) = self.tasks.lock() {
            tasks.push((name.into(), handle));
        }
    }

    /// Waits for every background task (call after turning `shutdown` true).
    pub async fn join(&self) {
        loop {
            let batch: Vec<(String, JoinHandle<()>)> = match self.tasks.lock() {
                Ok(mut tasks) => tasks.drain(..).collect(),
                Err(_) => return,
            };
            if batch.is_empty() {
                return;
            }
            for (name, handle) in batch {
                if let Err(error) = handle.await {
                    tracing::error!(task = %name, %error, "background task failed");
                }
            }
        }
    }
}

/// The wall clock, the only one the services read (the domain never does).
pub fn now() -> Timestamp {
    let ms = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64);
    Timestamp::from_millis(ms)
}
