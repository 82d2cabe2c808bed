//! The task behind one embedded durable consumer: follows the log from the consumer's
//! checkpoint, hands events to whichever handle pulls next, tracks every delivery until
//! it is settled, redelivers after the ack wait or a requested delay, and moves an event
//! to the dead letters when its attempts run out or it is rejected.

use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet, BinaryHeap, VecDeque};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use eventlog::{CategoryFilter, EventLog, RecordedEvent};
use futures::StreamExt;
use tokio::sync::{mpsc, oneshot, watch};
use tokio::time::Instant;

use super::settle::{Command, delivery};
use super::store::BusStore;
use crate::{BusError, ConsumerConfig, DeadLetter};

/// Counters a core reports for `consumer_states`.
#[derive(Debug, Clone, Default)]
pub(crate) struct Counters {
    pub delivered: u64,
    pub redelivered: u64,
    pub acknowledged: u64,
    pub ack_pending: u64,
    /// Events read from the log but not delivered right now (waiting or scheduled).
    pub queued: u64,
    /// The next log position the core will read.
    pub read_position: u64,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Phase {
    Ready,
    Delivered { due: Instant },
    Scheduled { due: Instant },
}

#[derive(Debug)]
struct InFlight {
    event: RecordedEvent,
    attempts: u32,
    token: u64,
    phase: Phase,
    last_error: String,
    /// Re-driven from the dead letters: below the checkpoint, so it must not hold it back.
    redriven: bool,
}

pub(crate) struct Core<L> {
    pub config: ConsumerConfig,
    pub log: L,
    pub store: BusStore,
    pub commands_tx: mpsc::UnboundedSender<Command>,
    pub commands_rx: mpsc::UnboundedReceiver<Command>,
    pub shutdown: watch::Receiver<bool>,
    pub read_position: u64,
    in_flight: BTreeMap<u64, InFlight>,
    ready: BTreeSet<u64>,
    pullers: VecDeque<oneshot::Sender<crate::Delivery>>,
    timers: BinaryHeap<Reverse<(Instant, u64, u64)>>,
    saved_checkpoint: u64,
    next_token: u64,
    counters: Counters,
}

impl<L: EventLog + Clone> Core<L> {
    pub(crate) fn new(
        config: ConsumerConfig,
        log: L,
        store: BusStore,
        commands_tx: mpsc::UnboundedSender<Command>,
        commands_rx: mpsc::UnboundedReceiver<Command>,
        shutdown: watch::Receiver<bool>,
        checkpoint: u64,
    ) -> Self {
        Core {
            config,
            log,
            store,
            commands_tx,
            commands_rx,
            shutdown,
            read_position: checkpoint,
            in_flight: BTreeMap::new(),
            ready: BTreeSet::new(),
            pullers: VecDeque::new(),
            timers: BinaryHeap::new(),
            saved_checkpoint: checkpoint,
            next_token: 1,
            counters: Counters::default(),
        }
    }

    pub(crate) async fn run(mut self) {
        let filter = CategoryFilter::categories([self.config.category.clone()]);
        let mut events = self.log.subscribe(self.read_position, filter);
        let mut tick = tokio::time::interval(Duration::from_millis(100));
        self.take_redrive_requests().await;
        loop {
            self.dispatch();
            let next_due = self.timers.peek().map(|Reverse((due, _, _))| *due);
            let can_read = self.live_in_flight() < self.config.max_ack_pending;
            tokio::select! {
                biased;
                _ = self.shutdown.changed() => break,
                Some(command) = self.commands_rx.recv() => self.handle(command).await,
                _ = sleep_until_opt(next_due), if next_due.is_some() => self.fire_timers(),
                item = events.next(), if can_read => match item {
                    Some(Ok(event)) => self.take(event),
                    Some(Err(error)) => {
                        tracing::error!(consumer = %self.config.name, %error, "log read failed; consumer stops");
                        break;
                    }
                    None => break,
                },
                _ = tick.tick() => self.persist_checkpoint(),
            }
        }
        // Acknowledgements already sent count: take them before saving the checkpoint.
        while let Ok(command) = self.commands_rx.try_recv() {
            if let Command::Ack { position } = command {
                self.ack(position);
            }
        }
        self.persist_checkpoint();
        if let Err(error) = self.store.flush() {
            tracing::error!(consumer = %self.config.name, %error, "flushing bus state failed");
        }
    }

