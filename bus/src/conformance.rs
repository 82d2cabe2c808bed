//! The conformance suite of the bus port: every backend runs all of it.
//!
//! Each check creates its own uniquely named category and consumers, so a shared server
//! (NATS) can run the suite while other suites run. A check panics with a message saying
//! which promise broke.

#![allow(clippy::unwrap_used)]

use std::future::Future;
use std::time::Duration;

use eventlog::{EventLog, ExpectedRevision, NewEvent};
use uuid::Uuid;

use crate::{Bus, Consumer, ConsumerConfig, Delivery};

/// A short ack wait keeps the suite fast; long enough for a loaded CI machine.
const ACK_WAIT: Duration = Duration::from_millis(700);
const QUIET: Duration = Duration::from_millis(400);
const PATIENCE: Duration = Duration::from_secs(10);

/// Runs every check. `open_bus` opens the bus over `log` (again, for the restart check,
/// after the previous one was closed).
pub async fn run_all<L, B, F, Fut>(log: &L, open_bus: F)
where
    L: EventLog,
    B: Bus,
    F: Fn() -> Fut,
    Fut: Future<Output = B>,
{
    let bus = open_bus().await;
    delivers_the_events_of_its_category_in_log_order(log, &bus).await;
    an_acknowledged_event_is_not_delivered_again(log, &bus).await;
    an_unsettled_delivery_is_redelivered_after_the_ack_wait(log, &bus).await;
    a_retry_waits_for_its_delay(log, &bus).await;
    in_progress_restarts_the_ack_wait(log, &bus).await;
    attempts_are_bounded_then_the_event_is_a_dead_letter(log, &bus).await;
    a_rejected_event_is_a_dead_letter_at_once(log, &bus).await;
    a_redriven_dead_letter_is_delivered_again(log, &bus).await;
    a_cancelled_next_loses_nothing(log, &bus).await;
    replicas_of_one_consumer_share_the_work(log, &bus).await;
    every_consumer_gets_every_event(log, &bus).await;
    bus.close().await;
    drop(bus);
    a_restarted_consumer_resumes_after_what_it_acknowledged(log, &open_bus).await;
}

/// A fresh category name (letters and digits only).
pub fn unique_category() -> String {
    format!("c{}", Uuid::new_v4().simple())
}

fn config(name: &str, category: &str) -> ConsumerConfig {
    let mut config = ConsumerConfig::new(name, category);
    config.ack_wait = ACK_WAIT;
    config.max_deliver = 3;
    config.backoff = vec![Duration::from_millis(50)];
    config
}

fn unique_name(purpose: &str) -> String {
    format!("{purpose}-{}", &Uuid::new_v4().simple().to_string()[..12])
}

/// Appends `count` events to stream `{category}-{stream}`; returns their ids.
pub async fn append_events<L: EventLog>(
    log: &L,
    category: &str,
    stream: &str,
    count: usize,
) -> Vec<Uuid> {
    let events: Vec<NewEvent> = (0..count)
        .map(|i| NewEvent {
            id: Uuid::new_v4(),
            event_type: "Happened".into(),
            data: format!("{{\"n\":{i}}}").into_bytes(),
            metadata: b"{}".to_vec(),
        })
        .collect();
    let ids = events.iter().map(|e| e.id).collect();
    log.append(
        &format!("{category}-{stream}"),
        ExpectedRevision::Any,
        events,
    )
    .await
    .unwrap();
    ids
}

/// The next delivery within `wait`, or `None`.
pub async fn next_within(consumer: &mut Consumer, wait: Duration) -> Option<Delivery> {
    match tokio::time::timeout(wait, consumer.next()).await {
        Ok(Ok(delivery)) => Some(delivery),
        Ok(Err(error)) => panic!("consumer failed: {error}"),
        Err(_) => None,
    }
}

async fn must_get(consumer: &mut Consumer, what: &str) -> Delivery {
    next_within(consumer, PATIENCE)
        .await
        .unwrap_or_else(|| panic!("expected a delivery: {what}"))
}

