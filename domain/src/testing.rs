//! Given / when / then for aggregates, usable from any crate's tests:
//!
//! ```
//! use domain::testing::given;
//! use domain::{Expiration, ExpirationCommand, OrderExpirationDue, OrderId};
//! # let order_id = OrderId::new(uuid::Uuid::nil());
//! given::<Expiration>([])
//!     .when(ExpirationCommand::MarkExpirationDue { order_id })
//!     .then([OrderExpirationDue { order_id }.into()]);
//! ```
//!
//! Assertions carry `#[track_caller]`, so a failure points at the test's line.

use std::fmt::Debug;

use crate::aggregate::Aggregate;
use crate::metadata::Context;
use crate::time::Timestamp;

/// The time every harness decision sees unless [`Given::at`] says otherwise:
/// 2026-12-05T07:00:00.000Z.
pub const NOW: Timestamp = Timestamp::from_millis(1_796_454_000_000);

/// The history of an aggregate, before the command.
pub struct Given<A: Aggregate> {
    state: A::State,
    ctx: Context,
}

/// The outcome of the command, to assert on.
pub struct Then<A: Aggregate> {
    result: Result<Vec<A::Event>, A::Error>,
}

/// Starts a test from the events already in the aggregate's stream.
pub fn given<A: Aggregate>(history: impl IntoIterator<Item = A::Event>) -> Given<A> {
    Given {
        state: A::fold(history),
        ctx: Context::at(NOW),
    }
}

impl<A: Aggregate> Given<A> {
    /// Decides at `now` instead of [`NOW`].
    pub fn at(mut self, now: Timestamp) -> Self {
        self.ctx = Context::at(now);
        self
    }

    /// The state folded from the history (to build commands that need it).
    pub fn state(&self) -> &A::State {
        &self.state
    }

    /// Decides `command` on the history.
    pub fn when(self, command: A::Command) -> Then<A> {
        Then {
            result: A::decide(&self.state, command, &self.ctx),
        }
    }
}

impl<A: Aggregate> Then<A>
where
    A::Event: Debug + PartialEq,
    A::Error: Debug + PartialEq,
{
    /// Asserts that exactly `expected` events were decided, in order.
    #[track_caller]
    pub fn then(self, expected: impl IntoIterator<Item = A::Event>) {
        let expected: Vec<A::Event> = expected.into_iter().collect();
        match self.result {
            Ok(events) => assert_eq!(events, expected, "decided other events than expected"),
            Err(error) => panic!("expected events {expected:?}, but the command failed: {error:?}"),
        }
    }

    /// Asserts that the command was refused with `expected`.
    #[track_caller]
    pub fn then_error(self, expected: A::Error) {
        match self.result {
            Ok(events) => panic!("expected error {expected:?}, but decided {events:?}"),
            Err(error) => assert_eq!(error, expected, "failed with another error"),
        }
    }

    /// Asserts that the command was accepted and records nothing (an idempotent repeat).
    #[track_caller]
    pub fn then_nothing(self) {
        self.then([]);
    }
}
