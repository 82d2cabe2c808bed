//! Messages between deliveries (and consumer handles) and a consumer's core task.

use std::time::Duration;

use tokio::sync::{mpsc, oneshot};

use crate::port::{ConsumerInner, Settle};
use crate::{BusError, Consumer, Delivery};

#[derive(Debug)]
pub(crate) enum Command {
    Pull(oneshot::Sender<Delivery>),
    Ack {
        position: u64,
    },
    Retry {
        position: u64,
        token: u64,
        delay: Option<Duration>,
        error: String,
    },
    Reject {
        position: u64,
        token: u64,
        error: String,
    },
    Progress {
        position: u64,
        token: u64,
    },
    Redrive {
        position: u64,
        reply: oneshot::Sender<Result<(), BusError>>,
    },
    State(oneshot::Sender<super::core::Counters>),
}

/// Settles one embedded delivery by telling the core task.
#[derive(Debug)]
pub struct Settler {
    pub(crate) commands: mpsc::UnboundedSender<Command>,
    pub(crate) position: u64,
    pub(crate) token: u64,
}

impl Settler {
    fn send(&self, command: Command) -> Result<(), BusError> {
        self.commands.send(command).map_err(|_| BusError::Closed)
    }

    pub(crate) fn ack(self) -> Result<(), BusError> {
        self.send(Command::Ack {
            position: self.position,
        })
    }

    pub(crate) fn retry(self, delay: Option<Duration>, error: &str) -> Result<(), BusError> {
        self.send(Command::Retry {
            position: self.position,
            token: self.token,
            delay,
            error: error.to_owned(),
        })
    }

    pub(crate) fn reject(self, error: &str) -> Result<(), BusError> {
        self.send(Command::Reject {
            position: self.position,
            token: self.token,
            error: error.to_owned(),
        })
    }

    pub(crate) fn in_progress(&self) -> Result<(), BusError> {
        self.send(Command::Progress {
            position: self.position,
            token: self.token,
        })
    }
}

/// One handle on an embedded consumer: pulls deliveries from the core task.
#[derive(Debug)]
pub struct ConsumerHandle {
    pub(crate) commands: mpsc::UnboundedSender<Command>,
    /// The pull of a `next` that was cancelled (a `select!` took another branch): the
    /// core may already have sent a delivery into it, so the next call takes it from
    /// here instead of losing it (which would cost the event an attempt).
    pub(crate) pending: Option<oneshot::Receiver<Delivery>>,
}

impl ConsumerHandle {
    pub(crate) fn into_consumer(self) -> Consumer {
        Consumer {
            inner: ConsumerInner::Embedded(self),
        }
    }

    pub(crate) async fn next(&mut self) -> Result<Delivery, BusError> {
        let pending = match self.pending.as_mut() {
            Some(pending) => pending,
            None => {
                let (tx, rx) = oneshot::channel();
                self.commands
                    .send(Command::Pull(tx))
                    .map_err(|_| BusError::Closed)?;
                self.pending.insert(rx)
            }
        };
        let outcome = pending.await;
        self.pending = None;
        outcome.map_err(|_| BusError::Closed)
    }
}

pub(crate) fn delivery(
    event: eventlog::RecordedEvent,
    attempt: u32,
    token: u64,
    commands: &mpsc::UnboundedSender<Command>,
) -> Delivery {
    Delivery {
        settle: Settle::Embedded(Settler {
            commands: commands.clone(),
            position: event.position,
            token,
        }),
        event,
        attempt,
    }
}
