//! The embedded file log (`eventlog::FileLog`) in a fresh directory on the real disk,
//! appended to through its `EventLog` port exactly as the application does.

use std::sync::Arc;

use anyhow::Context;
use eventlog::{EventLog, ExpectedRevision, FileLog, FileLogOptions, NewEvent};

use crate::driver::Target;
use crate::stats::Summary;
use crate::system::{RunContext, fresh_dir, measure};

/// Runs one cell against a new file log with default options, then closes it.
pub async fn run(ctx: &RunContext, writers: usize) -> anyhow::Result<Summary> {
    let dir = fresh_dir(ctx)?;
    let log = FileLog::open(dir.path(), FileLogOptions::default())
        .with_context(|| format!("opening the file log in {}", dir.path().display()))?;
    let target = Arc::new(FileLogTarget { log: log.clone() });
    let summary = measure(target, writers, ctx.phases).await;
    log.close().await;
    summary
}

struct FileLogTarget {
    log: FileLog,
}

impl Target for FileLogTarget {
    async fn append(
        &self,
        _writer: usize,
        stream: &str,
        expected: Option<u64>,
        event: NewEvent,
    ) -> anyhow::Result<()> {
        let expected = expected.map_or(ExpectedRevision::NoStream, ExpectedRevision::Exact);
        let outcome = self.log.append(stream, expected, vec![event]).await?;
        let wanted = expected_next(expected);
        anyhow::ensure!(
            outcome.next_expected_revision == wanted,
            "file log put the event at revision {} instead of {wanted}",
            outcome.next_expected_revision
        );
        Ok(())
    }
}

fn expected_next(expected: ExpectedRevision) -> u64 {
    match expected {
        ExpectedRevision::Exact(revision) => revision + 1,
        _ => 0,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::driver::Phases;
    use std::time::Duration;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_file_log_cell_measures_appends_that_all_landed_in_the_log() {
        let data = tempfile::tempdir().unwrap();
        let dir = data.path().join("log");
        let log = FileLog::open(&dir, FileLogOptions::default()).unwrap();
        let target = Arc::new(FileLogTarget { log: log.clone() });
        let phases = Phases {
            warmup: Duration::ZERO,
            measure: Duration::from_millis(300),
        };
        let summary = measure(target, 4, phases).await.unwrap();
        // Every counted append is in the log (the window had no warm-up to exclude).
        assert_eq!(log.head_position().await.unwrap(), summary.events);
        log.close().await;
    }
}
