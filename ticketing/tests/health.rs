//! The all-in-one app answers health, readiness and unknown routes.
#![allow(clippy::unwrap_used)]

mod support;

use support::TestApp;

#[tokio::test]
async fn the_app_answers_healthz_readyz_and_404_for_unknown_routes() {
    let app = TestApp::spawn().await;
    let client = app.client();
    assert_eq!(app.get(&client, "/healthz").await.0, 200);
    assert_eq!(app.get(&client, "/readyz").await.0, 200);
    let (status, body) = app.get(&client, "/api/nothing-here").await;
    assert_eq!(status, 404);
    assert_eq!(support::first_error(&body), "Not Found");
    app.stop().await;
}
