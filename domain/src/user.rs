//! A registered user (stream `user-{id}`), owned by auth.

use serde::{Deserialize, Serialize};

use crate::aggregate::{Aggregate, domain_event};
use crate::email::Email;
use crate::error::{DomainError, ErrorKind};
use crate::metadata::Context;

/// A user signed up. The password hash is an Argon2id PHC string made by auth.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UserRegistered {
    /// The normalised email.
    pub email: Email,
    /// PHC string of the password hash (never the password).
    pub password_hash: String,
}

/// Events of `user-{id}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UserEvent {
    /// See [`UserRegistered`].
    UserRegistered(UserRegistered),
}
domain_event!(UserEvent { UserRegistered });

/// Commands of `user-{id}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UserCommand {
    /// Records a new user. Claim the email first (`useremail`), so the address is unique.
    RegisterUser {
        /// The normalised email.
        email: Email,
        /// The PHC string of the hashed password.
        password_hash: String,
    },
}

/// Why a user command is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UserError {
    /// The id is already taken by a registered user: pick a new id (a programming error,
    /// since ids are fresh UUIDs).
    #[error("User already registered")]
    AlreadyRegistered,
}

impl DomainError for UserError {
    fn kind(&self) -> ErrorKind {
        ErrorKind::Rejected
    }
}

/// What auth knows about a user.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UserState {
    /// The email and password hash, once registered.
    pub registered: Option<UserRegistered>,
}

/// The user aggregate.
#[derive(Debug, Clone, Copy, Default)]
pub struct User;

impl Aggregate for User {
    const CATEGORY: &'static str = "user";
    type State = UserState;
    type Command = UserCommand;
    type Event = UserEvent;
    type Error = UserError;

    fn decide(
        state: &UserState,
        command: UserCommand,
        _ctx: &Context,
    ) -> Result<Vec<UserEvent>, UserError> {
        match command {
            UserCommand::RegisterUser {
                email,
                password_hash,
            } => {
                if state.registered.is_some() {
                    return Err(UserError::AlreadyRegistered);
                }
                Ok(vec![
                    UserRegistered {
                        email,
                        password_hash,
                    }
                    .into(),
                ])
            }
        }
    }

    fn evolve(state: &mut UserState, event: &UserEvent) {
        match event {
            UserEvent::UserRegistered(registered) => state.registered = Some(registered.clone()),
        }
    }
}
