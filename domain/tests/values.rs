#![allow(clippy::unwrap_used)]
//! Ids, time and the sign-up values.

use domain::testing::NOW;
use domain::{Email, InvalidEmail, InvalidPassword, OrderId, PaymentId, Timestamp, UserId};
use domain::{MalformedId, validate_password};
use proptest::prelude::*;
use uuid::Uuid;

#[test]
fn an_id_prints_and_parses_as_a_hyphenated_uuid() {
    let id = UserId::new(Uuid::from_u128(0x1234));
    let text = id.to_string();
    assert_eq!(text, "00000000-0000-0000-0000-000000001234");
    assert_eq!(text.parse::<UserId>(), Ok(id));
    assert_eq!(id.as_uuid(), Uuid::from_u128(0x1234));
    assert_eq!(serde_json::to_value(id).unwrap(), serde_json::json!(text));
}

#[test]
fn a_malformed_id_is_an_error_not_a_panic() {
    assert_eq!(
        "not-a-uuid".parse::<OrderId>(),
        Err(MalformedId {
            input: "not-a-uuid".into()
        })
    );
    assert!("".parse::<OrderId>().is_err());
}

#[test]
fn an_orders_payment_id_is_always_the_same_and_unique_to_the_order() {
    let a = OrderId::new(Uuid::from_u128(1));
    let b = OrderId::new(Uuid::from_u128(2));
    assert_eq!(PaymentId::for_order(a), PaymentId::for_order(a));
    assert_ne!(PaymentId::for_order(a), PaymentId::for_order(b));
    assert_ne!(PaymentId::for_order(a).as_uuid(), a.as_uuid());
}

#[test]
fn timestamps_print_as_javascript_iso_strings() {
    let at = |ms| Timestamp::from_millis(ms).to_rfc3339();
    assert_eq!(NOW.to_rfc3339(), "2026-12-05T07:00:00.000Z");
    assert_eq!(at(0), "1970-01-01T00:00:00.000Z");
    assert_eq!(at(951_868_799_999), "2000-02-29T23:59:59.999Z");
    assert_eq!(at(4_107_542_400_000), "2100-03-01T00:00:00.000Z");
    assert_eq!(at(1_735_689_599_000), "2024-12-31T23:59:59.000Z");
    assert_eq!(at(253_402_300_799_999), "9999-12-31T23:59:59.999Z");
}

#[test]
fn an_order_window_is_counted_in_seconds_from_now() {
    assert_eq!(
        NOW.plus_seconds(15 * 60).to_rfc3339(),
        "2026-12-05T07:15:00.000Z"
    );
    assert!(NOW < NOW.plus_seconds(1));
    assert_eq!(NOW.millis_until(NOW.plus_seconds(2)), 2000);
    assert_eq!(
        Timestamp::from_millis(u64::MAX).plus_seconds(1).as_millis(),
        u64::MAX
    );
}

proptest! {
    #[test]
    fn iso_strings_sort_like_the_timestamps(a in 0u64..253_402_300_800_000, b in 0u64..253_402_300_800_000) {
        let (ta, tb) = (Timestamp::from_millis(a), Timestamp::from_millis(b));
        prop_assert_eq!(ta.cmp(&tb), ta.to_rfc3339().cmp(&tb.to_rfc3339()));
    }
}

#[test]
fn an_email_is_trimmed_and_lowercased() {
    let email = Email::parse("  Jane.Doe+tix@Example.COM ").unwrap();
    assert_eq!(email.as_str(), "jane.doe+tix@example.com");
}

#[test]
fn an_email_must_be_valid() {
    for bad in [
        "",
        "jane",
        "jane@",
        "@example.com",
        "jane@example",
        "jane@@example.com",
        "ja ne@example.com",
        "jane@exa mple.com",
        "jane@.com",
        "jane@example.",
        "jane@ex..com",
        "a@b@example.com",
        ".jane@example.com",
        "jane@-example.com",
    ] {
        assert_eq!(Email::parse(bad), Err(InvalidEmail), "{bad:?}");
    }
    assert_eq!(InvalidEmail.to_string(), "Email must be valid");
}

#[test]
fn a_password_has_between_4_and_20_characters_after_trimming() {
    assert_eq!(validate_password("abcd"), Ok("abcd"));
    assert_eq!(validate_password("  abcd  "), Ok("abcd"));
    assert_eq!(
        validate_password(&"x".repeat(20)),
        Ok("x".repeat(20).as_str())
    );
    assert_eq!(validate_password("abc"), Err(InvalidPassword));
    assert_eq!(validate_password("   abc   "), Err(InvalidPassword));
    assert_eq!(validate_password(&"x".repeat(21)), Err(InvalidPassword));
    assert_eq!(
        InvalidPassword.to_string(),
        "Password must be between 4 and 20 characters"
    );
}
