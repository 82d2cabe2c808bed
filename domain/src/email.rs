//! Sign-up values: a normalised email address and the password length rule.

use std::fmt;

use serde::{Deserialize, Serialize};

/// An email address, trimmed and lowercased, so that `A@x.io ` and `a@x.io` are one user
/// (the `useremail-{email}` stream name depends on it).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Email(String);

/// The email failed validation: answer 400 on the `email` field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("Email must be valid")]
pub struct InvalidEmail;

/// The password failed the length rule: answer 400 on the `password` field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("Password must be between 4 and 20 characters")]
pub struct InvalidPassword;

/// Longest address SMTP can carry (RFC 5321 path limit minus the brackets).
const MAX_EMAIL_LEN: usize = 254;

impl Email {
    /// Trims, lowercases and checks the address: exactly one `@`, a non-empty local part,
    /// a domain of dot-separated labels (at least two) made of letters, digits and `-`,
    /// no whitespace or control characters anywhere.
    pub fn parse(input: &str) -> Result<Self, InvalidEmail> {
        let email = input.trim().to_lowercase();
        let (local, domain) = email.split_once('@').ok_or(InvalidEmail)?;
        let local_ok = !local.is_empty()
            && local.len() <= 64
            && !local.starts_with('.')
            && !local.ends_with('.')
            && !local.contains("..")
            && local
                .chars()
                .all(|c| !c.is_whitespace() && !c.is_control() && !FORBIDDEN_IN_LOCAL.contains(&c));
        let labels: Vec<&str> = domain.split('.').collect();
        let domain_ok = labels.len() >= 2
            && labels.iter().all(|label| {
                !label.is_empty()
                    && label.len() <= 63
                    && !label.starts_with('-')
                    && !label.ends_with('-')
                    && label.chars().all(|c| c.is_alphanumeric() || c == '-')
            });
        if local_ok && domain_ok && email.len() <= MAX_EMAIL_LEN {
            Ok(Self(email))
        } else {
            Err(InvalidEmail)
        }
    }

    /// The normalised address.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Characters that would need quoting in a local part (and `@`, which splits it).
const FORBIDDEN_IN_LOCAL: &[char] = &['@', '"', '(', ')', ',', ':', ';', '<', '>', '[', ']', '\\'];

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The sign-up password rule: 4 to 20 characters after trimming.
///
/// Returns the trimmed password, which is what gets hashed (the original trimmed it
/// before hashing, so sign-in must trim the same way).
pub fn validate_password(password: &str) -> Result<&str, InvalidPassword> {
    let trimmed = password.trim();
    if (4..=20).contains(&trimmed.chars().count()) {
        Ok(trimmed)
    } else {
        Err(InvalidPassword)
    }
}
