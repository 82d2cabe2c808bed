//! Session cookies and tokens: issued with the right attributes, verified strictly, and a
//! bad token means "not signed in".
#![allow(clippy::unwrap_used)]

mod support;

use std::time::{SystemTime, UNIX_EPOCH};

use gateways::http::{Claims, SessionConfig, SessionKeys};
use reqwest::StatusCode;
use serde_json::{Value, json};
use support::{TEST_KEY, client, session_config, spawn_app};
use uuid::Uuid;

fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

async fn who_am_i(base: &str, token: &str) -> Value {
    let response = client()
        .get(format!("{base}/whoami"))
        .header("cookie", format!("session={token}"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    response.json().await.unwrap()
}

async fn secret_status(base: &str, token: &str) -> StatusCode {
    client()
        .post(format!("{base}/secret"))
        .header("cookie", format!("session={token}"))
        .json(&json!({"email": "a@b.c", "count": 1}))
        .send()
        .await
        .unwrap()
        .status()
}

#[tokio::test]
async fn signing_in_sets_an_http_only_lax_cookie_that_identifies_the_user() {
    let (base, _) = spawn_app().await;
    let response = client()
        .post(format!("{base}/signin"))
        .json(&json!({"email": "ann@example.com"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let cookie = response.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(cookie.starts_with("session="), "{cookie}");
    for attribute in ["HttpOnly", "SameSite=Lax", "Path=/", "Max-Age=600"] {
        assert!(
            cookie.contains(attribute),
            "{attribute} missing in {cookie}"
        );
    }
    assert!(!cookie.contains("Secure"), "{cookie}");
    let signed_in: Value = response.json().await.unwrap();

    let token = cookie["session=".len()..].split(';').next().unwrap();
    let current = who_am_i(&base, token).await["currentUser"].clone();
    assert_eq!(current["id"], signed_in["id"]);
    assert_eq!(current["email"], "ann@example.com");
    let (iat, exp) = (
        current["iat"].as_i64().unwrap(),
        current["exp"].as_i64().unwrap(),
    );
    assert_eq!(exp - iat, 600);
    assert!((iat - now()).abs() < 5);
    assert_eq!(secret_status(&base, token).await, StatusCode::OK);
}

#[test]
fn the_cookie_is_secure_when_configured() {
    let keys = SessionKeys::new(&session_config(true)).unwrap();
    let session = keys.issue(Uuid::new_v4(), "a@b.c").unwrap();
    let cookie = session.set_cookie.to_str().unwrap();
    assert!(cookie.ends_with("; Secure"), "{cookie}");
    assert!(keys.clear_cookie().to_str().unwrap().contains("Secure"));
}

#[tokio::test]
async fn signing_out_clears_the_cookie() {
    let (base, _) = spawn_app().await;
    let response = client()
        .post(format!("{base}/signout"))
        .send()
        .await
        .unwrap();
    let cookie = response.headers()["set-cookie"].to_str().unwrap();
    assert!(cookie.starts_with("session=;"), "{cookie}");
    assert!(cookie.contains("Max-Age=0"), "{cookie}");
}

#[tokio::test]
async fn without_a_cookie_nobody_is_signed_in_and_protected_routes_answer_401() {
    let (base, _) = spawn_app().await;
    let response = client().get(format!("{base}/whoami")).send().await.unwrap();
    assert_eq!(
        response.json::<Value>().await.unwrap(),
        json!({"currentUser": null})
    );
    let response = client()
        .post(format!("{base}/secret"))
        .json(&json!({"email": "a@b.c", "count": 1}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        response.json::<Value>().await.unwrap(),
        json!({"errors": [{"message": "Not authorized"}]})
    );
}

#[tokio::test]
async fn not_being_signed_in_is_reported_before_a_bad_body() {
    let (base, _) = spawn_app().await;
    let response = client()
        .post(format!("{base}/secret"))
        .header("content-type", "application/json")
        .body("{broken")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn an_expired_token_means_not_signed_in() {
    let (base, keys) = spawn_app().await;
    let expired = keys
        .issue_at(Uuid::new_v4(), "old@example.com", now() - 601)
        .unwrap();
    assert!(expired.claims.exp < now());
    assert_eq!(
        who_am_i(&base, &expired.token).await,
        json!({"currentUser": null})
    );
    assert_eq!(
        secret_status(&base, &expired.token).await,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn a_token_signed_with_another_key_means_not_signed_in() {
    let (base, _) = spawn_app().await;
    let other = SessionKeys::new(&SessionConfig {
        jwt_key: format!("{TEST_KEY}-but-different"),
        ..session_config(false)
    })
    .unwrap();
    let forged = other.issue(Uuid::new_v4(), "mallory@example.com").unwrap();
    assert_eq!(
        who_am_i(&base, &forged.token).await,
        json!({"currentUser": null})
    );
    assert_eq!(
        secret_status(&base, &forged.token).await,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn an_unsigned_alg_none_token_means_not_signed_in() {
    let (base, keys) = spawn_app().await;
    let genuine = keys.issue(Uuid::new_v4(), "ann@example.com").unwrap().token;
    let mut parts = genuine.split('.');
    let (_, payload, signature) = (parts.next(), parts.next().unwrap(), parts.next().unwrap());
    // base64url of {"alg":"none","typ":"JWT"}
    let none_header = "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0";
    for token in [
        format!("{none_header}.{payload}."),
        format!("{none_header}.{payload}.{signature}"),
    ] {
        assert_eq!(who_am_i(&base, &token).await, json!({"currentUser": null}));
        assert_eq!(secret_status(&base, &token).await, StatusCode::UNAUTHORIZED);
    }
}

#[tokio::test]
async fn a_token_with_another_hmac_algorithm_and_the_right_key_is_refused() {
    let (base, _) = spawn_app().await;
    let claims = Claims {
        id: Uuid::new_v4(),
        email: "ann@example.com".to_owned(),
        iat: now(),
        exp: now() + 600,
    };
    let token = jsonwebtoken::encode(
        &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS512),
        &claims,
        &jsonwebtoken::EncodingKey::from_secret(TEST_KEY.as_bytes()).unwrap(),
    )
    .unwrap();
    assert_eq!(who_am_i(&base, &token).await, json!({"currentUser": null}));
}

#[tokio::test]
async fn garbage_in_the_cookie_means_not_signed_in() {
    let (base, _) = spawn_app().await;
    for token in ["", "not-a-jwt", "a.b.c", "%%%"] {
        assert_eq!(who_am_i(&base, token).await, json!({"currentUser": null}));
    }
}
