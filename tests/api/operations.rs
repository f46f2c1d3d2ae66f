use std::time::Duration;

use actix_web::http::StatusCode;

use futures_util::future::join_all;

use crate::helpers::TestApp;

#[actix_web::test]
async fn health_and_readiness_answer() {
    let app = TestApp::spawn().await;
    let health = app.get("/healthz").send().await;
    assert_eq!(health.status, StatusCode::OK);
    let ready = app.get("/readyz").send().await;
    assert_eq!(ready.status, StatusCode::OK);
    assert_eq!(ready.json()["database"], "ok");
}

#[actix_web::test]
async fn metrics_count_requests_by_route_and_status_and_show_the_pool() {
    let app = TestApp::spawn().await;
    app.get("/healthz").send().await;
    app.get("/api/v1/users").send().await;
    app.get("/api/v1/users/some-id").send().await;
    let metrics = app.get("/metrics").send().await;
    assert_eq!(metrics.status, StatusCode::OK);
    assert!(
        metrics
            .header("content-type")
            .is_some_and(|t| t.starts_with("text/plain"))
    );
    let text = metrics.text();
    for expected in [
        r#"masthead_http_requests_total{method="GET",route="/healthz",status="200"} 1"#,
        r#"masthead_http_requests_total{method="GET",route="/api/v1/users",status="401"} 1"#,
        // Routes are labelled by pattern, not by the ids in the path.
        r#"masthead_http_requests_total{method="GET",route="/api/v1/users/{id}",status="401"} 1"#,
        r#"masthead_http_request_duration_seconds_bucket{method="GET",route="/healthz",status="200",le="+Inf"} 1"#,
        "masthead_db_pool_connections ",
        "masthead_db_pool_idle_connections ",
    ] {
        assert!(text.contains(expected), "missing {expected} in\n{text}");
    }
}

#[actix_web::test]
async fn the_database_going_away_gives_503_and_recovery_follows() {
    let app = TestApp::spawn_with(|config| config.db_timeout = Duration::from_secs(1)).await;
    let admin = app.admin().await;
    assert_eq!(app.get("/readyz").send().await.status, StatusCode::OK);

    app.db.go_away();
    for path in ["/readyz", "/api/v1/auth/me", "/api/v1/users"] {
        let response = app.get(path).as_user(&admin).send().await;
        response.problem(503);
        assert_eq!(response.header("retry-after"), Some("5"), "{path}");
    }
    assert_eq!(
        app.get("/healthz").send().await.status,
        StatusCode::OK,
        "liveness stays up"
    );

    app.db.come_back();
    let mut recovered = false;
    for _ in 0..20 {
        if app.get("/readyz").send().await.status == StatusCode::OK {
            recovered = true;
            break;
        }
        tokio_sleep(Duration::from_millis(250)).await;
    }
    assert!(
        recovered,
        "the service did not recover once the database was back"
    );
    let me = app.get("/api/v1/auth/me").as_user(&admin).send().await;
    assert_eq!(me.status, StatusCode::OK);
}

async fn tokio_sleep(duration: Duration) {
    actix_web::rt::time::sleep(duration).await;
}

#[actix_web::test]
async fn the_api_reference_is_served_without_internet() {
    let app = TestApp::spawn().await;
    let docs = app.get("/docs/").send().await;
    assert_eq!(docs.status, StatusCode::OK);
    assert!(docs.text().contains("swagger-ui"));
    // The page's script is served by us, not a CDN.
    assert!(!docs.text().contains("https://"), "{}", docs.text());
    let script = app.get("/docs/swagger-ui-bundle.js").send().await;
    assert_eq!(script.status, StatusCode::OK);
    assert!(script.body.len() > 100_000);
    let redirect = app.get("/docs").send().await;
    assert_eq!(redirect.status, StatusCode::PERMANENT_REDIRECT);
}

#[actix_web::test]
async fn requests_beyond_the_connections_wait_their_turn_and_a_long_wait_is_503() {
    let app = TestApp::spawn_with(|config| {
        config.db_pool_size = 1;
        config.db_timeout = Duration::from_secs(1);
    })
    .await;
    let admin = app.admin().await;

    // Forty callers at once on one connection: each waits for its turn, none is refused.
    let answers =
        join_all((0..40).map(|_| app.get("/api/v1/auth/me").as_user(&admin).send())).await;
    for answer in &answers {
        assert_eq!(answer.status, StatusCode::OK);
    }

    // The one connection held well past the time-out: a caller gets 503 with Retry-After
    // rather than an endless wait, and is answered again once it is free.
    let pool = app.state().pool.clone();
    let holder = masthead::db::run(&pool, |_| {
        std::thread::sleep(Duration::from_secs(3));
        Ok(())
    });
    let waiting = async {
        tokio_sleep(Duration::from_millis(200)).await;
        app.get("/api/v1/auth/me").as_user(&admin).send().await
    };
    let (held, refused) = futures_util::join!(holder, waiting);
    held.expect("the holder ran");
    refused.problem(503);
    assert_eq!(refused.header("retry-after"), Some("5"));
    let again = app.get("/api/v1/auth/me").as_user(&admin).send().await;
    assert_eq!(again.status, StatusCode::OK);
}
