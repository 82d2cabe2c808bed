//! Health and readiness routes, and correlation ids.
#![allow(clippy::unwrap_used)]

mod support;

use gateways::http::{ApiOptions, Readiness, SessionKeys};
use reqwest::StatusCode;
use serde_json::{Value, json};
use support::{client, serve, session_config, spawn_app, test_router};
use uuid::Uuid;

#[tokio::test]
async fn healthz_answers_ok() {
    let (base, _) = spawn_app().await;
    let response = client()
        .get(format!("{base}/healthz"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.json::<Value>().await.unwrap(),
        json!({"status": "ok"})
    );
}

#[tokio::test]
async fn readyz_is_503_listing_what_is_behind_until_every_part_is_ready() {
    let readiness = Readiness::new();
    let projection = readiness.register("tickets projection");
    let bus = readiness.register("bus");
    let keys = SessionKeys::new(&session_config(false)).unwrap();
    let base = serve(test_router(keys, readiness, ApiOptions::default())).await;

    let response = client().get(format!("{base}/readyz")).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(
        response.json::<Value>().await.unwrap(),
        json!({"errors": [
            {"message": "tickets projection is not ready"},
            {"message": "bus is not ready"}
        ]})
    );

    projection.set(true);
    bus.set(true);
    let response = client().get(format!("{base}/readyz")).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.json::<Value>().await.unwrap(),
        json!({"status": "ready"})
    );

    bus.set(false);
    let response = client().get(format!("{base}/readyz")).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
}

#[tokio::test]
async fn a_caller_correlation_id_is_seen_by_the_handler_and_echoed() {
    let (base, _) = spawn_app().await;
    let id = Uuid::new_v4();
    let response = client()
        .get(format!("{base}/correlation"))
        .header("x-correlation-id", id.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(
        response.headers()["x-correlation-id"],
        id.to_string().as_str()
    );
    assert_eq!(response.text().await.unwrap(), id.to_string());
}

#[tokio::test]
async fn an_ingress_request_id_is_used_when_there_is_no_correlation_id() {
    let (base, _) = spawn_app().await;
    let id = Uuid::new_v4();
    // ingress-nginx sends 32 hex digits without hyphens.
    let response = client()
        .get(format!("{base}/correlation"))
        .header("x-request-id", id.simple().to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(response.text().await.unwrap(), id.to_string());
}

#[tokio::test]
async fn a_missing_or_non_uuid_correlation_id_is_replaced_by_a_fresh_one() {
    let (base, _) = spawn_app().await;
    let first = client()
        .get(format!("{base}/correlation"))
        .send()
        .await
        .unwrap();
    let echoed = first.headers()["x-correlation-id"]
        .to_str()
        .unwrap()
        .to_owned();
    assert_eq!(first.text().await.unwrap(), echoed);
    let echoed = Uuid::parse_str(&echoed).unwrap();
    assert_eq!(echoed.get_version_num(), 4);

    let second = client()
        .get(format!("{base}/correlation"))
        .header("x-correlation-id", "<script>")
        .send()
        .await
        .unwrap();
    let replaced = second.headers()["x-correlation-id"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(Uuid::parse_str(&replaced).is_ok());
    assert_ne!(Uuid::parse_str(&replaced).unwrap(), echoed);
}

#[tokio::test]
async fn error_responses_carry_the_correlation_id_too() {
    let (base, _) = spawn_app().await;
    let response = client()
        .get(format!("{base}/nowhere"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert!(response.headers().contains_key("x-correlation-id"));
}
