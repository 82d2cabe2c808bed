//! Durable timers in sled: the pending expirations are state, not sleeping tasks, so
//! they come back after a restart.
//!
//! Tree `timers`: key = due time (ms, big-endian) ++ order id (16 bytes), so iteration
//! order is firing order; value = the [`Timer`] as JSON. Tree `timers_by_order`: order id
//! → the key of its pending timer, or [`CLOSED`] once the order completed, was cancelled
//! or its timer fired, so that a late or redelivered `OrderCreated` does not schedule it
//! again. One small entry per order stays behind for that.

use domain::{OrderId, Timestamp, UserId};
use projections::ReadModels;
use serde::{Deserialize, Serialize};
use sled::Transactional;
use sled::transaction::{ConflictableTransactionError, TransactionError};
use uuid::Uuid;

use crate::infra::ServiceError;

/// The index value of an order that needs no timer any more.
const CLOSED: &[u8] = b"closed";

/// One pending expiration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Timer {
    /// The order that expires.
    pub order_id: OrderId,
    /// When.
    pub due: Timestamp,
    /// The `OrderCreated` event that scheduled it (the cause of `OrderExpirationDue`).
    pub trigger_id: Uuid,
    /// The correlation id of the chain that placed the order.
    pub correlation_id: Uuid,
    /// The buyer (metadata of the expiry event).
    pub user_id: Option<UserId>,
}

impl Timer {
    fn key(&self) -> Vec<u8> {
        let mut key = Vec::with_capacity(24);
        key.extend_from_slice(&self.due.as_millis().to_be_bytes());
        key.extend_from_slice(self.order_id.as_uuid().as_bytes());
        key
    }
}

/// The timers of one expiration process. Cheap to clone.
#[derive(Clone)]
pub struct Timers {
    timers: sled::Tree,
    by_order: sled::Tree,
}

impl std::fmt::Debug for Timers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Timers").finish_non_exhaustive()
    }
}

fn store_error(error: TransactionError<ServiceError>) -> ServiceError {
    match error {
        TransactionError::Abort(error) => error,
        TransactionError::Storage(error) => error.into(),
    }
}

fn decode(value: &[u8]) -> Result<Timer, ServiceError> {
    serde_json::from_slice(value).map_err(|e| ServiceError::Store(format!("timer: {e}")))
}

impl Timers {
    /// The timers kept in `models` (expiration's own sled database).
    pub fn open(models: &ReadModels) -> Result<Self, ServiceError> {
        Ok(Self {
            timers: models.tree("timers")?,
            by_order: models.tree("timers_by_order")?,
        })
    }

    /// Stores `timer` unless its order already has one or needs none any more.
    pub fn schedule(&self, timer: &Timer) -> Result<(), ServiceError> {
        let order = timer.order_id.as_uuid();
        let key = timer.key();
        let value = serde_json::to_vec(timer).map_err(|e| ServiceError::Store(e.to_string()))?;
        (&self.timers, &self.by_order)
            .transaction(|(timers, by_order)| {
                if by_order.get(order.as_bytes())?.is_none() {
                    timers.insert(key.as_slice(), value.as_slice())?;
                    by_order.insert(order.as_bytes(), key.as_slice())?;
                }
                Ok::<_, ConflictableTransactionError<ServiceError>>(())
            })
            .map_err(store_error)
    }

    /// Removes the order's timer, if any, and remembers that it needs none.
    pub fn close(&self, order_id: OrderId) -> Result<(), ServiceError> {
        let order = order_id.as_uuid();
        (&self.timers, &self.by_order)
            .transaction(|(timers, by_order)| {
                if let Some(key) = by_order.get(order.as_bytes())?
                    && key.as_ref() != CLOSED
                {
                    timers.remove(key)?;
                }
                by_order.insert(order.as_bytes(), CLOSED)?;
                Ok::<_, ConflictableTransactionError<ServiceError>>(())
            })
            .map_err(store_error)
    }

