//! `consumer_states` from the server's consumer info. JetStream reports deliveries
//! (`delivered.consumer_sequence` counts every delivery, first or not), pending and
//! ack-pending messages; the port's redelivered and acknowledged counts follow from
//! those and the number of messages in the consumer's category:
//! - distinct messages delivered = messages in the category − not yet delivered;
//! - redelivered = deliveries − distinct messages delivered;
//! - acknowledged = distinct messages delivered − awaiting ack − dead letters now
//!   (a re-driven letter counts as acknowledged once its copy is, when it is deleted).

use std::collections::HashMap;

use async_nats::jetstream::consumer;
use futures::TryStreamExt;

use super::names::Names;
use super::{Shared, backend};
use crate::{BusError, ConsumerState};

pub(crate) async fn consumer_states(shared: &Shared) -> Result<Vec<ConsumerState>, BusError> {
    let names = &shared.names;
    let events = shared
        .js
        .get_stream_no_info(names.events_stream())
        .await
        .map_err(|e| backend("opening the event stream", e))?;
    let dead = shared
        .js
        .get_stream_no_info(names.dead_letter_stream())
        .await
        .map_err(|e| backend("opening the dead-letter stream", e))?;
    let infos: Vec<consumer::Info> = events
        .consumers()
        .try_collect()
        .await
        .map_err(|e| backend("listing consumers", e))?;
    let per_category = subject_counts(&events, &names.all_events(), |subject| {
        subject.split('.').nth(1).map(str::to_owned)
    })
    .await?;
    let dead_letters = subject_counts(&dead, &names.dead_letter_subjects(), |subject| {
        names
            .consumer_of_dead_letter_subject(subject)
            .map(str::to_owned)
    })
    .await?;
    let redriven = subject_counts(&dead, &names.redrive_subjects(), |subject| {
        names
            .consumer_of_redrive_subject(subject)
            .map(str::to_owned)
    })
    .await?;
    let redrives: HashMap<String, consumer::Info> = dead
        .consumers()
        .try_collect::<Vec<_>>()
        .await
        .map_err(|e| backend("listing re-drive consumers", e))?
        .into_iter()
        .map(|info| (info.name.clone(), info))
        .collect();
    let mut states = Vec::new();
    for info in infos {
        let Some(category) = names.category_of_filter(&info.config.filter_subject) else {
            continue;
        };
        let total = per_category.get(category).copied().unwrap_or(0);
        let dead_now = dead_letters.get(&info.name).copied().unwrap_or(0);
        let first_deliveries = total.saturating_sub(info.num_pending);
        let mut delivered = info.delivered.consumer_sequence;
        let mut ack_pending = info.num_ack_pending as u64;
        let mut redelivered = delivered.saturating_sub(first_deliveries);
        let acknowledged = first_deliveries
            .saturating_sub(info.num_ack_pending as u64)
            .saturating_sub(dead_now);
        if let Some(redrive) = redrives.get(&Names::redrive_consumer(&info.name)) {
            delivered += redrive.delivered.consumer_sequence;
            ack_pending += redrive.num_ack_pending as u64;
            // Every copy is a fresh message: its redeliveries are those past its first.
            let copies = redriven.get(&info.name).copied().unwrap_or(0);
            let first = copies.saturating_sub(redrive.num_pending);
            redelivered += redrive.delivered.consumer_sequence.saturating_sub(first);
        }
        states.push(ConsumerState {
            name: info.name.clone(),
            category: category.to_owned(),
            delivered,
            pending: info.num_pending,
            ack_pending,
            redelivered,
            acknowledged,
            dead_letters: dead_now,
        });
    }
    states.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(states)
}

/// Message counts per key of the subjects matching `filter`.
async fn subject_counts<I>(
    stream: &async_nats::jetstream::stream::Stream<I>,
    filter: &str,
    key: impl Fn(&str) -> Option<String>,
) -> Result<HashMap<String, u64>, BusError> {
    let subjects: Vec<(String, usize)> = stream
        .info_with_subjects(filter)
        .await
        .map_err(|e| backend("counting messages", e))?
        .try_collect()
        .await
        .map_err(|e| backend("counting messages", e))?;
    let mut counts = HashMap::new();
    for (subject, count) in subjects {
        if let Some(key) = key(&subject) {
            *counts.entry(key).or_insert(0) += count as u64;
        }
    }
    Ok(counts)
}
