//! Shared machinery of the services.

mod command;
mod copies;
mod durable;
mod error;
mod reaction;
mod readiness;
mod runtime;
mod store;

pub use command::{EventIds, Executed, execute};
pub use copies::{AggregateCopy, CopyStore};
pub use durable::{GroupFlush, flush_durably};
pub use error::{CommandError, ServiceError};
pub use reaction::{Handled, consumer_config, run_reaction};
pub use readiness::Readiness;
pub use runtime::{Bus, Log, Runtime, Settings, now};
pub use store::{Loaded, append_events, load, record, stream_id};
