//! The port's conformance suite against the file log, each check on a fresh directory.
#![allow(clippy::unwrap_used)]

use eventlog::{FileLog, FileLogOptions, conformance};
use tempfile::TempDir;

async fn run_suite(options: FileLogOptions) {
    let mut dirs: Vec<TempDir> = Vec::new();
    let mut logs: Vec<FileLog> = Vec::new();
    let result = conformance::run_all(|| {
        let dir = tempfile::tempdir().unwrap();
        let log = FileLog::open(dir.path(), options.clone()).unwrap();
        dirs.push(dir);
        logs.push(log.clone());
        async move { log }
    })
    .await;
    for log in &logs {
        log.close().await;
    }
    if let Err(failure) = result {
        panic!("{failure}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_file_log_passes_the_conformance_suite() {
    run_suite(FileLogOptions::default()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_file_log_passes_the_conformance_suite_with_tiny_segments() {
    run_suite(FileLogOptions {
        segment_size_bytes: 2048,
    })
    .await;
}

#[tokio::test(flavor = "current_thread")]
async fn the_file_log_passes_the_conformance_suite_on_one_thread() {
    run_suite(FileLogOptions::default()).await;
}
