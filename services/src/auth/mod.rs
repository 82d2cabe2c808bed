//! auth: sign-up and sign-in over the `user` and `useremail` streams.
//!
//! Sign-up appends `UserRegistered` to `user-{id}` first and only then claims the address
//! in `useremail-{email}` (expecting no stream). An orphan user whose claim lost the race
//! is harmless: nothing points to it. The opposite order could leave a claim pointing to
//! a user that was never recorded, locking the address forever.
//!
//! Sign-in reads the two streams directly (strongly consistent: a user can sign in the
//! moment sign-up answered). The `users` read model gives the service its readiness.
//! Hashing and verifying passwords is the gateway's business (it owns Argon2id); this
//! module only ever sees PHC strings.
//!
//! # Layout
//! - `projection.rs`: the `users` read model ([`UserRow`]).
//! - `tests.rs`: the service on a real log and sled.

mod projection;
#[cfg(test)]
mod tests;

use std::sync::Arc;

use domain::{
    Context, Email, EventMetadata, User, UserCommand, UserEmail, UserEmailCommand, UserEmailError,
    UserError, UserId,
};
use projections::{Progress, ReadModels, View, run_projection};
use uuid::Uuid;

use crate::infra::{CommandError, EventIds, Readiness, Runtime, ServiceError, execute, load, now};

pub use projection::{UserRow, UsersProjection};

/// A signed-up user, as the session and the 201 answer show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    /// The new user's id.
    pub id: UserId,
    /// The normalised email.
    pub email: Email,
}

/// What sign-in checks a password against.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credentials {
    /// The user owning the address.
    pub id: UserId,
    /// The normalised email.
    pub email: Email,
    /// The Argon2id PHC string recorded at sign-up.
    pub password_hash: String,
}

/// The auth service handle. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Auth {
    runtime: Runtime,
    users: View,
    progress: Progress,
    readiness: Readiness,
}

impl Auth {
    /// Starts the `users` read model on `models` (auth's own sled database).
    pub async fn start(runtime: &Runtime, models: ReadModels) -> Result<Self, ServiceError> {
        let (progress, task) = run_projection(
            runtime.log.clone(),
            Arc::new(UsersProjection),
            &models,
            runtime.shutdown(),
        )?;
        runtime.spawn("auth-users-projection", async move {
            match task.await {
                Ok(Ok(())) => {}
                Ok(Err(error)) => tracing::error!(%error, "auth users read model stopped"),
                Err(error) => tracing::error!(%error, "auth users read model task failed"),
            }
        });
        let mut readiness = Readiness::default();
        readiness.track(&runtime.log, progress.clone()).await?;
        Ok(Self {
            runtime: runtime.clone(),
            users: models.view(UsersProjection::NAME)?,
            progress,
            readiness,
        })
    }

    /// Whether the read model has caught up with the log as it was at start.
    pub fn readiness(&self) -> &Readiness {
        &self.readiness
    }

    /// Whether someone already claimed `email`: a cheap pre-check that spares hashing a
    /// password for a sign-up that must fail. The claim in [`Auth::sign_up`] decides.
    pub async fn email_in_use(&self, email: &Email) -> Result<bool, ServiceError> {
        let claim = load::<UserEmail>(&self.runtime.log, email).await?;
        Ok(claim.state.owner.is_some())
    }

    /// Records a new user with `password_hash` (a PHC string) and claims `email` for it.
    /// Refused with [`UserEmailError::EmailInUse`] when the address is taken, also when
    /// another sign-up claims it at the same moment.
    pub async fn sign_up(
        &self,
        email: Email,
        password_hash: String,
        correlation_id: Uuid,
    ) -> Result<Account, CommandError<UserEmailError>> {
        let log = &self.runtime.log;
        let id = UserId::new(Uuid::new_v4());
        let ctx = Context::at(now());
        let metadata = EventMetadata::for_command(correlation_id, Some(id));
        let register = |_: &_| UserCommand::RegisterUser {
            email: email.clone(),
            password_hash: password_hash.clone(),
        };
        execute::<User, _>(log, id, &ctx, &metadata, EventIds::Fresh, register)
            .await
            .map_err(|error| match error {
                // A fresh v4 UUID already registered: astronomically unlikely; the client
                // may simply try again and get a new id.
                CommandError::Rejected(UserError::AlreadyRegistered) => {
                    CommandError::Conflict { attempts: 1 }
                }
                CommandError::Conflict { attempts } => CommandError::Conflict { attempts },
                CommandError::Service(error) => CommandError::Service(error),
            })?;
        // A conflict here means another sign-up claimed the address first: `execute`
        // reloads and the decision on the loaded claim answers "Email in use".
        let claim = |_: &_| UserEmailCommand::ClaimEmail { user_id: id };
        let claimed =
            execute::<UserEmail, _>(log, email.as_str(), &ctx, &metadata, EventIds::Fresh, claim)
                .await?;
        if let Some(position) = claimed.last_position {
            self.progress
                .wait_for(position, self.runtime.settings.read_your_writes_timeout)
                .await
                .map_err(ServiceError::from)?;
        }
        Ok(Account { id, email })
    }

    /// The credentials of the user owning `email`, `None` when nobody does.
    pub async fn credentials(&self, email: &Email) -> Result<Option<Credentials>, ServiceError> {
        let log = &self.runtime.log;
        let claim = load::<UserEmail>(log, email).await?;
        let Some(id) = claim.state.owner else {
            return Ok(None);
        };
        let user = load::<User>(log, id).await?;
        match user.state.registered {
            Some(registered) => Ok(Some(Credentials {
                id,
                email: registered.email,
                password_hash: registered.password_hash,
            })),
            // Sign-up records the user before the claim, so this is a damaged log.
            None => Err(ServiceError::Corrupt {
                stream: <User as domain::Aggregate>::stream_name(id),
                revision: 0,
                reason: format!("the claim of {email} names a user that was never registered"),
            }),
        }
    }

    /// The registered user `id` from the read model.
    pub fn user(&self, id: UserId) -> Result<Option<UserRow>, ServiceError> {
        Ok(self
            .users
            .get_json(&UsersProjection::key(&id.to_string()))?)
    }
}
