//! Money as integer cents. Never `f64` in the model: decimals are parsed from their text.

use std::fmt;

use serde::{Deserialize, Serialize};

/// An amount of money in cents (USD is the only currency of the product).
///
/// Serialized in events as integer cents; HTTP views use [`Money::to_json_number`].
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Money(u64);

/// Why a price could not be read. Callers at the HTTP edge answer 400 on the price field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    /// Nothing was given; ask for an amount.
    #[error("Price must be a number")]
    Empty,
    /// The text is not a decimal number; ask for one like `19.99`.
    #[error("Price must be a number")]
    NotANumber,
    /// A minus sign: amounts are never negative.
    #[error("Price must be greater than 0")]
    Negative,
    /// Fractions of a cent cannot be charged.
    #[error("Price must have at most two decimals")]
    TooManyDecimals,
    /// More than integer cents can hold.
    #[error("Price is too large")]
    TooLarge,
}

impl Money {
    /// The largest amount, in cents.
    pub const MAX: Money = Money(u64::MAX);

    /// An amount of `cents` cents.
    pub const fn from_cents(cents: u64) -> Self {
        Self(cents)
    }

    /// The amount in cents (what payment providers charge).
    pub const fn cents(self) -> u64 {
        self.0
    }

    /// Whether the amount is zero.
    pub const fn is_zero(self) -> bool {
        self.0 == 0
    }

    /// Reads a decimal amount: `"20"`, `"19.99"`, `"25.00"`, `"0.5"`.
    ///
    /// Surrounding whitespace is ignored (form fields). Rejected: signs, exponents, a
    /// missing integer or fraction part (`".5"`, `"5."`), more than two decimals, and
    /// amounts beyond `u64` cents.
    pub fn parse_decimal(text: &str) -> Result<Self, MoneyError> {
        let text = text.trim();
        if text.is_empty() {
            return Err(MoneyError::Empty);
        }
        if text.starts_with('-') {
            return Err(MoneyError::Negative);
        }
        let (int, frac) = match text.split_once('.') {
            Some((int, frac)) => (int, frac),
            None => (text, ""),
        };
        if !all_digits(int) || (text.contains('.') && !all_digits(frac)) {
            return Err(MoneyError::NotANumber);
        }
        scaled_cents(int, frac, 0)
    }

    /// Reads a price from JSON: a number (`20`, `19.99`) or a decimal string (`"25.00"`).
    ///
    /// Numbers are read from their textual form (serde_json prints the shortest text that
    /// round-trips), never through float arithmetic; that text may use an exponent
    /// (`1e3`). Without serde_json's `arbitrary_precision` a number with more than ~15
    /// significant digits was already rounded by the JSON parser before it reaches us.
    pub fn from_json(value: &serde_json::Value) -> Result<Self, MoneyError> {
        match value {
            serde_json::Value::Number(n) => Self::parse_json_number(&n.to_string()),
            serde_json::Value::String(s) => Self::parse_decimal(s),
            serde_json::Value::Null => Err(MoneyError::Empty),
            _ => Err(MoneyError::NotANumber),
        }
    }

    /// A JSON number that prints as the decimal amount: `20` for 20.00, `19.99`.
    ///
    /// Exact for amounts below 10^13 dollars; above that, without serde_json's
    /// `arbitrary_precision`, the fractional part is the nearest `f64`.
    pub fn to_json_number(self) -> serde_json::Number {
        let (whole, frac) = (self.0 / 100, self.0 % 100);
        if frac == 0 {
            return serde_json::Number::from(whole);
        }
        // Parsing the text keeps the amount exact when arbitrary_precision is on.
        serde_json::from_str::<serde_json::Number>(&self.to_string())
            .ok()
            .or_else(|| serde_json::Number::from_f64(self.0 as f64 / 100.0))
            .unwrap_or_else(|| serde_json::Number::from(whole))
    }

    /// The sum, or `None` beyond `u64` cents.
    pub fn checked_add(self, other: Money) -> Option<Money> {
        self.0.checked_add(other.0).map(Money)
    }

    /// Parses serde_json's text of a number: `-`? digits (`.` digits)? (`e` sign? digits)?
    fn parse_json_number(text: &str) -> Result<Self, MoneyError> {
        if text.starts_with('-') {
            return Err(MoneyError::Negative);
        }
        let (mantissa, exponent) = match text.split_once(['e', 'E']) {
            Some((m, e)) => {
                let e = e.strip_prefix('+').unwrap_or(e);
                let (negative, digits) = match e.strip_prefix('-') {
                    Some(d) => (true, d),
                    None => (false, e),
                };
                if !all_digits(digits) {
                    return Err(MoneyError::NotANumber);
                }
                // An exponent this large is either zero-padding or overflow; cap it.
                let magnitude: i64 = digits.parse().unwrap_or(i64::from(u16::MAX)).min(1 << 16);
                (m, if negative { -magnitude } else { magnitude })
            }
            None => (text, 0),
        };
        let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
        if !all_digits(int) || (mantissa.contains('.') && !all_digits(frac)) {
            return Err(MoneyError::NotANumber);
        }
        scaled_cents(int, frac, exponent)
    }
}

fn all_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

/// Cents of the decimal `int.frac × 10^exponent`, exactly.
fn scaled_cents(int: &str, frac: &str, exponent: i64) -> Result<Money, MoneyError> {
    // Written without an exponent, a third decimal is rejected even when it is a zero:
    // "19.990" is not how anyone writes a price, and the rule is about the text.
    if exponent == 0 && frac.len() > 2 {
        return Err(MoneyError::TooManyDecimals);
    }
    let digits: Vec<u8> = int.bytes().chain(frac.bytes()).map(|b| b - b'0').collect();
    // The value is digits × 10^(exponent - frac.len()); cents = value × 100.
    let scale = exponent - frac.len() as i64 + 2;
    let (kept, dropped) = if scale >= 0 {
        (digits.as_slice(), &[][..])
    } else {
        let cut = digits.len().saturating_sub(scale.unsigned_abs() as usize);
        digits.split_at(cut)
    };
    if dropped.iter().any(|&d| d != 0) {
        return Err(MoneyError::TooManyDecimals);
    }
    let mut cents: u64 = 0;
    for &d in kept {
        cents = cents
            .checked_mul(10)
            .and_then(|c| c.checked_add(u64::from(d)))
            .ok_or(MoneyError::TooLarge)?;
    }
    for _ in 0..scale.max(0) {
        if cents == 0 {
            break;
        }
        cents = cents.checked_mul(10).ok_or(MoneyError::TooLarge)?;
    }
    Ok(Money(cents))
}

impl fmt::Display for Money {
    /// `19.99`, `20.00`: always two decimals, as shown to buyers.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{:02}", self.0 / 100, self.0 % 100)
    }
}
