//! The shutdown trigger for `axum::serve(..).with_graceful_shutdown(..)`: SIGTERM (what
//! Kubernetes sends) or SIGINT (Ctrl-C). Axum then stops accepting and lets in-flight
//! handlers finish.

use std::future::Future;

/// A future that resolves on the first SIGTERM or SIGINT.
///
/// The signal handlers are installed when this function is called, not when the future
/// is first polled, so a signal arriving in between is not lost (nor does it kill the
/// process with the default action). If a handler cannot be installed the failure is
/// logged and that signal is not waited for.
pub fn shutdown_signal() -> impl Future<Output = ()> + Send {
    imp::shutdown_signal()
}

#[cfg(unix)]
mod imp {
    use std::future::Future;

    use tokio::signal::unix::{Signal, SignalKind, signal};

    pub(super) fn shutdown_signal() -> impl Future<Output = ()> + Send {
        let terminate = install(SignalKind::terminate(), "SIGTERM");
        let interrupt = install(SignalKind::interrupt(), "SIGINT");
        async move {
            tokio::select! {
                () = receive(terminate) => tracing::info!("SIGTERM received, shutting down"),
                () = receive(interrupt) => tracing::info!("SIGINT received, shutting down"),
            }
        }
    }

    fn install(kind: SignalKind, name: &'static str) -> Option<Signal> {
        signal(kind)
            .inspect_err(|e| tracing::error!(error = %e, "cannot listen for {name}"))
            .ok()
    }

    async fn receive(signal: Option<Signal>) {
        match signal {
            Some(mut signal) => {
                // `None` means the signal driver is gone (runtime shutting down): wait on.
                if signal.recv().await.is_none() {
                    std::future::pending::<()>().await;
                }
            }
            None => std::future::pending::<()>().await,
        }
    }
}

#[cfg(not(unix))]
mod imp {
    use std::future::Future;

    pub(super) fn shutdown_signal() -> impl Future<Output = ()> + Send {
        async {
            if let Err(e) = tokio::signal::ctrl_c().await {
                tracing::error!(error = %e, "cannot listen for Ctrl-C");
                std::future::pending::<()>().await;
            }
            tracing::info!("Ctrl-C received, shutting down");
        }
    }
}