    fn live_in_flight(&self) -> usize {
        self.in_flight.values().filter(|f| !f.redriven).count()
    }

    fn take(&mut self, event: RecordedEvent) {
        let position = event.position;
        self.read_position = position + 1;
        self.in_flight.insert(position, InFlight::new(event, false));
        self.ready.insert(position);
    }

    /// Pairs ready events with waiting pullers, lowest position first.
    fn dispatch(&mut self) {
        while !self.pullers.is_empty() {
            let Some(position) = self.ready.pop_first() else {
                return;
            };
            let Some(puller) = self.pullers.pop_front() else {
                self.ready.insert(position);
                return;
            };
            let Some(entry) = self.in_flight.get_mut(&position) else {
                continue;
            };
            let token = self.next_token;
            self.next_token += 1;
            let due = Instant::now() + self.config.ack_wait;
            let attempt = entry.attempts + 1;
            let message = delivery(entry.event.clone(), attempt, token, &self.commands_tx);
            if puller.send(message).is_err() {
                // The puller went away before taking it: offer it to the next one.
                self.ready.insert(position);
                continue;
            }
            entry.attempts = attempt;
            entry.token = token;
            entry.phase = Phase::Delivered { due };
            self.timers.push(Reverse((due, position, token)));
            self.counters.delivered += 1;
            if attempt > 1 {
                self.counters.redelivered += 1;
            }
        }
    }

    async fn handle(&mut self, command: Command) {
        match command {
            Command::Pull(reply) => self.pullers.push_back(reply),
            Command::Ack { position } => self.ack(position),
            Command::Retry {
                position,
                token,
                delay,
                error,
            } => self.retry(position, token, delay, error),
            Command::Reject {
                position,
                token,
                error,
            } => {
                if self.current(position, token) {
                    self.dead(position, format!("rejected: {error}"));
                }
            }
            Command::Progress { position, token } => {
                if let Some(entry) = self.in_flight.get_mut(&position)
                    && entry.token == token
                    && matches!(entry.phase, Phase::Delivered { .. })
                {
                    let due = Instant::now() + self.config.ack_wait;
                    entry.phase = Phase::Delivered { due };
                    self.timers.push(Reverse((due, position, token)));
                }
            }
            Command::Redrive { position, reply } => {
                let outcome = self.redrive(position).await;
                let _ = reply.send(outcome);
            }
            Command::State(reply) => {
                let _ = reply.send(self.counters());
            }
        }
    }

    fn current(&self, position: u64, token: u64) -> bool {
        self.in_flight.get(&position).is_some_and(|entry| {
            entry.token == token && matches!(entry.phase, Phase::Delivered { .. })
        })
    }

    fn ack(&mut self, position: u64) {
        let Some(entry) = self.in_flight.remove(&position) else {
            return;
        };
        self.ready.remove(&position);
        self.counters.acknowledged += 1;
        if entry.redriven
            && let Err(error) = self
                .store
                .remove_dead_letter(&self.config.name, position)
                .and_then(|()| {
                    self.store
                        .forget_redrive_request(&self.config.name, position)
                })
        {
            tracing::error!(consumer = %self.config.name, position, %error, "could not remove a re-driven dead letter");
        }
    }

    fn retry(&mut self, position: u64, token: u64, delay: Option<Duration>, error: String) {
        if !self.current(position, token) {
            return;
        }
        let max_deliver = self.config.max_deliver;
        let Some(entry) = self.in_flight.get_mut(&position) else {
            return;
        };
        entry.last_error = error;
        if entry.attempts >= max_deliver {
            let message = format!(
                "gave up after {} deliveries: {}",
                entry.attempts, entry.last_error
            );
            self.dead(position, message);
            return;
        }
        let delay = delay.unwrap_or_else(|| self.config.backoff_for(entry.attempts));
        let due = Instant::now() + delay;
        entry.phase = Phase::Scheduled { due };
        self.timers.push(Reverse((due, position, token)));
    }

