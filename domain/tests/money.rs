#![allow(clippy::unwrap_used)]
//! Prices: integer cents in, decimals out, never through floating-point arithmetic.

use domain::{Money, MoneyError};
use proptest::prelude::*;
use serde_json::{Value, json};

fn parse(text: &str) -> Result<u64, MoneyError> {
    Money::parse_decimal(text).map(Money::cents)
}

fn from_json(value: Value) -> Result<u64, MoneyError> {
    Money::from_json(&value).map(Money::cents)
}

#[test]
fn a_decimal_price_is_read_as_whole_cents() {
    assert_eq!(parse("20"), Ok(2000));
    assert_eq!(parse("19.99"), Ok(1999));
    assert_eq!(parse("25.00"), Ok(2500));
    assert_eq!(parse("0.5"), Ok(50));
    assert_eq!(parse("0"), Ok(0));
    assert_eq!(parse(" 7.1 "), Ok(710));
}

#[test]
fn price_with_more_than_two_decimals_is_rejected() {
    assert_eq!(parse("19.999"), Err(MoneyError::TooManyDecimals));
    assert_eq!(parse("1.000"), Err(MoneyError::TooManyDecimals));
    assert_eq!(from_json(json!(19.999)), Err(MoneyError::TooManyDecimals));
    assert_eq!(from_json(json!("0.001")), Err(MoneyError::TooManyDecimals));
    assert_eq!(from_json(json!(1.5e-7)), Err(MoneyError::TooManyDecimals));
}

#[test]
fn a_negative_price_is_rejected() {
    assert_eq!(parse("-1"), Err(MoneyError::Negative));
    assert_eq!(from_json(json!(-5)), Err(MoneyError::Negative));
    assert_eq!(from_json(json!(-0.5)), Err(MoneyError::Negative));
}

#[test]
fn text_that_is_not_a_decimal_is_rejected() {
    for garbage in [
        "abc", "1.2.3", ".5", "5.", "+1", "1e3", "1,50", "0x10", "½", "1 000",
    ] {
        assert_eq!(parse(garbage), Err(MoneyError::NotANumber), "{garbage:?}");
    }
    assert_eq!(parse("   "), Err(MoneyError::Empty));
    assert_eq!(from_json(json!(null)), Err(MoneyError::Empty));
    assert_eq!(from_json(json!(true)), Err(MoneyError::NotANumber));
    assert_eq!(from_json(json!({"amount": 1})), Err(MoneyError::NotANumber));
}

#[test]
fn a_price_beyond_integer_cents_is_rejected() {
    assert_eq!(parse("184467440737095516.15"), Ok(u64::MAX));
    assert_eq!(parse("184467440737095516.16"), Err(MoneyError::TooLarge));
    assert_eq!(parse("99999999999999999999999"), Err(MoneyError::TooLarge));
    assert_eq!(from_json(json!(1e300)), Err(MoneyError::TooLarge));
    assert_eq!(from_json(json!(u64::MAX)), Err(MoneyError::TooLarge));
}

#[test]
fn a_json_price_may_be_a_number_or_a_decimal_string() {
    assert_eq!(from_json(json!(20)), Ok(2000));
    assert_eq!(from_json(json!(19.99)), Ok(1999));
    assert_eq!(from_json(json!(0.1)), Ok(10));
    assert_eq!(from_json(json!(20.0)), Ok(2000));
    assert_eq!(from_json(json!(1e3)), Ok(100_000));
    assert_eq!(from_json(json!("25.00")), Ok(2500));
    let parsed: Value = serde_json::from_str(r#"{"price": 19.99}"#).unwrap();
    assert_eq!(from_json(parsed["price"].clone()), Ok(1999));
}

#[test]
fn money_is_shown_with_two_decimals() {
    assert_eq!(Money::from_cents(1999).to_string(), "19.99");
    assert_eq!(Money::from_cents(2000).to_string(), "20.00");
    assert_eq!(Money::from_cents(5).to_string(), "0.05");
}

#[test]
fn money_in_http_views_is_a_json_number_showing_the_decimal_value() {
    let shown = |cents| Value::Number(Money::from_cents(cents).to_json_number()).to_string();
    assert_eq!(shown(1999), "19.99");
    assert_eq!(shown(2000), "20");
    assert_eq!(shown(5), "0.05");
    assert_eq!(shown(10), "0.1");
}

#[test]
fn money_in_events_is_integer_cents() {
    assert_eq!(
        serde_json::to_value(Money::from_cents(1999)).unwrap(),
        json!(1999)
    );
    assert_eq!(
        serde_json::from_value::<Money>(json!(2500)).unwrap(),
        Money::from_cents(2500)
    );
}

proptest! {
    #[test]
    fn displayed_money_parses_back_to_the_same_amount(cents in any::<u64>()) {
        let money = Money::from_cents(cents);
        prop_assert_eq!(Money::parse_decimal(&money.to_string()), Ok(money));
    }

    #[test]
    fn a_json_number_view_reads_back_to_the_same_amount(cents in 0u64..1_000_000_000_000_000) {
        let money = Money::from_cents(cents);
        let text = Value::Number(money.to_json_number()).to_string();
        let reparsed: Value = serde_json::from_str(&text).unwrap();
        prop_assert_eq!(Money::from_json(&reparsed), Ok(money));
    }

    #[test]
    fn a_decimal_string_with_up_to_two_decimals_is_exact(whole in 0u64..10_000_000, frac in 0u64..100) {
        prop_assert_eq!(parse(&format!("{whole}.{frac:02}")), Ok(whole * 100 + frac));
    }
}
