//! PostgreSQL as an event store: one table (created under a unique name, dropped at the
//! end) with a global `bigserial` position and `UNIQUE (stream, revision)`, which is what
//! rejects a stale expected revision. Each append is one autocommit INSERT, durable with
//! `synchronous_commit = on`. Writers share a pool of connections (pipelined).

use std::sync::Arc;

use anyhow::Context;
use eventlog::NewEvent;
use tokio_postgres::error::SqlState;
use tokio_postgres::{Client, NoTls, Statement};
use uuid::Uuid;

use crate::driver::Target;

const CONNECT_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// The server settings that decide whether an acknowledged INSERT is on disk.
#[derive(Debug, Clone)]
pub struct PgDurability {
    pub synchronous_commit: String,
    pub fsync: String,
    pub version: String,
}

impl PgDurability {
    /// True when every acknowledged commit was flushed to the WAL on disk.
    pub fn is_durable(&self) -> bool {
        self.synchronous_commit != "off" && self.fsync == "on"
    }
}

/// The connections and the event table of one benchmark run.
pub struct PgBench {
    clients: Arc<Vec<Client>>,
    inserts: Arc<Vec<Statement>>,
    table: String,
    pub durability: PgDurability,
}

impl PgBench {
    /// Opens up to `connections` connections (fewer if the server refuses more after
    /// the first) and creates a fresh event table.
    pub async fn connect(url: &str, connections: usize) -> anyhow::Result<Self> {
        let mut clients = Vec::new();
        for i in 0..connections.max(1) {
            // A host that drops packets would otherwise hang the whole run.
            let attempt =
                tokio::time::timeout(CONNECT_TIMEOUT, tokio_postgres::connect(url, NoTls))
                    .await
                    .map_err(|_| anyhow::anyhow!("no answer within {CONNECT_TIMEOUT:?}"))
                    .and_then(|connected| connected.map_err(anyhow::Error::from));
            match attempt {
                Ok((client, connection)) => {
                    tokio::spawn(async move {
                        // Ends when the client is dropped; an error here surfaces as a
                        // failed query on the client side.
                        let _ = connection.await;
                    });
                    clients.push(client);
                }
                Err(e) if i == 0 => return Err(e).context("connecting to PostgreSQL"),
                Err(e) => {
                    eprintln!("postgres: stopping the pool at {i} connections: {e}");
                    break;
                }
            }
        }
        let first = &clients[0];
        let durability = PgDurability {
            synchronous_commit: show(first, "synchronous_commit").await?,
            fsync: show(first, "fsync").await?,
            version: show(first, "server_version").await?,
        };
        let table = format!(
            "bench_events_{}",
            &Uuid::new_v4().simple().to_string()[..12]
        );
        first
            .batch_execute(&format!(
                "CREATE TABLE {table} (
                    global_position bigserial PRIMARY KEY,
                    stream text NOT NULL,
                    revision bigint NOT NULL,
                    id uuid NOT NULL,
                    type text NOT NULL,
                    data bytea NOT NULL,
                    UNIQUE (stream, revision))"
            ))
            .await
            .with_context(|| format!("creating table {table}"))?;
        let sql = format!(
            "INSERT INTO {table} (stream, revision, id, type, data) VALUES ($1, $2, $3, $4, $5)"
        );
        let mut inserts = Vec::with_capacity(clients.len());
        for client in &clients {
            inserts.push(client.prepare(&sql).await.context("preparing the INSERT")?);
        }
        Ok(PgBench {
            clients: Arc::new(clients),
            inserts: Arc::new(inserts),
            table,
            durability,
        })
    }

    /// Number of connections actually open.
    pub fn pool_size(&self) -> usize {
        self.clients.len()
    }

    /// The name of this run's event table.
    pub fn table(&self) -> &str {
        &self.table
    }

    /// A target for a cell of `writers` writers: one connection per writer up to the
    /// pool size, writers beyond share them.
    pub fn target(&self, writers: usize) -> PgTarget {
        PgTarget {
            clients: self.clients.clone(),
            inserts: self.inserts.clone(),
            width: writers.clamp(1, self.clients.len()),
        }
    }

    /// Empties the table so every cell starts from the same index size.
    pub async fn truncate(&self) -> anyhow::Result<()> {
        self.clients[0]
            .batch_execute(&format!("TRUNCATE {}", self.table))
            .await
            .context("truncating the event table")
    }

    /// Drops this run's table.
    pub async fn drop_table(&self) -> anyhow::Result<()> {
        self.clients[0]
            .batch_execute(&format!("DROP TABLE IF EXISTS {}", self.table))
            .await
            .with_context(|| format!("dropping table {}", self.table))
    }
}

async fn show(client: &Client, setting: &str) -> anyhow::Result<String> {
    let row = client
        .query_one(&format!("SHOW {setting}"), &[])
        .await
        .with_context(|| format!("SHOW {setting}"))?;
    Ok(row.try_get(0)?)
}

/// The PostgreSQL peer as seen by the writers of one cell.
pub struct PgTarget {
    clients: Arc<Vec<Client>>,
    inserts: Arc<Vec<Statement>>,
    width: usize,
}

impl Target for PgTarget {
    async fn append(
        &self,
        writer: usize,
        stream: &str,
        expected: Option<u64>,
        event: NewEvent,
    ) -> anyhow::Result<()> {
        let slot = writer % self.width;
        let revision = expected.map_or(0, |r| r + 1) as i64;
        let inserted = self.clients[slot]
            .execute(
                &self.inserts[slot],
                &[
                    &stream,
                    &revision,
                    &event.id,
                    &event.event_type,
                    &event.data,
                ],
            )
            .await;
        match inserted {
            Ok(_) => Ok(()),
            Err(e) if e.code() == Some(&SqlState::UNIQUE_VIOLATION) => Err(anyhow::anyhow!(
                "wrong expected revision on {stream}: revision {revision} already exists"
            )),
            Err(e) => Err(e).context("INSERT into the event table"),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::event::make_event;

    /// Needs the PostgreSQL of the development machine (PG_URL or the default URL).
    #[tokio::test]
    async fn a_second_append_at_the_same_revision_is_a_conflict_and_the_table_is_dropped() {
        let url = std::env::var("PG_URL").unwrap_or_else(|_| crate::DEFAULT_PG_URL.to_string());
        let bench = PgBench::connect(&url, 2).await.unwrap();
        assert!(bench.durability.is_durable());
        let target = bench.target(2);
        target
            .append(0, "bench-a", None, make_event(0, 0))
            .await
            .unwrap();
        let stale = target.append(1, "bench-a", None, make_event(1, 0)).await;
        assert!(
            stale
                .unwrap_err()
                .to_string()
                .contains("wrong expected revision")
        );
        target
            .append(1, "bench-a", Some(0), make_event(1, 1))
            .await
            .unwrap();
        let table = bench.table().to_string();
        bench.drop_table().await.unwrap();
        let exists: Option<String> = bench.clients[0]
            .query_one("SELECT to_regclass($1)::text", &[&table])
            .await
            .unwrap()
            .get(0);
        assert_eq!(exists, None);
    }
}