    fn fire_timers(&mut self) {
        let now = Instant::now();
        while let Some(Reverse((due, position, token))) = self.timers.peek().copied() {
            if due > now {
                break;
            }
            self.timers.pop();
            let Some(entry) = self.in_flight.get_mut(&position) else {
                continue;
            };
            if entry.token != token {
                continue;
            }
            match entry.phase {
                Phase::Delivered { due: d } if d == due => {
                    if entry.attempts >= self.config.max_deliver {
                        let message = format!(
                            "not acknowledged within the ack wait after {} deliveries; last error: {}",
                            entry.attempts,
                            if entry.last_error.is_empty() {
                                "none"
                            } else {
                                &entry.last_error
                            }
                        );
                        self.dead(position, message);
                    } else {
                        entry.phase = Phase::Ready;
                        self.ready.insert(position);
                    }
                }
                Phase::Scheduled { due: d } if d == due => {
                    entry.phase = Phase::Ready;
                    self.ready.insert(position);
                }
                _ => {}
            }
        }
    }

    fn dead(&mut self, position: u64, error: String) {
        let Some(entry) = self.in_flight.get(&position) else {
            return;
        };
        let letter = DeadLetter {
            consumer: self.config.name.clone(),
            event_id: entry.event.id,
            stream: entry.event.stream.clone(),
            revision: entry.event.revision,
            position,
            event_type: entry.event.event_type.clone(),
            attempts: entry.attempts,
            error,
            dead_at_ms: now_ms(),
        };
        match self.store.put_dead_letter(&letter) {
            Ok(()) => {
                tracing::warn!(consumer = %letter.consumer, position, event_type = %letter.event_type, error = %letter.error, "event moved to the dead letters");
                self.in_flight.remove(&position);
                self.ready.remove(&position);
            }
            Err(store_error) => {
                // Keep it: losing the event is worse than delivering it again later.
                tracing::error!(consumer = %self.config.name, position, %store_error, "could not store a dead letter; retrying later");
                if let Some(entry) = self.in_flight.get_mut(&position) {
                    let due = Instant::now() + Duration::from_secs(5);
                    entry.phase = Phase::Scheduled { due };
                    self.timers.push(Reverse((due, position, entry.token)));
                }
            }
        }
    }

    async fn redrive(&mut self, position: u64) -> Result<(), BusError> {
        if self.in_flight.contains_key(&position) {
            return Ok(());
        }
        let mut events = self.log.read_all(position, 1, &CategoryFilter::All).await?;
        let event = match events.pop() {
            Some(event) if event.position == position => event,
            _ => {
                return Err(BusError::NotFound(format!(
                    "no event at position {position} in the log"
                )));
            }
        };
        let redriven = position < self.read_position;
        self.in_flight
            .insert(position, InFlight::new(event, redriven));
        self.ready.insert(position);
        Ok(())
    }

    /// Re-drives an operator asked for while this consumer was not running.
    async fn take_redrive_requests(&mut self) {
        let requests = match self.store.redrive_requests(&self.config.name) {
            Ok(requests) => requests,
            Err(error) => {
                tracing::error!(consumer = %self.config.name, %error, "reading re-drive requests failed");
                return;
            }
        };
        for position in requests {
            if let Err(error) = self.redrive(position).await {
                tracing::error!(consumer = %self.config.name, position, %error, "re-drive failed");
            }
        }
    }

    /// Everything before the lowest unsettled position is settled.
    fn checkpoint(&self) -> u64 {
        self.in_flight
            .iter()
            .find(|(_, entry)| !entry.redriven)
            .map_or(self.read_position, |(position, _)| *position)
    }

    fn persist_checkpoint(&mut self) {
        let checkpoint = self.checkpoint();
        if checkpoint == self.saved_checkpoint {
            return;
        }
        match self.store.save_checkpoint(&self.config.name, checkpoint) {
            Ok(()) => self.saved_checkpoint = checkpoint,
            Err(error) => {
                tracing::error!(consumer = %self.config.name, %error, "saving the checkpoint failed")
            }
        }
    }

    fn counters(&self) -> Counters {
        let mut counters = self.counters.clone();
        counters.ack_pending = self
            .in_flight
            .values()
            .filter(|e| matches!(e.phase, Phase::Delivered { .. }))
            .count() as u64;
        counters.queued = self.in_flight.len() as u64 - counters.ack_pending;
        counters.read_position = self.read_position;
        counters
    }
}

impl InFlight {
    fn new(event: RecordedEvent, redriven: bool) -> Self {
        InFlight {
            event,
            attempts: 0,
            token: 0,
            phase: Phase::Ready,
            last_error: String::new(),
            redriven,
        }
    }
}

async fn sleep_until_opt(due: Option<Instant>) {
    if let Some(due) = due {
        tokio::time::sleep_until(due).await;
    }
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}
