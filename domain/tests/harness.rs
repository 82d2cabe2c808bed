//! The given / when / then harness fails when the outcome differs, so tests built on it
//! can fail.

use domain::testing::{NOW, given};
use domain::{Expiration, ExpirationCommand, OrderExpirationDue, OrderId, UserEmail};
use domain::{UserEmailCommand, UserEmailError, UserId};
use uuid::Uuid;

const ORDER: OrderId = OrderId::new(Uuid::from_u128(10));
const USER: UserId = UserId::new(Uuid::from_u128(1));

#[test]
#[should_panic(expected = "decided other events than expected")]
fn then_fails_when_other_events_are_decided() {
    given::<Expiration>([])
        .when(ExpirationCommand::MarkExpirationDue { order_id: ORDER })
        .then([OrderExpirationDue {
            order_id: OrderId::new(Uuid::nil()),
        }
        .into()]);
}

#[test]
#[should_panic(expected = "decided other events than expected")]
fn then_nothing_fails_when_events_are_decided() {
    given::<Expiration>([])
        .when(ExpirationCommand::MarkExpirationDue { order_id: ORDER })
        .then_nothing();
}

#[test]
#[should_panic(expected = "expected error")]
fn then_error_fails_when_the_command_succeeds() {
    given::<UserEmail>([])
        .when(UserEmailCommand::ClaimEmail { user_id: USER })
        .then_error(UserEmailError::EmailInUse);
}

#[test]
#[should_panic(expected = "the command failed")]
fn then_fails_when_the_command_is_refused() {
    given::<UserEmail>([domain::EmailClaimed { user_id: USER }.into()])
        .when(UserEmailCommand::ClaimEmail { user_id: USER })
        .then([]);
}

#[test]
fn the_harness_decides_at_a_fixed_time_unless_told_otherwise() {
    assert_eq!(NOW.to_rfc3339(), "2026-12-05T07:00:00.000Z");
    given::<Expiration>([])
        .at(NOW.plus_seconds(60))
        .when(ExpirationCommand::MarkExpirationDue { order_id: ORDER })
        .then([OrderExpirationDue { order_id: ORDER }.into()]);
}
