#![allow(clippy::unwrap_used)]
//! auth's aggregates: users and email claims.

use domain::testing::given;
use domain::{Email, User, UserCommand, UserError, UserRegistered};
use domain::{EmailClaimed, UserEmail, UserEmailCommand, UserEmailError, UserId};
use uuid::Uuid;

fn jane() -> Email {
    Email::parse("jane@example.com").unwrap()
}

fn registered() -> UserRegistered {
    UserRegistered {
        email: jane(),
        password_hash: "$argon2id$v=19$...".into(),
    }
}

fn register() -> UserCommand {
    UserCommand::RegisterUser {
        email: jane(),
        password_hash: "$argon2id$v=19$...".into(),
    }
}

#[test]
fn a_new_user_is_registered_with_email_and_password_hash() {
    given::<User>([])
        .when(register())
        .then([registered().into()]);
}

#[test]
fn a_user_cannot_be_registered_twice() {
    given::<User>([registered().into()])
        .when(register())
        .then_error(UserError::AlreadyRegistered);
}

#[test]
fn a_free_email_is_claimed_by_the_new_user() {
    let user_id = UserId::new(Uuid::from_u128(1));
    given::<UserEmail>([])
        .when(UserEmailCommand::ClaimEmail { user_id })
        .then([EmailClaimed { user_id }.into()]);
}

#[test]
fn an_email_can_be_claimed_only_once() {
    let first = UserId::new(Uuid::from_u128(1));
    let second = UserId::new(Uuid::from_u128(2));
    given::<UserEmail>([EmailClaimed { user_id: first }.into()])
        .when(UserEmailCommand::ClaimEmail { user_id: second })
        .then_error(UserEmailError::EmailInUse);
    assert_eq!(UserEmailError::EmailInUse.to_string(), "Email in use");
}
