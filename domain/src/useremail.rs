//! Email uniqueness (stream `useremail-{email}`), owned by auth.
//!
//! The claim is appended expecting "no stream", so of two racing sign-ups with one email
//! exactly one append succeeds; the loser reloads and this decision answers "Email in use".

use serde::{Deserialize, Serialize};

use crate::aggregate::{Aggregate, domain_event};
use crate::error::{DomainError, ErrorKind};
use crate::ids::UserId;
use crate::metadata::Context;

/// The email (the stream's id) now belongs to `user_id`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EmailClaimed {
    /// The user who owns the address.
    pub user_id: UserId,
}

/// Events of `useremail-{email}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UserEmailEvent {
    /// See [`EmailClaimed`].
    EmailClaimed(EmailClaimed),
}
domain_event!(UserEmailEvent { EmailClaimed });

/// Commands of `useremail-{email}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UserEmailCommand {
    /// Reserves the address for a new user.
    ClaimEmail {
        /// The user being signed up.
        user_id: UserId,
    },
}

/// Why a claim is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UserEmailError {
    /// Someone already signed up with this address: answer 400 "Email in use".
    #[error("Email in use")]
    EmailInUse,
}

impl DomainError for UserEmailError {
    fn kind(&self) -> ErrorKind {
        ErrorKind::Rejected
    }
}

/// Who owns the address, if anyone (sign-in looks the user up here).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UserEmailState {
    /// The owner, once claimed.
    pub owner: Option<UserId>,
}

/// The email-claim aggregate; its stream id is the normalised email.
#[derive(Debug, Clone, Copy, Default)]
pub struct UserEmail;

impl Aggregate for UserEmail {
    const CATEGORY: &'static str = "useremail";
    type State = UserEmailState;
    type Command = UserEmailCommand;
    type Event = UserEmailEvent;
    type Error = UserEmailError;

    fn decide(
        state: &UserEmailState,
        command: UserEmailCommand,
        _ctx: &Context,
    ) -> Result<Vec<UserEmailEvent>, UserEmailError> {
        match command {
            UserEmailCommand::ClaimEmail { user_id } => match state.owner {
                Some(_) => Err(UserEmailError::EmailInUse),
                None => Ok(vec![EmailClaimed { user_id }.into()]),
            },
        }
    }

    fn evolve(state: &mut UserEmailState, event: &UserEmailEvent) {
        match event {
            UserEmailEvent::EmailClaimed(claimed) => state.owner = Some(claimed.user_id),
        }
    }
}
