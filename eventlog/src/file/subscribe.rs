//! Subscriptions: catch up in chunks by position, then wait for the committed head to
//! move. Reading strictly by position makes the seam between catch-up and live free of
//! gaps and duplicates.

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;

use super::read::{fetch, plan_all};
use super::shared::Shared;
use crate::{CategoryFilter, LogError, RecordedEvent, Subscription};

const CHUNK: usize = 512;
/// How often a read-only log looks for the writer process's new records.
const READ_ONLY_POLL: Duration = Duration::from_millis(50);

struct State {
    shared: Arc<Shared>,
    next: u64,
    filter: CategoryFilter,
    buffered: VecDeque<RecordedEvent>,
    head_rx: watch::Receiver<u64>,
    failed: bool,
}

pub fn subscribe(shared: Arc<Shared>, from: u64, filter: CategoryFilter) -> Subscription {
    let head_rx = shared.head_tx.subscribe();
    let state = State {
        shared,
        next: from,
        filter,
        buffered: VecDeque::new(),
        head_rx,
        failed: false,
    };
    Box::pin(futures::stream::unfold(state, |mut s| async move {
        let item = s.next_event().await?;
        Some((item, s))
    }))
}

impl State {
    async fn next_event(&mut self) -> Option<Result<RecordedEvent, LogError>> {
        loop {
            if self.failed {
                return None;
            }
            if let Some(event) = self.buffered.pop_front() {
                return Some(Ok(event));
            }
            // Marked seen before looking at the index: a head published after this
            // point wakes the wait below.
            self.head_rx.borrow_and_update();
            if let Err(e) = self.shared.refresh() {
                self.failed = true;
                return Some(Err(e));
            }
            let head = self.shared.index().head();
            if self.next < head {
                let (plan, next) = plan_all(&self.shared, self.next, CHUNK, &self.filter);
                match fetch(&self.shared, plan).await {
                    Ok(events) => {
                        self.next = next;
                        self.buffered.extend(events);
                        continue;
                    }
                    Err(e) => {
                        self.failed = true;
                        return Some(Err(e));
                    }
                }
            }
            if self.shared.is_closed() {
                return None;
            }
            if self.shared.read_only {
                tokio::select! {
                    _ = tokio::time::sleep(READ_ONLY_POLL) => {}
                    _ = self.head_rx.changed() => {}
                }
            } else if self.head_rx.changed().await.is_err() {
                return None;
            }
        }
    }
}
