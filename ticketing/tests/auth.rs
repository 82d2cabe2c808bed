//! `/api/users` over real HTTP: the original app's cases, plus email uniqueness under a
//! race and session expiry.
#![allow(clippy::unwrap_used)]

mod support;

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use gateways::http::SessionKeys;
use reqwest::header::{COOKIE, SET_COOKIE};
use serde_json::{Value, json};
use support::{TestApp, first_error};

async fn sign_up_raw(app: &TestApp, client: &reqwest::Client, body: Value) -> reqwest::Response {
    client
        .post(app.url("/api/users/signup"))
        .json(&body)
        .send()
        .await
        .unwrap()
}

fn session_cookie(response: &reqwest::Response) -> Option<String> {
    response
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("session="))
        .map(str::to_owned)
}

#[tokio::test]
async fn a_valid_signup_answers_201_with_the_user_and_sets_a_session_cookie() {
    let app = TestApp::spawn().await;
    let client = app.client();
    let response = sign_up_raw(
        &app,
        &client,
        json!({"email": "test@test.com", "password": "password"}),
    )
    .await;
    assert_eq!(response.status(), 201);
    let cookie = session_cookie(&response).expect("a session cookie");
    assert!(cookie.len() > "session=".len() + 10, "{cookie}");
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["email"], "test@test.com");
    assert!(uuid::Uuid::parse_str(body["id"].as_str().unwrap()).is_ok());
    app.stop().await;
}

#[tokio::test]
async fn signup_validates_email_and_password_and_lists_both_when_both_are_wrong() {
    let app = TestApp::spawn().await;
    let client = app.client();
    let signup = "/api/users/signup";

    let (status, body) = app
        .post(
            &client,
            signup,
            json!({"email": "not-an-email", "password": "password"}),
        )
        .await;
    assert_eq!(status, 400);
    assert_eq!(
        body["errors"],
        json!([{"message": "Email must be valid", "field": "email"}])
    );

    for password in ["p", "   abc   ", "123456789012345678901"] {
        let (status, body) = app
            .post(
                &client,
                signup,
                json!({"email": "a@test.com", "password": password}),
            )
            .await;
        assert_eq!(status, 400, "password {password:?}");
        assert_eq!(
            body["errors"],
            json!([{"message": "Password must be between 4 and 20 characters", "field": "password"}])
        );
    }

    let (status, body) = app.post(&client, signup, json!({})).await;
    assert_eq!(status, 400);
    let fields: Vec<&str> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, vec!["email", "password"]);

    let (status, _) = app
        .post(&client, signup, json!({"email": "a@test.com"}))
        .await;
    assert_eq!(status, 400);
    let (status, _) = app
        .post(&client, signup, json!({"password": "password"}))
        .await;
    assert_eq!(status, 400);
    app.stop().await;
}

#[tokio::test]
async fn a_second_signup_with_the_same_email_in_any_case_is_refused_with_email_in_use() {
    let app = TestApp::spawn().await;
    let client = app.client();
    let signup = "/api/users/signup";
    let (status, _) = app
        .post(
            &client,
            signup,
            json!({"email": "test@test.com", "password": "password"}),
        )
        .await;
    assert_eq!(status, 201);
    for email in ["test@test.com", "  TEST@Test.com "] {
        let (status, body) = app
            .post(
                &client,
                signup,
                json!({"email": email, "password": "other-password"}),
            )
            .await;
        assert_eq!(status, 400, "{email}");
        assert_eq!(first_error(&body), "Email in use");
    }
    app.stop().await;
}

#[tokio::test]
async fn of_twenty_concurrent_signups_with_one_email_exactly_one_succeeds() {
    let app = TestApp::spawn().await;
    let attempts = (0..20).map(|i| {
        let client = app.client();
        let app = &app;
        async move {
            let body = json!({"email": "race@test.com", "password": format!("password{i}")});
            app.post(&client, "/api/users/signup", body).await
        }
    });
    let answers = futures::future::join_all(attempts).await;
    let created = answers.iter().filter(|(status, _)| *status == 201).count();
    assert_eq!(created, 1, "{answers:?}");
    for (status, body) in answers.iter().filter(|(status, _)| *status != 201) {
        assert_eq!(*status, 400, "{body}");
        assert_eq!(first_error(body), "Email in use");
    }
    // The winner's password is the one that signs in.
    let winner = answers.iter().find(|(status, _)| *status == 201).unwrap();
    let client = app.client();
    let mut signed_in = 0;
    for i in 0..20 {
        let body = json!({"email": "race@test.com", "password": format!("password{i}")});
        let (status, user) = app.post(&client, "/api/users/signin", body).await;
        if status == 200 {
            signed_in += 1;
            assert_eq!(user["id"], winner.1["id"]);
        }
    }
    assert_eq!(signed_in, 1);
    app.stop().await;
}

