//! How a rejected decision maps onto an answer, without the domain knowing HTTP.

use std::convert::Infallible;

/// The kind of rule a domain error breaks; the gateway maps it onto a status code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// A request field is invalid: 400 with `field`.
    Invalid {
        /// The request field at fault (`title`, `price`, `email`, `password`).
        field: &'static str,
    },
    /// A business rule refused the command: 400 with the message.
    Rejected,
    /// The caller does not own the thing: 401 (the original's choice).
    NotOwner,
    /// The thing does not exist (yet): 404.
    NotFound,
}

/// Implemented by every error of a decision.
pub trait DomainError: std::error::Error {
    /// What kind of rule was broken.
    fn kind(&self) -> ErrorKind;
}

/// For decisions that cannot fail.
impl DomainError for Infallible {
    fn kind(&self) -> ErrorKind {
        match *self {}
    }
}

impl DomainError for crate::email::InvalidEmail {
    fn kind(&self) -> ErrorKind {
        ErrorKind::Invalid { field: "email" }
    }
}

impl DomainError for crate::email::InvalidPassword {
    fn kind(&self) -> ErrorKind {
        ErrorKind::Invalid { field: "password" }
    }
}

impl DomainError for crate::money::MoneyError {
    fn kind(&self) -> ErrorKind {
        ErrorKind::Invalid { field: "price" }
    }
}