pub async fn delivers_the_events_of_its_category_in_log_order<L: EventLog, B: Bus>(
    log: &L,
    bus: &B,
) {
    let category = unique_category();
    let other = unique_category();
    append_events(log, &other, "x", 2).await;
    let mut ids = append_events(log, &category, "a", 3).await;
    ids.extend(append_events(log, &category, "b", 2).await);
    let mut consumer = bus
        .consumer(config(&unique_name("order"), &category))
        .await
        .unwrap();
    for id in ids {
        let delivery = must_get(&mut consumer, "every event of the category").await;
        assert_eq!(delivery.event.id, id, "events come in log order");
        assert_eq!(delivery.attempt, 1);
        delivery.ack().await.unwrap();
    }
    assert!(
        next_within(&mut consumer, QUIET).await.is_none(),
        "events of other categories are not delivered"
    );
}

pub async fn an_acknowledged_event_is_not_delivered_again<L: EventLog, B: Bus>(log: &L, bus: &B) {
    let category = unique_category();
    append_events(log, &category, "a", 1).await;
    let mut consumer = bus
        .consumer(config(&unique_name("ack"), &category))
        .await
        .unwrap();
    must_get(&mut consumer, "the event")
        .await
        .ack()
        .await
        .unwrap();
    assert!(
        next_within(&mut consumer, ACK_WAIT * 2).await.is_none(),
        "an acknowledged event is never redelivered"
    );
}

pub async fn an_unsettled_delivery_is_redelivered_after_the_ack_wait<L: EventLog, B: Bus>(
    log: &L,
    bus: &B,
) {
    let category = unique_category();
    let ids = append_events(log, &category, "a", 1).await;
    let mut consumer = bus
        .consumer(config(&unique_name("wait"), &category))
        .await
        .unwrap();
    let first = must_get(&mut consumer, "the first delivery").await;
    let started = tokio::time::Instant::now();
    drop(first);
    let second = must_get(&mut consumer, "the redelivery").await;
    assert!(
        started.elapsed() >= ACK_WAIT.mul_f32(0.9),
        "not redelivered before the ack wait"
    );
    assert_eq!(second.event.id, ids[0]);
    assert_eq!(second.attempt, 2, "the redelivery counts as attempt 2");
    second.ack().await.unwrap();
}

pub async fn a_retry_waits_for_its_delay<L: EventLog, B: Bus>(log: &L, bus: &B) {
    let category = unique_category();
    append_events(log, &category, "a", 1).await;
    let mut consumer = bus
        .consumer(config(&unique_name("retry"), &category))
        .await
        .unwrap();
    let first = must_get(&mut consumer, "the first delivery").await;
    let delay = Duration::from_millis(500);
    let started = tokio::time::Instant::now();
    first.retry(Some(delay), "not yet").await.unwrap();
    let second = must_get(&mut consumer, "the retry").await;
    assert!(
        started.elapsed() >= delay.mul_f32(0.9),
        "a retry is not delivered before its delay"
    );
    assert_eq!(second.attempt, 2);
    second.ack().await.unwrap();
}

pub async fn in_progress_restarts_the_ack_wait<L: EventLog, B: Bus>(log: &L, bus: &B) {
    let category = unique_category();
    append_events(log, &category, "a", 1).await;
    let mut consumer = bus
        .consumer(config(&unique_name("progress"), &category))
        .await
        .unwrap();
    let delivery = must_get(&mut consumer, "the delivery").await;
    for _ in 0..3 {
        tokio::time::sleep(ACK_WAIT / 2).await;
        delivery.in_progress().await.unwrap();
    }
    assert!(
        next_within(&mut consumer, ACK_WAIT / 2).await.is_none(),
        "a delivery in progress is not redelivered"
    );
    delivery.ack().await.unwrap();
}

