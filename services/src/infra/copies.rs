//! Copies of other services' aggregates, fed by a consumer: a sled tree of JSON copies,
//! each applying only the next revision of its source stream (spec section 3). Older is a
//! duplicate (acknowledge), newer is early (deliver again later). A copy is flushed before
//! its delivery is acknowledged; waiters learn of every stored change.

use std::fmt::Display;
use std::marker::PhantomData;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use domain::{Arrival, DomainEvent};
use eventlog::RecordedEvent;
use projections::ReadModels;
use serde::Serialize;
use serde::de::DeserializeOwned;
use tokio::sync::watch;
use uuid::Uuid;

use super::{GroupFlush, Handled, ServiceError};

/// How long an early event waits for its predecessor before it is delivered again.
const EARLY_DELAY: Duration = Duration::from_millis(200);

/// A domain copy of another service's aggregate (`TicketCopy`, `OrderCopy`).
pub trait AggregateCopy: Serialize + DeserializeOwned + Send + Sync + 'static {
    type Id: Copy + Display + FromStr + Send + Sync;
    type Event: DomainEvent;
    /// What it is a copy of, for messages (`ticket`, `order`).
    const WHAT: &'static str;
    fn empty(id: Self::Id) -> Self;
    fn key(id: Self::Id) -> Uuid;
    fn apply_event(&mut self, revision: u64, event: &Self::Event) -> Arrival;
    fn next_revision(&self) -> u64;
}

impl AggregateCopy for domain::TicketCopy {
    type Id = domain::TicketId;
    type Event = domain::TicketEvent;
    const WHAT: &'static str = "ticket";
    fn empty(id: Self::Id) -> Self {
        domain::TicketCopy::new(id)
    }
    fn key(id: Self::Id) -> Uuid {
        id.as_uuid()
    }
    fn apply_event(&mut self, revision: u64, event: &Self::Event) -> Arrival {
        self.apply(revision, event)
    }
    fn next_revision(&self) -> u64 {
        self.expected_next()
    }
}

impl AggregateCopy for domain::OrderCopy {
    type Id = domain::OrderId;
    type Event = domain::OrderEvent;
    const WHAT: &'static str = "order";
    fn empty(id: Self::Id) -> Self {
        domain::OrderCopy::new(id)
    }
    fn key(id: Self::Id) -> Uuid {
        id.as_uuid()
    }
    fn apply_event(&mut self, revision: u64, event: &Self::Event) -> Arrival {
        self.apply(revision, event)
    }
    fn next_revision(&self) -> u64 {
        self.expected_next()
    }
}

/// The copies of one kind in one service's sled database. Cheap to clone.
pub struct CopyStore<C> {
    tree: sled::Tree,
    /// Concurrent handlers share flushes.
    flush: GroupFlush,
    /// Bumped after every stored change, so requests can wait for a copy.
    changed: Arc<watch::Sender<u64>>,
    kind: PhantomData<fn() -> C>,
}

impl<C> Clone for CopyStore<C> {
    fn clone(&self) -> Self {
        CopyStore {
            tree: self.tree.clone(),
            flush: self.flush.clone(),
            changed: Arc::clone(&self.changed),
            kind: PhantomData,
        }
    }
}

impl<C> std::fmt::Debug for CopyStore<C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CopyStore").finish_non_exhaustive()
    }
}

impl<C: AggregateCopy> CopyStore<C> {
    /// The copies kept in tree `tree` of `models`.
    pub fn open(models: &ReadModels, tree: &str) -> Result<Self, ServiceError> {
        let tree = models.tree(tree)?;
        Ok(CopyStore {
            flush: GroupFlush::new(tree.clone()),
            tree,
            changed: Arc::new(watch::channel(0).0),
            kind: PhantomData,
        })
    }

    /// The copy of `id`, if any event of it arrived.
    pub fn get(&self, id: C::Id) -> Result<Option<C>, ServiceError> {
        match self.tree.get(C::key(id).as_bytes())? {
            None => Ok(None),
            Some(bytes) => serde_json::from_slice(&bytes)
                .map(Some)
                .map_err(|e| ServiceError::Store(format!("{} copy {id}: {e}", C::WHAT))),
        }
    }

    /// Learns of every change stored after this call.
    pub fn changes(&self) -> watch::Receiver<u64> {
        self.changed.subscribe()
    }

    /// Applies one event of the source stream if it is the next one, and stores the copy
    /// durably before saying `Done`.
    pub async fn apply(&self, event: &RecordedEvent) -> Result<Handled, ServiceError> {
        let Some(id) = super::stream_id::<C::Id>(event) else {
            return Ok(Handled::Poison(format!(
                "not a {} stream: {}",
                C::WHAT,
                event.stream
            )));
        };
        let decoded = match C::Event::decode(&event.event_type, &event.data) {
            Ok(decoded) => decoded,
            Err(error) => return Ok(Handled::Poison(error.to_string())),
        };
        let mut copy = self.get(id)?.unwrap_or_else(|| C::empty(id));
        match copy.apply_event(event.revision, &decoded) {
            Arrival::Duplicate => Ok(Handled::Done),
            Arrival::Early => Ok(Handled::Later {
                delay: EARLY_DELAY,
                reason: format!(
                    "{} revision {} arrived before revision {}",
                    event.stream,
                    event.revision,
                    copy.next_revision()
                ),
            }),
            Arrival::Next => {
                let bytes = serde_json::to_vec(&copy)
                    .map_err(|e| ServiceError::Store(format!("{} copy {id}: {e}", C::WHAT)))?;
                self.tree.insert(C::key(id).as_bytes(), bytes)?;
                // Acknowledged means stored: sled is durable only after a flush.
                self.flush.flush().await?;
                self.changed.send_modify(|n| *n = n.wrapping_add(1));
                Ok(Handled::Done)
            }
        }
    }
}
