//! `/api/users`: sign-up, sign-in, sign-out and the current user (spec section 2, auth).
//!
//! Passwords are hashed and verified here, with Argon2id on the blocking pool; the auth
//! service records and looks up PHC strings only.

use axum::Router;
use axum::extract::{FromRef, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use domain::{Email, UserEmailError, UserId, validate_password};
use serde_json::json;
use services::auth::Auth;
use tokio::sync::OnceCell;

use crate::http::{
    ApiError, ApiJson, CorrelationId, CurrentUser, FieldError, JsonObject, SessionKeys,
    hash_password, verify_password,
};
use crate::service_errors::{command, fault, refusal};

/// The answer to a sign-in that failed, whichever the reason.
const INVALID_CREDENTIALS: &str = "Invalid credentials";

#[derive(Clone)]
struct AuthState {
    auth: Auth,
    keys: SessionKeys,
}

impl FromRef<AuthState> for SessionKeys {
    fn from_ref(state: &AuthState) -> Self {
        state.keys.clone()
    }
}

/// The routes of `/api/users`.
pub fn router(auth: Auth, keys: SessionKeys) -> Router {
    Router::new()
        .route("/api/users/signup", post(sign_up))
        .route("/api/users/signin", post(sign_in))
        .route("/api/users/signout", post(sign_out))
        .route("/api/users/currentuser", get(current_user))
        .with_state(AuthState { auth, keys })
}

async fn sign_up(
    State(state): State<AuthState>,
    CorrelationId(correlation_id): CorrelationId,
    body: JsonObject,
) -> Result<Response, ApiError> {
    let email = body.str("email").map(Email::parse);
    let password = body.str("password").map(validate_password);
    let (email, password) = match (email, password) {
        (Some(Ok(email)), Some(Ok(password))) => (email, password.to_owned()),
        (email, password) => {
            let mut errors = Vec::new();
            if !matches!(email, Some(Ok(_))) {
                errors.push(FieldError::new("email", domain::InvalidEmail.to_string()));
            }
            if !matches!(password, Some(Ok(_))) {
                errors.push(FieldError::new(
                    "password",
                    domain::InvalidPassword.to_string(),
                ));
            }
            return Err(ApiError::validation(errors));
        }
    };
    // Spares an Argon2 hash for an address that is plainly taken; the claim decides.
    if state.auth.email_in_use(&email).await.map_err(fault)? {
        return Err(refusal(&UserEmailError::EmailInUse));
    }
    let password_hash = hash_password(password).await?;
    let account = state
        .auth
        .sign_up(email, password_hash, correlation_id)
        .await
        .map_err(command)?;
    signed_in(&state.keys, StatusCode::CREATED, account.id, &account.email)
}

async fn sign_in(State(state): State<AuthState>, body: JsonObject) -> Result<Response, ApiError> {
    let email = body.str("email").and_then(|e| Email::parse(e).ok());
    let password = body
        .str("password")
        .map(str::trim)
        .filter(|p| !p.is_empty());
    let (email, password) = match (email, password) {
        (Some(email), Some(password)) => (email, password.to_owned()),
        (email, password) => {
            let mut errors = Vec::new();
            if email.is_none() {
                errors.push(FieldError::new("email", domain::InvalidEmail.to_string()));
            }
            if password.is_none() {
                errors.push(FieldError::new("password", "You must supply a password"));
            }
            return Err(ApiError::validation(errors));
        }
    };
    let Some(credentials) = state.auth.credentials(&email).await.map_err(fault)? else {
        // Verify against a throwaway hash so that an unknown address takes as long as a
        // wrong password: the answer time does not reveal who has an account.
        let _ = verify_password(password, dummy_hash().await?).await?;
        return Err(ApiError::bad_request(INVALID_CREDENTIALS));
    };
    if !verify_password(password, credentials.password_hash).await? {
        return Err(ApiError::bad_request(INVALID_CREDENTIALS));
    }
    signed_in(
        &state.keys,
        StatusCode::OK,
        credentials.id,
        &credentials.email,
    )
}

async fn sign_out(State(state): State<AuthState>) -> Response {
    (
        StatusCode::OK,
        [(header::SET_COOKIE, state.keys.clear_cookie())],
        ApiJson(json!({})),
    )
        .into_response()
}

async fn current_user(CurrentUser(claims): CurrentUser) -> ApiJson<serde_json::Value> {
    ApiJson(json!({ "currentUser": claims }))
}

/// `{id, email}` with a fresh session cookie.
fn signed_in(
    keys: &SessionKeys,
    status: StatusCode,
    id: UserId,
    email: &Email,
) -> Result<Response, ApiError> {
    let session = keys.issue(id.as_uuid(), email.as_str())?;
    Ok((
        status,
        [(header::SET_COOKIE, session.set_cookie)],
        ApiJson(json!({ "id": id.to_string(), "email": email.as_str() })),
    )
        .into_response())
}

/// A hash of a password nobody knows, made once per process.
async fn dummy_hash() -> Result<String, ApiError> {
    static DUMMY: OnceCell<String> = OnceCell::const_new();
    let hash = DUMMY
        .get_or_try_init(|| hash_password(uuid::Uuid::new_v4().to_string()))
        .await?;
    Ok(hash.clone())
}