pub async fn attempts_are_bounded_then_the_event_is_a_dead_letter<L: EventLog, B: Bus>(
    log: &L,
    bus: &B,
) {
    let category = unique_category();
    let ids = append_events(log, &category, "a", 2).await;
    let name = unique_name("dead");
    let mut consumer = bus.consumer(config(&name, &category)).await.unwrap();
    for attempt in 1..=3 {
        let delivery = must_get(&mut consumer, "a delivery of the failing event").await;
        assert_eq!(delivery.event.id, ids[0]);
        assert_eq!(delivery.attempt, attempt);
        delivery.retry(None, "handler exploded").await.unwrap();
        if attempt == 1 {
            // The next event is not blocked by the failing one.
            let next = must_get(&mut consumer, "the next event").await;
            assert_eq!(next.event.id, ids[1]);
            next.ack().await.unwrap();
        }
    }
    assert!(
        next_within(&mut consumer, QUIET).await.is_none(),
        "no delivery after max_deliver attempts"
    );
    let letters = wait_for_dead_letters(bus, &name, 1).await;
    assert_eq!(letters[0].event_id, ids[0]);
    assert_eq!(letters[0].attempts, 3);
    assert!(
        letters[0].error.contains("handler exploded"),
        "the dead letter keeps the handler's error: {}",
        letters[0].error
    );
    let states = bus.consumer_states().await.unwrap();
    let state = states.iter().find(|s| s.name == name).unwrap();
    assert_eq!(state.dead_letters, 1);
    assert_eq!(state.acknowledged, 1);
    assert_eq!(state.redelivered, 2);
    assert_eq!(state.ack_pending, 0);
    assert_eq!(state.pending, 0);
}

