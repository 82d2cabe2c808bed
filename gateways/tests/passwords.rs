//! Argon2id password hashing at OWASP parameters, off the async threads.
#![allow(clippy::unwrap_used)]

use gateways::http::{PasswordError, hash_password, verify_password};

#[tokio::test]
async fn a_hashed_password_verifies_and_a_wrong_one_does_not() {
    let hash = hash_password("correct horse".to_owned()).await.unwrap();
    assert!(
        verify_password("correct horse".to_owned(), hash.clone())
            .await
            .unwrap()
    );
    assert!(
        !verify_password("correct horsf".to_owned(), hash.clone())
            .await
            .unwrap()
    );
    assert!(!verify_password(String::new(), hash).await.unwrap());
}

#[tokio::test]
async fn hashes_are_argon2id_phc_strings_at_owasp_parameters_with_fresh_salts() {
    let first = hash_password("pw".to_owned()).await.unwrap();
    let second = hash_password("pw".to_owned()).await.unwrap();
    assert!(
        first.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
        "{first}"
    );
    assert_ne!(first, second, "each hash must get its own salt");
    assert!(!first.contains("pw$"));
}

#[tokio::test]
async fn an_unreadable_stored_hash_is_an_error_not_a_mismatch() {
    let result = verify_password("pw".to_owned(), "plaintext-from-the-old-app".to_owned()).await;
    assert!(
        matches!(result, Err(PasswordError::StoredHash(_))),
        "{result:?}"
    );
}
