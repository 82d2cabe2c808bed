//! Quick self-check of the file log's write path (the real benchmark is `bench-log`):
//! `cargo run --release -p eventlog --example append_throughput [dir]`.
//!
//! Prints the p50 of a raw `write + fdatasync` of one small record, the p50 latency of
//! one appender, and the throughput of 256 concurrent appenders next to a raw loop
//! writing batches of the same average size.

use std::fs::OpenOptions;
use std::io::Write;
use std::time::{Duration, Instant};

use eventlog::{EventLog, ExpectedRevision, FileLog, FileLogOptions, NewEvent};
use uuid::Uuid;

fn event() -> NewEvent {
    NewEvent {
        id: Uuid::new_v4(),
        event_type: "TicketCreated".into(),
        data: vec![b'x'; 200],
        metadata: Vec::new(),
    }
}

fn p50(mut samples: Vec<Duration>) -> Duration {
    samples.sort_unstable();
    samples[samples.len() / 2]
}

/// Events/s of a raw loop writing `batch_bytes` then `fdatasync`, and its p50 sync time.
fn raw_loop(
    dir: &std::path::Path,
    batch_bytes: usize,
    rounds: usize,
) -> std::io::Result<(f64, Duration)> {
    let path = dir.join(format!("raw-{batch_bytes}"));
    let mut file = OpenOptions::new().create(true).append(true).open(&path)?;
    let buf = vec![7u8; batch_bytes];
    let mut samples = Vec::with_capacity(rounds);
    let started = Instant::now();
    for _ in 0..rounds {
        let t = Instant::now();
        file.write_all(&buf)?;
        file.sync_data()?;
        samples.push(t.elapsed());
    }
    let elapsed = started.elapsed().as_secs_f64();
    std::fs::remove_file(path)?;
    Ok((rounds as f64 / elapsed, p50(samples)))
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let base = std::env::args()
        .nth(1)
        .map_or_else(std::env::temp_dir, Into::into);
    let dir = tempfile::tempdir_in(base)?;
    let (_, raw_p50) = raw_loop(dir.path(), 300, 2000)?;
    println!("raw write+fdatasync of 300 B: p50 {raw_p50:?}");

    let log = FileLog::open(dir.path().join("log"), FileLogOptions::default())?;
    let mut samples = Vec::new();
    for _ in 0..2000 {
        let t = Instant::now();
        log.append("solo-1", ExpectedRevision::Any, vec![event()])
            .await?;
        samples.push(t.elapsed());
    }
    println!(
        "1 appender: p50 {:?} ({:.2}x raw)",
        p50(samples.clone()),
        p50(samples).as_secs_f64() / raw_p50.as_secs_f64()
    );

    let writers = 256;
    let duration = Duration::from_secs(5);
    let head_before = log.head_position().await?;
    let syncs_before = log.group_commits();
    let started = Instant::now();
    let tasks: Vec<_> = (0..writers)
        .map(|w| {
            let log = log.clone();
            tokio::spawn(async move {
                let stream = format!("load-{w}");
                let mut latencies = Vec::new();
                while started.elapsed() < duration {
                    let t = Instant::now();
                    log.append(&stream, ExpectedRevision::Any, vec![event()])
                        .await?;
                    latencies.push(t.elapsed());
                }
                Ok::<_, eventlog::LogError>(latencies)
            })
        })
        .collect();
    let mut latencies = Vec::new();
    for task in tasks {
        latencies.extend(task.await??);
    }
    let elapsed = started.elapsed().as_secs_f64();
    let events = log.head_position().await? - head_before;
    latencies.sort_unstable();
    let rate = events as f64 / elapsed;
    println!(
        "{writers} appenders: {rate:.0} events/s, p50 {:?}, p99 {:?}, max {:?}",
        latencies[latencies.len() / 2],
        latencies[latencies.len() * 99 / 100],
        latencies[latencies.len() - 1]
    );
    let batch = (events / (log.group_commits() - syncs_before).max(1)).max(1) as usize;
    println!("average batch: {batch} events per fdatasync");
    log.close().await;
    {
        let (syncs, _) = raw_loop(dir.path(), batch * 290, 1000)?;
        println!(
            "raw loop, {batch} events of 290 B per sync: {:.0} events/s (file log = {:.0}%)",
            syncs * batch as f64,
            100.0 * rate / (syncs * batch as f64)
        );
    }
    println!(
        "cores: {}",
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    Ok(())
}
