//! Consumers: what each durable consumer has delivered, pending, acknowledged,
//! redelivered and dead-lettered; its dead letters; re-driving one.

use clap::Subcommand;
use serde_json::json;
use uuid::Uuid;

use bus::Bus as _;

use super::args::BusArgs;

#[derive(Debug, Subcommand)]
pub enum ConsumersCommand {
    /// Every durable consumer's state.
    List {
        #[arg(long)]
        json: bool,
    },
    /// The dead letters of one consumer.
    DeadLetters {
        consumer: String,
        #[arg(long)]
        json: bool,
    },
    /// Deliver a dead letter to its consumer again (after fixing the cause).
    Redrive { consumer: String, event_id: Uuid },
}

pub async fn run(args: &BusArgs, command: ConsumersCommand) -> anyhow::Result<()> {
    let bus = args.open().await?;
    let outcome = match command {
        ConsumersCommand::List { json } => list(&bus, json).await,
        ConsumersCommand::DeadLetters { consumer, json } => {
            dead_letters(&bus, &consumer, json).await
        }
        ConsumersCommand::Redrive { consumer, event_id } => {
            redrive(&bus, &consumer, event_id).await
        }
    };
    bus.close().await;
    outcome
}

async fn list(bus: &impl bus::Bus, json: bool) -> anyhow::Result<()> {
    let states = bus.consumer_states().await?;
    if json {
        println!("{}", serde_json::to_string_pretty(&states)?);
        return Ok(());
    }
    println!(
        "{:<28} {:<12} {:>10} {:>9} {:>11} {:>11} {:>12} {:>6}",
        "consumer",
        "category",
        "delivered",
        "pending",
        "ack pending",
        "redelivered",
        "acknowledged",
        "dead"
    );
    for s in states {
        println!(
            "{:<28} {:<12} {:>10} {:>9} {:>11} {:>11} {:>12} {:>6}",
            s.name,
            s.category,
            s.delivered,
            s.pending,
            s.ack_pending,
            s.redelivered,
            s.acknowledged,
            s.dead_letters
        );
    }
    Ok(())
}

async fn dead_letters(bus: &impl bus::Bus, consumer: &str, json: bool) -> anyhow::Result<()> {
    let letters = bus.dead_letters(consumer).await?;
    if json {
        println!("{}", serde_json::to_string_pretty(&letters)?);
        return Ok(());
    }
    if letters.is_empty() {
        println!("{consumer} has no dead letters");
    }
    for l in letters {
        println!(
            "{}",
            json!({
                "eventId": l.event_id, "stream": l.stream, "revision": l.revision,
                "position": l.position, "type": l.event_type, "attempts": l.attempts,
                "error": l.error,
                "deadAt": domain::Timestamp::from_millis(l.dead_at_ms).to_rfc3339(),
            })
        );
    }
    Ok(())
}

async fn redrive(bus: &impl bus::Bus, consumer: &str, event_id: Uuid) -> anyhow::Result<()> {
    bus.redrive(consumer, event_id).await?;
    println!("re-driven {event_id} to {consumer}");
    Ok(())
}
