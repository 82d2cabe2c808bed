//! The embedded bus: each durable consumer is a checkpointed tail of the log run by a task
//! in this process (`core`), with its checkpoint and dead letters in sled (`store`).
//! Same semantics as the network bus; only the reach is one process.

mod core;
mod settle;
mod store;

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex};

use eventlog::{CategoryFilter, EventLog};
use tokio::sync::{mpsc, oneshot, watch};
use tokio::task::JoinHandle;
use uuid::Uuid;

pub use settle::{ConsumerHandle, Settler};

use self::core::Core;
use self::settle::Command;
use self::store::BusStore;
use crate::{Bus, BusError, Consumer, ConsumerConfig, ConsumerState, DeadLetter};

/// Counting pending events stops here: enough to tell an operator "a lot".
const PENDING_COUNT_CAP: u64 = 1_000_000;

/// The in-process bus over a log. Cheap to clone.
#[derive(Clone)]
pub struct EmbeddedBus<L> {
    inner: Arc<Inner<L>>,
}

impl<L> std::fmt::Debug for EmbeddedBus<L> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EmbeddedBus").finish_non_exhaustive()
    }
}

struct Inner<L> {
    log: L,
    store: BusStore,
    running: Mutex<HashMap<String, Running>>,
    shutdown: watch::Sender<bool>,
    tasks: Mutex<Vec<JoinHandle<()>>>,
}

struct Running {
    category: String,
    commands: mpsc::UnboundedSender<Command>,
}

impl<L: EventLog + Clone> EmbeddedBus<L> {
    /// Opens the bus state in `dir` (a sled directory of its own).
    pub fn open(log: L, dir: impl AsRef<Path>) -> Result<Self, BusError> {
        let store = BusStore::open(dir.as_ref())?;
        let (shutdown, _) = watch::channel(false);
        Ok(EmbeddedBus {
            inner: Arc::new(Inner {
                log,
                store,
                running: Mutex::new(HashMap::new()),
                shutdown,
                tasks: Mutex::new(Vec::new()),
            }),
        })
    }

    async fn close_all(&self) {
        let _ = self.inner.shutdown.send(true);
        let tasks: Vec<JoinHandle<()>> = match self.inner.tasks.lock() {
            Ok(mut tasks) => tasks.drain(..).collect(),
            Err(_) => Vec::new(),
        };
        for task in tasks {
            let _ = task.await;
        }
        if let Ok(mut running) = self.inner.running.lock() {
            running.clear();
        }
        if let Err(error) = self.inner.store.flush() {
            tracing::error!(%error, "flushing the bus state failed");
        }
    }

    fn commands_of(&self, consumer: &str) -> Result<mpsc::UnboundedSender<Command>, BusError> {
        let running = self
            .inner
            .running
            .lock()
            .map_err(|_| BusError::Store("consumer registry poisoned".into()))?;
        running
            .get(consumer)
            .map(|r| r.commands.clone())
            .ok_or_else(|| BusError::NotFound(format!("consumer {consumer} is not running here")))
    }

    async fn count_pending(&self, category: &str, from: u64) -> Result<u64, BusError> {
        let filter = CategoryFilter::categories([category.to_owned()]);
        let mut position = from;
        let mut count = 0u64;
        loop {
            let batch = self.inner.log.read_all(position, 4096, &filter).await?;
            let Some(last) = batch.last() else {
                return Ok(count);
            };
            position = last.position + 1;
            count += batch.len() as u64;
            if count >= PENDING_COUNT_CAP {
                return Ok(count);
            }
        }
    }
}

impl<L: EventLog + Clone> Bus for EmbeddedBus<L> {
    async fn consumer(&self, config: ConsumerConfig) -> Result<Consumer, BusError> {
        config.validate()?;
        let mut running = self
            .inner
            .running
            .lock()
            .map_err(|_| BusError::Store("consumer registry poisoned".into()))?;
        if let Some(existing) = running.get(&config.name) {
            if existing.category != config.category {
                return Err(BusError::InvalidConfig(format!(
                    "consumer {} runs with category {}, not {}",
                    config.name, existing.category, config.category
                )));
            }
            let handle = ConsumerHandle {
                commands: existing.commands.clone(),
                pending: None,
            };
            return Ok(handle.into_consumer());
        }
        if *self.inner.shutdown.borrow() {
            return Err(BusError::Closed);
        }
        self.inner.store.register(&config.name, &config.category)?;
        let checkpoint = self.inner.store.checkpoint(&config.name)?;
        let (commands_tx, commands_rx) = mpsc::unbounded_channel();
        let core = Core::new(
            config.clone(),
            self.inner.log.clone(),
            self.inner.store.clone(),
            commands_tx.clone(),
            commands_rx,
            self.inner.shutdown.subscribe(),
            checkpoint,
        );
        let task = tokio::spawn(core.run());
        if let Ok(mut tasks) = self.inner.tasks.lock() {
            tasks.push(task);
        }
        running.insert(
            config.name.clone(),
            Running {
                category: config.category.clone(),
                commands: commands_tx.clone(),
            },
        );
        Ok(ConsumerHandle {
            commands: commands_tx,
            pending: None,
        }
        .into_consumer())
    }

    async fn consumer_states(&self) -> Result<Vec<ConsumerState>, BusError> {
        let mut states = Vec::new();
        for (name, category) in self.inner.store.consumer_names()? {
            let dead_letters = self.inner.store.dead_letters(&name)?.len() as u64;
            let counters = match self.commands_of(&name) {
                Ok(commands) => {
                    let (tx, rx) = oneshot::channel();
                    commands
                        .send(Command::State(tx))
                        .map_err(|_| BusError::Closed)?;
                    rx.await.map_err(|_| BusError::Closed)?
                }
                Err(_) => core::Counters {
                    read_position: self.inner.store.checkpoint(&name)?,
                    ..Default::default()
                },
            };
            let unread = self
                .count_pending(&category, counters.read_position)
                .await?;
            states.push(ConsumerState {
                name,
                category,
                delivered: counters.delivered,
                pending: unread + counters.queued,
                ack_pending: counters.ack_pending,
                redelivered: counters.redelivered,
                acknowledged: counters.acknowledged,
                dead_letters,
            });
        }
        Ok(states)
    }

    async fn dead_letters(&self, consumer: &str) -> Result<Vec<DeadLetter>, BusError> {
        self.inner.store.dead_letters(consumer)
    }

    async fn redrive(&self, consumer: &str, event_id: Uuid) -> Result<(), BusError> {
        let letter = self
            .inner
            .store
            .dead_letters(consumer)?
            .into_iter()
            .find(|letter| letter.event_id == event_id)
            .ok_or_else(|| {
                BusError::NotFound(format!("no dead letter {event_id} for consumer {consumer}"))
            })?;
        let Ok(commands) = self.commands_of(consumer) else {
            // Not running in this process (an operator with the service stopped): the
            // consumer takes the request when it next starts.
            return self.inner.store.request_redrive(consumer, letter.position);
        };
        let (reply, outcome) = oneshot::channel();
        commands
            .send(Command::Redrive {
                position: letter.position,
                reply,
            })
            .map_err(|_| BusError::Closed)?;
        outcome.await.map_err(|_| BusError::Closed)?
    }

    /// Stops every consumer after saving its checkpoint. Unsettled deliveries are
    /// delivered again after the next start.
    async fn close(&self) {
        self.close_all().await;
    }
}