#[tokio::test]
async fn signin_refuses_unknown_emails_and_wrong_passwords_with_the_same_message() {
    let app = TestApp::spawn().await;
    let client = app.client();
    let signin = "/api/users/signin";
    let (status, body) = app
        .post(
            &client,
            signin,
            json!({"email": "nobody@test.com", "password": "password"}),
        )
        .await;
    assert_eq!(status, 400);
    assert_eq!(first_error(&body), "Invalid credentials");

    app.signed_up("test@test.com").await;
    let (status, body) = app
        .post(
            &client,
            signin,
            json!({"email": "test@test.com", "password": "wrong"}),
        )
        .await;
    assert_eq!(status, 400);
    assert_eq!(first_error(&body), "Invalid credentials");
    assert!(body["errors"][0].get("field").is_none());
    app.stop().await;
}

#[tokio::test]
async fn signin_requires_a_valid_email_and_a_password() {
    let app = TestApp::spawn().await;
    let client = app.client();
    let (status, body) = app
        .post(
            &client,
            "/api/users/signin",
            json!({"email": "bad", "password": "  "}),
        )
        .await;
    assert_eq!(status, 400);
    assert_eq!(
        body["errors"],
        json!([
            {"message": "Email must be valid", "field": "email"},
            {"message": "You must supply a password", "field": "password"}
        ])
    );
    app.stop().await;
}

#[tokio::test]
async fn signin_with_the_right_password_answers_200_and_sets_a_cookie() {
    let app = TestApp::spawn().await;
    app.signed_up("test@test.com").await;
    let client = app.client();
    let response = client
        .post(app.url("/api/users/signin"))
        .json(&json!({"email": " Test@test.com", "password": " password "}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert!(session_cookie(&response).is_some());
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["email"], "test@test.com");
    let (_, current) = app.get(&client, "/api/users/currentuser").await;
    assert_eq!(current["currentUser"]["id"], body["id"]);
    app.stop().await;
}

#[tokio::test]
async fn signout_clears_the_cookie_and_the_user_is_signed_out() {
    let app = TestApp::spawn().await;
    let client = app.signed_up("test@test.com").await;
    let response = client
        .post(app.url("/api/users/signout"))
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let cleared = session_cookie(&response).unwrap();
    assert!(cleared.starts_with("session=;"), "{cleared}");
    assert!(cleared.contains("Max-Age=0"), "{cleared}");
    assert_eq!(response.json::<Value>().await.unwrap(), json!({}));
    let (status, body) = app.get(&client, "/api/users/currentuser").await;
    assert_eq!(status, 200);
    assert_eq!(body, json!({"currentUser": null}));
    app.stop().await;
}

#[tokio::test]
async fn currentuser_shows_the_signed_in_user_and_null_without_a_session() {
    let app = TestApp::spawn().await;
    let (status, body) = app.get(&app.client(), "/api/users/currentuser").await;
    assert_eq!(status, 200);
    assert_eq!(body, json!({"currentUser": null}));

    let client = app.signed_up("test@test.com").await;
    let (status, body) = app.get(&client, "/api/users/currentuser").await;
    assert_eq!(status, 200);
    let user = &body["currentUser"];
    assert_eq!(user["email"], "test@test.com");
    assert!(user["id"].is_string());
    assert!(user["exp"].as_i64().unwrap() > user["iat"].as_i64().unwrap());
    app.stop().await;
}

#[tokio::test]
async fn an_expired_session_means_nobody_is_signed_in() {
    let app = TestApp::spawn().await;
    let config = support::config(&app.data_dir, Duration::from_secs(900));
    let keys = SessionKeys::new(&config.session).unwrap();
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let ttl = config.session.ttl.as_secs() as i64;
    let expired = keys
        .issue_at(uuid::Uuid::new_v4(), "old@test.com", now - ttl - 60)
        .unwrap();
    let fresh = keys
        .issue_at(uuid::Uuid::new_v4(), "new@test.com", now)
        .unwrap();
    let client = reqwest::Client::new();
    let ask = |token: String| {
        client
            .get(app.url("/api/users/currentuser"))
            .header(COOKIE, format!("session={token}"))
            .send()
    };
    let body: Value = ask(expired.token).await.unwrap().json().await.unwrap();
    assert_eq!(body, json!({"currentUser": null}));
    // The same key and path with a live token does sign in: the expiry made the difference.
    let body: Value = ask(fresh.token).await.unwrap().json().await.unwrap();
    assert_eq!(body["currentUser"]["email"], "new@test.com");
    app.stop().await;
}

#[tokio::test]
async fn a_user_signed_up_before_a_restart_can_sign_in_after_it() {
    let temp = tempfile::tempdir().unwrap();
    let window = Duration::from_secs(900);
    let app = TestApp::spawn_in(temp.path(), window).await;
    app.signed_up("keep@test.com").await;
    app.stop().await;
    let app = TestApp::spawn_in(temp.path(), window).await;
    let (status, body) = app
        .post(
            &app.client(),
            "/api/users/signin",
            json!({"email": "keep@test.com", "password": "password"}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = app
        .post(
            &app.client(),
            "/api/users/signup",
            json!({"email": "keep@test.com", "password": "password"}),
        )
        .await;
    assert_eq!(status, 400);
    assert_eq!(first_error(&body), "Email in use");
    app.stop().await;
}
