//! auth at the service level on a real log and sled: the claim decides, the read model
//! follows, sign-in reads the streams.
#![allow(clippy::unwrap_used)]

use bus::{Bus as _, EmbeddedBus};
use domain::{Email, UserEmailError};
use eventlog::{FileLog, FileLogOptions};
use projections::ReadModels;
use tokio::sync::watch;
use uuid::Uuid;

use super::Auth;
use crate::infra::{CommandError, Runtime, Settings};

#[tokio::test]
async fn the_first_claim_wins_and_the_users_read_model_shows_the_winner_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let log = FileLog::open(dir.path().join("log"), FileLogOptions::default()).unwrap();
    let bus = EmbeddedBus::open(log.clone(), dir.path().join("bus")).unwrap();
    let (stop, shutdown) = watch::channel(false);
    let runtime = Runtime::new(log, bus, Settings::default(), shutdown);
    let models = ReadModels::open(dir.path().join("auth")).unwrap();
    let auth = Auth::start(&runtime, models).await.unwrap();
    let email = Email::parse("Someone@Test.com").unwrap();

    assert!(!auth.email_in_use(&email).await.unwrap());
    assert_eq!(auth.credentials(&email).await.unwrap(), None);
    let account = auth
        .sign_up(email.clone(), "hash-one".into(), Uuid::new_v4())
        .await
        .unwrap();
    let row = auth
        .user(account.id)
        .unwrap()
        .expect("visible right after sign-up");
    assert_eq!(row.email, "someone@test.com");

    let second = auth
        .sign_up(email.clone(), "hash-two".into(), Uuid::new_v4())
        .await;
    assert!(matches!(
        second,
        Err(CommandError::Rejected(UserEmailError::EmailInUse))
    ));
    // The loser's user was recorded (user first, claim second) but nothing points to it.
    let credentials = auth.credentials(&email).await.unwrap().unwrap();
    assert_eq!(credentials.id, account.id);
    assert_eq!(credentials.password_hash, "hash-one");
    assert!(auth.email_in_use(&email).await.unwrap());

    stop.send(true).unwrap();
    runtime.join().await;
    runtime.bus.close().await;
    runtime.log.close().await;
}
