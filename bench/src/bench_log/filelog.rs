//! The embedded file log (`eventlog::FileLog`) in a fresh directory on the real disk.

use crate::stats::Summary;
use crate::system::RunContext;

pub async fn run(_ctx: &RunContext, _writers: usize) -> anyhow::Result<Summary> {
    anyhow::bail!("eventlog::FileLog is not wired yet")
}
