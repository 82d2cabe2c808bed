//! How the services' errors become HTTP answers: a domain refusal by the kind of rule it
//! broke, machinery failures as 409 / 503 / 500 (never a 400 for a fault).

use domain::{DomainError, ErrorKind};
use services::infra::{CommandError, ServiceError};

use crate::http::{ApiError, FieldError};

/// A domain refusal: validation 400 with `field`, rule 400, not owner 401, unknown 404.
pub fn refusal<E: DomainError>(error: &E) -> ApiError {
    match error.kind() {
        ErrorKind::Invalid { field } => {
            ApiError::validation([FieldError::new(field, error.to_string())])
        }
        ErrorKind::Rejected => ApiError::bad_request(error.to_string()),
        ErrorKind::NotOwner => ApiError::NotAuthorized,
        ErrorKind::NotFound => ApiError::NotFound,
    }
}

/// A failure of the machinery: 503 when the read model lags (the write stands), 500 otherwise.
pub fn fault(error: ServiceError) -> ApiError {
    match error {
        ServiceError::NotCaughtUp(lag) => ApiError::unavailable(format!(
            "The change was recorded but is not visible yet; try again shortly ({lag})"
        )),
        other => ApiError::internal(other),
    }
}

/// Any command error.
pub fn command<E: DomainError>(error: CommandError<E>) -> ApiError {
    match error {
        CommandError::Rejected(refused) => refusal(&refused),
        CommandError::Conflict { .. } => {
            ApiError::conflict("The resource kept changing; please try again")
        }
        CommandError::Service(error) => fault(error),
    }
}
