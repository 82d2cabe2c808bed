//! Readiness: a service is ready once each of its read models has applied the log as far
//! as it reached when the service started.

use projections::Progress;

use super::{Log, ServiceError};
use eventlog::EventLog;

/// The read models of one service and the positions they must reach to be ready.
#[derive(Debug, Clone, Default)]
pub struct Readiness {
    targets: Vec<(Progress, u64)>,
}

impl Readiness {
    /// Adds a read model that must reach the log's current head.
    pub async fn track(&mut self, log: &Log, progress: Progress) -> Result<(), ServiceError> {
        let head = log.head_position().await?;
        self.targets.push((progress, head));
        Ok(())
    }

    /// `Ok` when every read model caught up; otherwise what is behind.
    pub fn check(&self) -> Result<(), Vec<String>> {
        let behind: Vec<String> = self
            .targets
            .iter()
            .filter(|(progress, target)| progress.applied() < *target)
            .map(|(progress, target)| {
                format!(
                    "read model {} at {} of {}",
                    progress.name(),
                    progress.applied(),
                    target
                )
            })
            .collect();
        if behind.is_empty() {
            Ok(())
        } else {
            Err(behind)
        }
    }
}
