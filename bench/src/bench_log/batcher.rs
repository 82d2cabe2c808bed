//! Group commit for the peers that have no writer of their own (raw, sled): one OS
//! thread takes every request pending on its channel, handles them as one batch (one
//! write, one sync) and only then answers, like a group-committing log does.

use std::sync::mpsc;
use std::thread::JoinHandle;

/// A dedicated writer thread fed by a channel; `F` handles one drained batch.
pub struct Batcher<R> {
    sender: mpsc::Sender<R>,
    thread: JoinHandle<()>,
}

impl<R: Send + 'static> Batcher<R> {
    /// Starts the writer thread. `handle_batch` must answer every request it is given.
    pub fn spawn<F>(name: &str, mut handle_batch: F) -> std::io::Result<Self>
    where
        F: FnMut(Vec<R>) + Send + 'static,
    {
        let (sender, receiver) = mpsc::channel::<R>();
        let thread = std::thread::Builder::new()
            .name(name.to_string())
            .spawn(move || {
                while let Ok(first) = receiver.recv() {
                    let mut batch = vec![first];
                    // Everything that arrived while the previous batch was syncing rides
                    // along: the batch size adapts to the load, as in group commit.
                    batch.extend(receiver.try_iter());
                    handle_batch(batch);
                }
            })?;
        Ok(Batcher { sender, thread })
    }

    /// Queues one request; fails only once the writer thread has stopped.
    pub fn send(&self, request: R) -> anyhow::Result<()> {
        self.sender
            .send(request)
            .map_err(|_| anyhow::anyhow!("the writer thread has stopped"))
    }

    /// Stops the writer thread after it has handled everything already queued.
    pub fn shutdown(self) -> anyhow::Result<()> {
        drop(self.sender);
        self.thread
            .join()
            .map_err(|_| anyhow::anyhow!("the writer thread panicked"))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};

    #[test]
    fn requests_queued_while_a_batch_runs_are_handled_together_in_order() {
        let seen: Arc<Mutex<Vec<Vec<u32>>>> = Arc::default();
        let log = seen.clone();
        let (gate_tx, gate_rx) = mpsc::channel::<()>();
        let batcher = Batcher::spawn("test-batcher", move |batch: Vec<u32>| {
            if batch == [0] {
                // Hold the first batch until the test has queued the rest.
                gate_rx.recv().unwrap();
            }
            log.lock().unwrap().push(batch);
        })
        .unwrap();
        batcher.send(0).unwrap();
        std::thread::sleep(std::time::Duration::from_millis(50));
        for i in 1..=5 {
            batcher.send(i).unwrap();
        }
        gate_tx.send(()).unwrap();
        batcher.shutdown().unwrap();
        assert_eq!(*seen.lock().unwrap(), vec![vec![0], vec![1, 2, 3, 4, 5]]);
    }
}
