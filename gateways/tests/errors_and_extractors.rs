//! The error body, the JSON and path extractors, body limits and fallbacks, over real HTTP.
#![allow(clippy::unwrap_used)]

mod support;

use gateways::http::{ApiOptions, SessionKeys};
use reqwest::StatusCode;
use serde_json::{Value, json};
use support::{client, raw_chunked_post, serve, session_config, spawn_app, test_router};

async fn json_body(response: reqwest::Response) -> Value {
    response.json().await.unwrap()
}

fn single_message(body: &Value) -> &str {
    assert_eq!(body["errors"].as_array().unwrap().len(), 1, "{body}");
    assert!(body["errors"][0].get("field").is_none(), "{body}");
    body["errors"][0]["message"].as_str().unwrap()
}

#[tokio::test]
async fn a_well_formed_body_reaches_the_handler() {
    let (base, _) = spawn_app().await;
    let response = client()
        .post(format!("{base}/echo"))
        .json(&json!({"email": "a@b.c", "count": 3}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    assert_eq!(
        json_body(response).await,
        json!({"email": "a@b.c", "count": 3})
    );
}

#[tokio::test]
async fn malformed_json_is_a_400_with_the_error_body() {
    let (base, _) = spawn_app().await;
    let response = client()
        .post(format!("{base}/echo"))
        .header("content-type", "application/json")
        .body("{\"email\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let body = json_body(response).await;
    assert!(
        single_message(&body).starts_with("Request body is not valid JSON"),
        "{body}"
    );
}

#[tokio::test]
async fn json_of_the_wrong_shape_is_a_400_naming_the_problem() {
    let (base, _) = spawn_app().await;
    let response = client()
        .post(format!("{base}/echo"))
        .json(&json!({"email": "a@b.c"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let body = json_body(response).await;
    assert!(
        single_message(&body).contains("missing field `count`"),
        "{body}"
    );
}

#[tokio::test]
async fn a_body_that_is_not_declared_json_is_a_415() {
    let (base, _) = spawn_app().await;
    for content_type in [
        None,
        Some("text/plain"),
        Some("application/x-www-form-urlencoded"),
    ] {
        let mut request = client()
            .post(format!("{base}/echo"))
            .body("{\"email\":\"a@b.c\",\"count\":1}");
        if let Some(ct) = content_type {
            request = request.header("content-type", ct);
        }
        let response = request.send().await.unwrap();
        assert_eq!(
            response.status(),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "{content_type:?}"
        );
        let body = json_body(response).await;
        assert!(single_message(&body).contains("application/json"), "{body}");
    }
}

#[tokio::test]
async fn a_json_object_extractor_refuses_non_objects() {
    let (base, _) = spawn_app().await;
    let ok = client()
        .post(format!("{base}/object"))
        .json(&json!({"email": "a@b.c", "password": 5}))
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), StatusCode::OK);
    assert_eq!(json_body(ok).await["email"], "a@b.c");
    let array = client()
        .post(format!("{base}/object"))
        .json(&json!(["email"]))
        .send()
        .await
        .unwrap();
    assert_eq!(array.status(), StatusCode::BAD_REQUEST);
    let body = json_body(array).await;
    assert_eq!(single_message(&body), "Request body must be a JSON object");
}

#[tokio::test]
async fn a_body_over_the_limit_with_content_length_is_a_413_with_the_error_body() {
    let (base, _) = spawn_app().await;
    let padding = "x".repeat(4096);
    let response = client()
        .post(format!("{base}/echo"))
        .json(&json!({"email": padding, "count": 1}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let body = json_body(response).await;
    assert_eq!(single_message(&body), "Request body is too large");
}

#[tokio::test]
async fn a_chunked_body_over_the_limit_is_a_413_with_the_error_body() {
    let (base, _) = spawn_app().await;
    let chunks: Vec<Vec<u8>> = std::iter::once(b"{\"email\":\"".to_vec())
        .chain((0..8).map(|_| vec![b'x'; 512]))
        .chain(std::iter::once(b"\",\"count\":1}".to_vec()))
        .collect();
    let response = raw_chunked_post(&base, "/echo", "application/json", &chunks).await;
    assert_eq!(response.status, 413, "{}", response.headers);
    let body: Value = serde_json::from_str(&response.body).unwrap();
    assert_eq!(single_message(&body), "Request body is too large");
}

#[tokio::test]
async fn a_chunked_body_under_the_limit_is_accepted() {
    let (base, _) = spawn_app().await;
    let chunks = vec![b"{\"email\":\"a@b.c\",".to_vec(), b"\"count\":2}".to_vec()];
    let response = raw_chunked_post(&base, "/echo", "application/json", &chunks).await;
    assert_eq!(response.status, 201, "{}", response.body);
}

#[tokio::test]
async fn framework_rejections_get_the_error_body_too() {
    let (base, _) = spawn_app().await;
    // axum's own `String` extractor, cut off by the body limit while reading a chunked body.
    let chunks: Vec<Vec<u8>> = (0..4).map(|_| vec![b'x'; 512]).collect();
    let response = raw_chunked_post(&base, "/plain", "text/plain", &chunks).await;
    assert_eq!(response.status, 413);
    let body: Value = serde_json::from_str(&response.body).unwrap();
    assert_eq!(single_message(&body), "Request body is too large");
    // axum's own `Query` extractor: its text message is kept, in the JSON body.
    let response = client()
        .get(format!("{base}/paged?page=x"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let body = json_body(response).await;
    assert!(single_message(&body).contains("query string"), "{body}");
}

#[tokio::test]
async fn the_default_limit_refuses_a_hundred_kilobytes() {
    let keys = SessionKeys::new(&session_config(false)).unwrap();
    let base = serve(test_router(keys, Vec::<String>::new, ApiOptions::default())).await;
    let padding = "x".repeat(100 * 1024);
    let response = client()
        .post(format!("{base}/echo"))
        .json(&json!({"email": padding, "count": 1}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let small = client()
        .post(format!("{base}/echo"))
        .json(&json!({"email": "x".repeat(10 * 1024), "count": 1}))
        .send()
        .await
        .unwrap();
    assert_eq!(small.status(), StatusCode::CREATED);
}

#[tokio::test]
async fn an_unknown_route_is_a_404_with_the_error_body() {
    let (base, _) = spawn_app().await;
    let response = client()
        .get(format!("{base}/api/nope"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        json_body(response).await,
        json!({"errors": [{"message": "Not Found"}]})
    );
}

#[tokio::test]
async fn a_known_route_with_another_method_is_a_405_with_the_error_body() {
    let (base, _) = spawn_app().await;
    let response = client()
        .delete(format!("{base}/echo"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED);
    let body = json_body(response).await;
    assert_eq!(single_message(&body), "Method not allowed");
}

#[tokio::test]
async fn a_malformed_id_is_a_404_like_an_unknown_one() {
    let (base, _) = spawn_app().await;
    let response = client()
        .get(format!("{base}/items/not-a-uuid"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        json_body(response).await,
        json!({"errors": [{"message": "Not Found"}]})
    );
    let id = uuid::Uuid::new_v4();
    let response = client()
        .get(format!("{base}/items/{id}"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(json_body(response).await, json!({"id": id}));
}

#[tokio::test]
async fn a_fault_is_a_500_that_does_not_reveal_its_cause() {
    let (base, _) = spawn_app().await;
    let response = client().get(format!("{base}/fault")).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
    let text = response.text().await.unwrap();
    assert!(!text.contains("hunter2"), "{text}");
    assert_eq!(
        serde_json::from_str::<Value>(&text).unwrap(),
        json!({"errors": [{"message": "Internal server error"}]})
    );
}
