//! The conformance suite of the `EventLog` port: every backend runs it (the file log in
//! `tests/conformance_file.rs`, a network backend against its server).
//!
//! Each check is a `pub async fn` taking a log and returning `Err(Failure)` with what
//! was wrong. Checks name their streams with fresh uuids and only look at their own
//! streams and categories, so they also run against a shared server holding other data.
//! Checks never panic; they are compiled always so other crates' tests can call them.

macro_rules! ensure {
    ($cond:expr, $($msg:tt)+) => {
        if !$cond {
            return Err($crate::conformance::Failure(format!($($msg)+)));
        }
    };
}

macro_rules! ensure_eq {
    ($left:expr, $right:expr, $($msg:tt)+) => {{
        let (left, right) = (&$left, &$right);
        if left != right {
            return Err($crate::conformance::Failure(format!(
                "{}: {:?} != {:?}", format!($($msg)+), left, right
            )));
        }
    }};
}

mod concurrency;
mod expected;
mod idempotency;
mod listing;
mod reads;
mod subscription;

use std::future::Future;

use uuid::Uuid;

use crate::{EventLog, LogError, NewEvent};

pub use concurrency::*;
pub use expected::*;
pub use idempotency::*;
pub use listing::*;
pub use reads::*;
pub use subscription::*;

/// Why a check failed (or which log call failed unexpectedly).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Failure(pub String);

impl From<LogError> for Failure {
    fn from(e: LogError) -> Self {
        Failure(format!("unexpected log error: {e}"))
    }
}

pub type CheckResult = Result<(), Failure>;

/// A category no one else uses (categories cannot contain `-`).
pub fn unique_category() -> String {
    format!("conf{}", Uuid::new_v4().simple())
}

/// A fresh stream in `category`.
pub fn stream_in(category: &str) -> String {
    format!("{category}-{}", Uuid::new_v4().simple())
}

/// A fresh stream in a fresh category.
pub fn unique_stream() -> String {
    stream_in(&unique_category())
}

/// An event with a fresh id whose payload names `n`.
pub fn event(n: usize) -> NewEvent {
    NewEvent {
        id: Uuid::new_v4(),
        event_type: format!("Tested{}", n % 3),
        data: format!("{{\"n\":{n}}}").into_bytes(),
        metadata: format!("{{\"meta\":{n}}}").into_bytes(),
    }
}

/// `count` fresh events.
pub fn events(count: usize) -> Vec<NewEvent> {
    (0..count).map(event).collect()
}

/// Runs every check, each on a fresh log from `make_log`; stops at the first failure
/// and names the check.
pub async fn run_all<L, F, Fut>(mut make_log: F) -> Result<(), Failure>
where
    L: EventLog,
    F: FnMut() -> Fut,
    Fut: Future<Output = L>,
{
    macro_rules! run {
        ($($check:ident),+ $(,)?) => {$(
            let log = make_log().await;
            $check(&log)
                .await
                .map_err(|f| Failure(format!("{}: {}", stringify!($check), f.0)))?;
        )+};
    }
    run!(
        no_stream_accepts_a_new_stream_and_rejects_an_existing_one,
        stream_exists_rejects_a_missing_stream_and_accepts_an_existing_one,
        exact_accepts_only_the_current_revision,
        any_appends_whatever_the_stream_state,
        a_multi_event_append_gets_consecutive_revisions_and_positions,
        a_rejected_multi_event_append_appends_nothing,
        an_empty_append_only_checks_the_expected_revision,
        an_empty_stream_name_is_invalid,
        a_retried_append_returns_the_first_outcome_and_appends_nothing,
        a_retry_after_other_appends_still_returns_the_first_outcome,
        partly_appended_ids_are_an_idempotency_violation,
        ids_appended_to_another_stream_are_an_idempotency_violation,
        reading_a_stream_respects_direction_from_and_max,
        a_missing_stream_reads_as_empty,
        recorded_events_keep_everything_that_was_appended,
        read_all_returns_global_order_from_an_inclusive_position,
        read_all_with_a_category_filter_returns_only_those_categories,
        head_position_moves_past_appended_events,
        categories_and_streams_list_what_was_appended_sorted,
        a_subscription_catches_up_then_follows_without_gap_or_duplicate,
        a_subscription_starts_at_its_inclusive_position,
        a_filtered_subscription_sees_only_its_categories,
        racing_appends_on_one_exact_revision_have_exactly_one_winner,
        concurrent_appends_to_one_stream_with_any_get_distinct_revisions,
        concurrent_appends_to_many_streams_all_land_in_one_global_order,
    );
    Ok(())
}