    /// The earliest pending timer.
    pub fn earliest(&self) -> Result<Option<Timer>, ServiceError> {
        self.timers
            .first()?
            .map(|(_, value)| decode(&value))
            .transpose()
    }

    /// The timers due by `now`, earliest first, at most `max`.
    pub fn due(&self, now: Timestamp, max: usize) -> Result<Vec<Timer>, ServiceError> {
        let end = now.as_millis().saturating_add(1).to_be_bytes();
        self.timers
            .range(..end.as_slice())
            .take(max)
            .map(|item| decode(&item?.1))
            .collect()
    }

    /// Every pending timer, earliest first (for tests and operators).
    pub fn pending(&self) -> Result<Vec<Timer>, ServiceError> {
        self.timers.iter().map(|item| decode(&item?.1)).collect()
    }

    /// Writes everything to disk: a change is durable only after this.
    pub async fn flush(&self) -> Result<(), ServiceError> {
        crate::infra::flush_durably(&self.timers).await?;
        Ok(())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn timer(due: u64) -> Timer {
        Timer {
            order_id: OrderId::new(Uuid::new_v4()),
            due: Timestamp::from_millis(due),
            trigger_id: Uuid::new_v4(),
            correlation_id: Uuid::new_v4(),
            user_id: None,
        }
    }

    #[tokio::test]
    async fn a_flushed_timer_is_still_there_after_reopening_the_database() {
        let dir = tempfile::tempdir().unwrap();
        let pending = timer(5_000);
        {
            let timers = Timers::open(&ReadModels::open(dir.path()).unwrap()).unwrap();
            timers.schedule(&pending).unwrap();
            timers.flush().await.unwrap();
        }
        let timers = Timers::open(&ReadModels::open(dir.path()).unwrap()).unwrap();
        assert_eq!(timers.pending().unwrap(), vec![pending]);
    }

    #[test]
    fn timers_fall_due_earliest_first_and_not_before_their_time() {
        let dir = tempfile::tempdir().unwrap();
        let timers = Timers::open(&ReadModels::open(dir.path()).unwrap()).unwrap();
        let (late, early, later) = (timer(2_000), timer(1_000), timer(3_000));
        for t in [&late, &early, &later] {
            timers.schedule(t).unwrap();
        }
        assert_eq!(timers.due(Timestamp::from_millis(999), 10).unwrap(), vec![]);
        assert_eq!(
            timers.due(Timestamp::from_millis(2_000), 10).unwrap(),
            vec![early.clone(), late]
        );
        assert_eq!(timers.earliest().unwrap(), Some(early));
    }

    #[test]
    fn a_closed_order_gets_no_timer_even_if_its_creation_comes_again() {
        let dir = tempfile::tempdir().unwrap();
        let timers = Timers::open(&ReadModels::open(dir.path()).unwrap()).unwrap();
        let pending = timer(1_000);
        timers.schedule(&pending).unwrap();
        timers.close(pending.order_id).unwrap();
        assert_eq!(timers.pending().unwrap(), vec![]);
        timers.schedule(&pending).unwrap();
        assert_eq!(timers.pending().unwrap(), vec![]);
        // Closing an order that never had a timer keeps a late creation out too.
        let other = timer(1_000);
        timers.close(other.order_id).unwrap();
        timers.schedule(&other).unwrap();
        assert_eq!(timers.pending().unwrap(), vec![]);
    }

    #[test]
    fn scheduling_the_same_order_twice_keeps_one_timer() {
        let dir = tempfile::tempdir().unwrap();
        let timers = Timers::open(&ReadModels::open(dir.path()).unwrap()).unwrap();
        let pending = timer(1_000);
        timers.schedule(&pending).unwrap();
        timers.schedule(&pending).unwrap();
        assert_eq!(timers.pending().unwrap(), vec![pending]);
    }
}
