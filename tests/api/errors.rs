//! What actix would answer by itself comes back as problem+json too.

use actix_web::http::{Method, StatusCode};
use serde_json::json;

use crate::helpers::{PASSWORD, TestApp};

#[actix_web::test]
async fn unknown_routes_are_404_problems() {
    let app = TestApp::spawn().await;
    app.get("/api/v1/nothing-here").send().await.problem(404);
    app.get("/wp-login.php").send().await.problem(404);
}

#[actix_web::test]
async fn wrong_methods_are_405_problems_that_name_the_methods_allowed() {
    let app = TestApp::spawn().await;
    let cases = [
        (Method::DELETE, "/api/v1/auth/me", "GET, HEAD, PATCH"),
        (Method::GET, "/api/v1/auth/login", "POST"),
        (Method::PUT, "/api/v1/articles", "GET, HEAD, POST"),
        (
            Method::POST,
            "/api/v1/articles/some-slug",
            "GET, HEAD, PATCH, DELETE",
        ),
        // Not taken for an `{id}`, which is a UUID.
        (Method::POST, "/api/v1/recommendations/order", "PUT"),
        (Method::GET, "/api/v1/recommendations/order", "PUT"),
        (Method::PATCH, "/api/v1/links/applications", "POST"),
        (Method::PATCH, "/api/v1/images/import", "POST"),
        (Method::DELETE, "/api/v1/carousels/home/slides/order", "PUT"),
        (Method::DELETE, "/sitemap-2.xml", "GET, HEAD"),
        (Method::POST, "/healthz", "GET, HEAD"),
        (Method::PUT, "/openapi.json", "GET, HEAD"),
        (Method::POST, "/media/0123/original.jpg", "GET, HEAD"),
    ];
    for (method, path, allowed) in cases {
        let response = app.request(method.clone(), path).send().await;
        response.problem(405);
        assert_eq!(response.header("allow"), Some(allowed), "{method} {path}");
    }
}

#[actix_web::test]
async fn malformed_json_is_400() {
    let app = TestApp::spawn().await;
    let response = app
        .post("/api/v1/auth/login")
        .body("application/json", "{\"email\": ")
        .send()
        .await;
    let problem = response.problem(400);
    assert!(
        problem["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("JSON")
    );
    app.post("/api/v1/auth/login")
        .body("application/json", "[1, 2]")
        .send()
        .await
        .problem(400);
}

#[actix_web::test]
async fn a_body_that_is_not_json_is_415() {
    let app = TestApp::spawn().await;
    app.post("/api/v1/auth/login")
        .body("text/plain", "email=a&password=b")
        .send()
        .await
        .problem(415);
    app.post("/api/v1/auth/login")
        .body("application/x-www-form-urlencoded", "email=a&password=b")
        .send()
        .await
        .problem(415);
}

#[actix_web::test]
async fn a_body_over_the_limit_is_413() {
    let app = TestApp::spawn_with(|c| c.max_body_bytes = 1024).await;
    let big = json!({"email": "a@example.com", "password": "x".repeat(2000)});
    app.post("/api/v1/auth/login")
        .json(&big)
        .send()
        .await
        .problem(413);
}

#[actix_web::test]
async fn unknown_fields_are_all_listed() {
    let app = TestApp::spawn().await;
    let response = app
        .post("/api/v1/auth/login")
        .json(
            &json!({"email": "a@example.com", "password": PASSWORD, "remember": true, "otp": "1"}),
        )
        .send()
        .await;
    assert_eq!(
        response.field_errors(),
        [
            ("otp".into(), "unknown_field".into()),
            ("remember".into(), "unknown_field".into())
        ]
    );
}

#[actix_web::test]
async fn errors_show_no_internals() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    // A unique violation from PostgreSQL, rendered without its SQL or constraint text.
    let response = app
        .post("/api/v1/users")
        .as_user(&admin)
        .json(&json!({"email": "admin@example.com", "password": PASSWORD, "name": "x", "role": "admin"}))
        .send()
        .await;
    let text = response.text();
    response.problem(409);
    for leak in [
        "duplicate key",
        "users_email_key",
        "INSERT",
        "/src/",
        "panicked",
    ] {
        assert!(!text.contains(leak), "{leak} leaked: {text}");
    }
}

#[actix_web::test]
async fn every_response_carries_a_request_id_and_keeps_a_sane_one() {
    let app = TestApp::spawn().await;
    let generated = app.get("/healthz").send().await;
    let id = generated.header("x-request-id").expect("a request id");
    assert!(uuid::Uuid::parse_str(id).is_ok());

    let kept = app
        .get("/healthz")
        .header("x-request-id", "edge-42.abc")
        .send()
        .await;
    assert_eq!(kept.header("x-request-id"), Some("edge-42.abc"));
    let error = app
        .get("/nope")
        .header("x-request-id", "edge-43")
        .send()
        .await;
    assert_eq!(error.header("x-request-id"), Some("edge-43"));

    let replaced = app
        .get("/healthz")
        .header("x-request-id", "bad id with spaces")
        .send()
        .await;
    assert_ne!(replaced.header("x-request-id"), Some("bad id with spaces"));
    assert_eq!(replaced.status, StatusCode::OK);
}

#[actix_web::test]
async fn a_nul_character_in_the_url_is_a_400_not_a_server_error() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    for path in [
        "/api/v1/articles?category=%00",
        "/api/v1/articles?tag=%00",
        "/api/v1/articles?author=%00",
        "/api/v1/articles?locale=%00",
        "/api/v1/articles/%00",
        "/api/v1/articles/%00/related",
        "/api/v1/articles/%00/revisions",
        "/api/v1/tags/%00",
        "/api/v1/categories/%00",
        "/api/v1/authors/a%00b",
        "/api/v1/search?q=%00",
        "/api/v1/audit?action=%00",
    ] {
        let anonymous = app.get(path).send().await;
        let problem = anonymous.problem(400);
        assert!(
            problem["detail"]
                .as_str()
                .is_some_and(|d| d.contains("NUL")),
            "{path}: {problem}"
        );
        app.get(path).as_user(&admin).send().await.problem(400);
    }
    // A percent sign written out is still fine.
    let literal = app.get("/api/v1/articles?q=%2500").send().await;
    assert_eq!(literal.status, StatusCode::OK, "{}", literal.text());
}
