//! Rebuilding a read model from the log into a new generation, swapped in only when it
//! has caught up: the old model answers queries until then.

use eventlog::{CategoryFilter, EventLog};

use crate::runner::apply_events;
use crate::{Projection, ProjectionError, ReadModels};

const BATCH: usize = 1024;

/// Rebuilds `projection` from position 0. `on_progress(applied, head)` is called after
/// every batch. A running runner notices the swap and continues from the new checkpoint.
pub async fn rebuild<L, P, F>(
    log: &L,
    projection: &P,
    models: &ReadModels,
    mut on_progress: F,
) -> Result<u64, ProjectionError>
where
    L: EventLog,
    P: Projection + ?Sized,
    F: FnMut(u64, u64),
{
    let name = projection.name();
    let (generation, tree) = models.next_generation(name)?;
    let mut checkpoint = 0;
    loop {
        let events = log
            .read_all(checkpoint, BATCH, &CategoryFilter::All)
            .await?;
        match apply_events(projection, &tree, &events)? {
            Some(next) => {
                checkpoint = next;
                on_progress(checkpoint, log.head_position().await?);
            }
            None => break,
        }
    }
    if checkpoint == 0 {
        // An empty log still gets a checkpoint so the generation counts as built.
        let mut batch = sled::Batch::default();
        batch.insert(crate::tx::CHECKPOINT_KEY, &0u64.to_be_bytes());
        tree.apply_batch(batch)?;
    }
    tree.flush()?;
    models.swap(name, generation)?;
    Ok(checkpoint)
}