async fn wait_for_dead_letters<B: Bus>(
    bus: &B,
    name: &str,
    count: usize,
) -> Vec<crate::DeadLetter> {
    let deadline = tokio::time::Instant::now() + PATIENCE;
    loop {
        let letters = bus.dead_letters(name).await.unwrap();
        if letters.len() == count || tokio::time::Instant::now() > deadline {
            assert_eq!(letters.len(), count, "dead letters of {name}");
            return letters;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

pub async fn a_rejected_event_is_a_dead_letter_at_once<L: EventLog, B: Bus>(log: &L, bus: &B) {
    let category = unique_category();
    let ids = append_events(log, &category, "a", 1).await;
    let name = unique_name("poison");
    let mut consumer = bus.consumer(config(&name, &category)).await.unwrap();
    let delivery = must_get(&mut consumer, "the poison event").await;
    delivery.reject("cannot be decoded").await.unwrap();
    let letters = wait_for_dead_letters(bus, &name, 1).await;
    assert_eq!(letters[0].event_id, ids[0]);
    assert_eq!(letters[0].attempts, 1);
    assert!(letters[0].error.contains("cannot be decoded"));
    assert!(next_within(&mut consumer, QUIET).await.is_none());
}

pub async fn a_redriven_dead_letter_is_delivered_again<L: EventLog, B: Bus>(log: &L, bus: &B) {
    let category = unique_category();
    let ids = append_events(log, &category, "a", 1).await;
    let name = unique_name("redrive");
    let mut consumer = bus.consumer(config(&name, &category)).await.unwrap();
    must_get(&mut consumer, "the event")
        .await
        .reject("bug")
        .await
        .unwrap();
    wait_for_dead_letters(bus, &name, 1).await;
    bus.redrive(&name, ids[0]).await.unwrap();
    let again = must_get(&mut consumer, "the re-driven event").await;
    assert_eq!(again.event.id, ids[0]);
    again.ack().await.unwrap();
    wait_for_dead_letters(bus, &name, 0).await;
    assert!(bus.redrive(&name, Uuid::new_v4()).await.is_err());
}

/// `next` is cancelled all the time (`select!`, timeouts): a delivery handed to a `next`
/// that is then dropped must come back at once from the following call, not after the
/// ack wait at the cost of an attempt.
pub async fn a_cancelled_next_loses_nothing<L: EventLog, B: Bus>(log: &L, bus: &B) {
    let category = unique_category();
    let mut consumer = bus
        .consumer(config(&unique_name("cancel"), &category))
        .await
        .unwrap();
    let ids = {
        let mut waiting = Box::pin(consumer.next());
        assert!(
            futures::poll!(waiting.as_mut()).is_pending(),
            "nothing to deliver yet"
        );
        let ids = append_events(log, &category, "a", 1).await;
        // Long enough for the backend to hand the event to the waiting `next`.
        tokio::time::sleep(QUIET).await;
        ids
    };
    let delivery = next_within(&mut consumer, ACK_WAIT / 2)
        .await
        .expect("the event handed to a cancelled next comes back at once");
    assert_eq!(delivery.event.id, ids[0]);
    assert_eq!(delivery.attempt, 1, "a cancelled next costs no attempt");
    delivery.ack().await.unwrap();
}

pub async fn replicas_of_one_consumer_share_the_work<L: EventLog, B: Bus>(log: &L, bus: &B) {
    let category = unique_category();
    let ids = append_events(log, &category, "a", 40).await;
    let name = unique_name("shared");
    let one = bus.consumer(config(&name, &category)).await.unwrap();
    let two = bus.consumer(config(&name, &category)).await.unwrap();
    // Each replica pulls in its own task, as separate processes would: a pull that is
    // never cancelled never strands a delivery until its ack wait.
    let (handled, mut seen_rx) = tokio::sync::mpsc::unbounded_channel();
    for (replica, mut consumer) in [(1, one), (2, two)] {
        let handled = handled.clone();
        tokio::spawn(async move {
            while let Ok(delivery) = consumer.next().await {
                let id = delivery.event.id;
                if delivery.ack().await.is_err() || handled.send((replica, id)).is_err() {
                    return;
                }
            }
        });
    }
    drop(handled);
    let mut seen = Vec::new();
    let (mut by_one, mut by_two) = (0, 0);
    while seen.len() < ids.len() {
        let (replica, id) = tokio::time::timeout(PATIENCE, seen_rx.recv())
            .await
            .unwrap_or_else(|_| panic!("replicas stopped receiving after {} events", seen.len()))
            .unwrap();
        if replica == 1 {
            by_one += 1;
        } else {
            by_two += 1;
        }
        seen.push(id);
    }
    assert!(
        tokio::time::timeout(ACK_WAIT * 2, seen_rx.recv())
            .await
            .is_err(),
        "no event is handled twice"
    );
    seen.sort();
    let mut expected = ids.clone();
    expected.sort();
    assert_eq!(
        seen, expected,
        "each event is handled by exactly one replica"
    );
    assert!(by_one > 0 && by_two > 0, "both replicas got work");
}

pub async fn every_consumer_gets_every_event<L: EventLog, B: Bus>(log: &L, bus: &B) {
    let category = unique_category();
    let ids = append_events(log, &category, "a", 5).await;
    for purpose in ["first", "second"] {
        let mut consumer = bus
            .consumer(config(&unique_name(purpose), &category))
            .await
            .unwrap();
        for id in &ids {
            let delivery = must_get(&mut consumer, "every event for every consumer").await;
            assert_eq!(&delivery.event.id, id);
            delivery.ack().await.unwrap();
        }
    }
}

pub async fn a_restarted_consumer_resumes_after_what_it_acknowledged<L, B, F, Fut>(
    log: &L,
    open_bus: &F,
) where
    L: EventLog,
    B: Bus,
    F: Fn() -> Fut,
    Fut: Future<Output = B>,
{
    let category = unique_category();
    let ids = append_events(log, &category, "a", 6).await;
    let name = unique_name("restart");
    let bus = open_bus().await;
    let mut consumer = bus.consumer(config(&name, &category)).await.unwrap();
    for id in &ids[..3] {
        let delivery = must_get(&mut consumer, "before the restart").await;
        assert_eq!(&delivery.event.id, id);
        delivery.ack().await.unwrap();
    }
    // Settles are asynchronous: give them a moment before stopping.
    tokio::time::sleep(Duration::from_millis(300)).await;
    drop(consumer);
    bus.close().await;
    drop(bus);
    let bus = open_bus().await;
    let mut consumer = bus.consumer(config(&name, &category)).await.unwrap();
    for id in &ids[3..] {
        let delivery = must_get(&mut consumer, "after the restart").await;
        assert_eq!(
            &delivery.event.id, id,
            "resumes after the acknowledged events"
        );
        delivery.ack().await.unwrap();
    }
    assert!(next_within(&mut consumer, QUIET).await.is_none());
    bus.close().await;
}
