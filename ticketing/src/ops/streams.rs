//! Inspecting the log: categories and streams, one stream, one event, following the log,
//! and tracing one correlation id through every service's events.

use anyhow::Context as _;
use clap::Subcommand;
use eventlog::{CategoryFilter, Direction, EventLog};
use futures::StreamExt;
use uuid::Uuid;

use super::args::DataArgs;
use super::print::{event_json, print_event};

/// Events read per call while scanning.
const PAGE: usize = 1024;

#[derive(Debug, Subcommand)]
pub enum StreamsCommand {
    /// Categories with their stream counts.
    Categories,
    /// Streams (of one category) with their last revision.
    List {
        #[arg(long)]
        category: Option<String>,
    },
    /// The events of one stream, oldest first (or newest first with --backwards).
    Read {
        stream: String,
        #[arg(long, default_value_t = 0)]
        from: u64,
        #[arg(long, default_value_t = 100)]
        max: usize,
        #[arg(long)]
        backwards: bool,
        #[arg(long)]
        json: bool,
    },
    /// One event, whole, by its global position.
    Show { position: u64 },
    /// Follow the log live from a position (Ctrl-C to stop).
    Follow {
        #[arg(long, default_value_t = 0)]
        from: u64,
        /// Only these categories (repeatable).
        #[arg(long)]
        category: Vec<String>,
        #[arg(long)]
        json: bool,
    },
    /// Every event of one correlation id (a request and everything it caused), in order.
    Trace {
        correlation_id: Uuid,
        #[arg(long)]
        json: bool,
    },
}

pub async fn run(data: &DataArgs, command: StreamsCommand) -> anyhow::Result<()> {
    let log = data.open_log()?;
    match command {
        StreamsCommand::Categories => {
            for category in log.categories().await? {
                let streams = log.streams(Some(&category)).await?.len();
                println!("{category:<16} {streams} streams");
            }
        }
        StreamsCommand::List { category } => {
            for info in log.streams(category.as_deref()).await? {
                println!("{:<56} revision {}", info.stream, info.last_revision);
            }
        }
        StreamsCommand::Read {
            stream,
            from,
            max,
            backwards,
            json,
        } => {
            let (direction, from) = if backwards {
                (
                    Direction::Backwards,
                    if from == 0 { u64::MAX } else { from },
                )
            } else {
                (Direction::Forwards, from)
            };
            let events = log.read_stream(&stream, from, direction, max).await?;
            if events.is_empty() {
                eprintln!("no events in {stream} from revision {from}");
            }
            for event in &events {
                print_event(event, json);
            }
        }
        StreamsCommand::Show { position } => {
            let event = log
                .read_all(position, 1, &CategoryFilter::All)
                .await?
                .into_iter()
                .find(|e| e.position == position)
                .with_context(|| format!("no event at position {position}"))?;
            println!("{}", serde_json::to_string_pretty(&event_json(&event))?);
        }
        StreamsCommand::Follow {
            from,
            category,
            json,
        } => {
            let filter = if category.is_empty() {
                CategoryFilter::All
            } else {
                CategoryFilter::Categories(category)
            };
            let mut events = log.subscribe(from, filter);
            loop {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => break,
                    item = events.next() => match item {
                        Some(event) => print_event(&event?, json),
                        None => break,
                    },
                }
            }
        }
        StreamsCommand::Trace {
            correlation_id,
            json,
        } => trace(&log, correlation_id, json).await?,
    }
    log.close().await;
    Ok(())
}

async fn trace(log: &eventlog::FileLog, correlation_id: Uuid, json: bool) -> anyhow::Result<()> {
    let mut position = 0;
    let mut found = 0usize;
    loop {
        let events = log.read_all(position, PAGE, &CategoryFilter::All).await?;
        let Some(last) = events.last() else { break };
        position = last.position + 1;
        for event in &events {
            let matches = domain::EventMetadata::from_json_bytes(&event.metadata)
                .is_ok_and(|m| m.correlation_id == correlation_id);
            if matches {
                found += 1;
                print_event(event, json);
            }
        }
    }
    if found == 0 {
        eprintln!("no event carries correlation id {correlation_id} in this log");
    }
    Ok(())
}
