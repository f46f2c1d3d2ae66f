//! Browsers on other origins: anonymous reads for everyone, credentials and writes only for
//! the origins in `MASTHEAD_CORS_ORIGINS`.

use actix_web::http::{Method, StatusCode};
use serde_json::json;

use crate::{
    helpers::{TestApp, TestResponse},
    search::published,
};

const FRONTEND: &str = "https://app.example.com";
const ELSEWHERE: &str = "https://elsewhere.example.org";

async fn app_for(origins: &str) -> TestApp {
    TestApp::spawn_with(|config| {
        config.cors_origins = origins.parse().expect("valid origins");
    })
    .await
}

/// The lower-cased names or values of a comma-separated header.
fn listed(response: &TestResponse, name: &str) -> Vec<String> {
    response
        .header(name)
        .unwrap_or_default()
        .split(',')
        .map(|item| item.trim().to_ascii_lowercase())
        .filter(|item| !item.is_empty())
        .collect()
}

#[track_caller]
fn assert_exposes_headers(response: &TestResponse) {
    let exposed = listed(response, "access-control-expose-headers");
    for name in ["etag", "link", "location", "retry-after"] {
        assert!(exposed.iter().any(|e| e == name), "{name}: {exposed:?}");
    }
}

#[track_caller]
fn assert_varies_by_origin(response: &TestResponse) {
    assert!(
        listed(response, "vary").iter().any(|v| v == "origin"),
        "{:?}",
        response.header("vary")
    );
}

#[actix_web::test]
async fn anonymous_reads_are_open_to_every_origin() {
    let app = TestApp::spawn().await;
    let editor = app.editor().await;
    for title in ["第一篇", "第二篇"] {
        published(&app, &editor, json!({"title": title, "body": "正文"})).await;
    }

    let list = app
        .get("/api/v1/articles?per_page=1")
        .header("origin", ELSEWHERE)
        .send()
        .await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.text());
    assert_eq!(list.header("access-control-allow-origin"), Some("*"));
    assert_eq!(list.header("access-control-allow-credentials"), None);
    assert!(list.header("link").is_some());
    assert_exposes_headers(&list);
    assert_varies_by_origin(&list);

    let etag = list.header("etag").expect("an ETag").to_owned();
    let unchanged = app
        .get("/api/v1/articles?per_page=1")
        .header("origin", "http://localhost:3000")
        .header("if-none-match", &etag)
        .send()
        .await;
    assert_eq!(unchanged.status, StatusCode::NOT_MODIFIED);
    assert_eq!(unchanged.header("access-control-allow-origin"), Some("*"));

    // Without an `Origin` the answer has no CORS header, so it must say it varies by origin.
    let no_origin = app.get("/api/v1/articles?per_page=1").send().await;
    assert_eq!(no_origin.header("access-control-allow-origin"), None);
    assert_varies_by_origin(&no_origin);
}

#[actix_web::test]
async fn a_preflight_for_an_anonymous_read_is_answered_for_every_origin() {
    let app = TestApp::spawn().await;
    let preflight = app
        .request(Method::OPTIONS, "/api/v1/articles/some-slug")
        .header("origin", ELSEWHERE)
        .header("access-control-request-method", "GET")
        .header(
            "access-control-request-headers",
            "if-none-match, x-request-id",
        )
        .send()
        .await;
    assert_eq!(preflight.status, StatusCode::OK, "{}", preflight.text());
    assert_eq!(preflight.header("access-control-allow-origin"), Some("*"));
    assert_eq!(preflight.header("access-control-max-age"), Some("7200"));
    assert!(listed(&preflight, "access-control-allow-methods").contains(&"get".to_owned()));
    assert_eq!(
        listed(&preflight, "access-control-allow-headers"),
        ["if-none-match", "x-request-id"]
    );
}

#[actix_web::test]
async fn a_preflight_from_an_allowed_origin_is_answered_with_that_origin() {
    let app = app_for(FRONTEND).await;
    let preflight = app
        .request(Method::OPTIONS, "/api/v1/articles")
        .header("origin", FRONTEND)
        .header("access-control-request-method", "POST")
        .header(
            "access-control-request-headers",
            "authorization,content-type",
        )
        .send()
        .await;
    assert_eq!(preflight.status, StatusCode::OK, "{}", preflight.text());
    assert_eq!(
        preflight.header("access-control-allow-origin"),
        Some(FRONTEND)
    );
    assert_eq!(preflight.header("access-control-allow-credentials"), None);
    assert_eq!(preflight.header("access-control-max-age"), Some("7200"));
    let methods = listed(&preflight, "access-control-allow-methods");
    for method in ["get", "post", "put", "patch", "delete"] {
        assert!(methods.iter().any(|m| m == method), "{method}: {methods:?}");
    }
    assert_eq!(
        listed(&preflight, "access-control-allow-headers"),
        ["authorization", "content-type"]
    );
    assert_varies_by_origin(&preflight);
}

#[actix_web::test]
async fn a_preflight_from_another_origin_to_write_or_send_credentials_is_refused() {
    let app = app_for(FRONTEND).await;
    for (method, headers) in [
        ("POST", "content-type"),
        ("DELETE", "authorization"),
        ("GET", "Authorization"),
    ] {
        let preflight = app
            .request(Method::OPTIONS, "/api/v1/articles")
            .header("origin", ELSEWHERE)
            .header("access-control-request-method", method)
            .header("access-control-request-headers", headers)
            .send()
            .await;
        let problem = preflight.problem(403);
        let detail = problem["detail"].as_str().unwrap_or_default();
        assert!(
            detail.contains(ELSEWHERE) && detail.contains("MASTHEAD_CORS_ORIGINS"),
            "{detail}"
        );
        assert_eq!(preflight.header("access-control-allow-origin"), None);
        assert_eq!(preflight.header("access-control-allow-methods"), None);
    }

    // No origin at all may, by default.
    let closed = TestApp::spawn().await;
    closed
        .request(Method::OPTIONS, "/api/v1/auth/login")
        .header("origin", FRONTEND)
        .header("access-control-request-method", "POST")
        .send()
        .await
        .problem(403);
}

#[actix_web::test]
async fn credentialed_requests_get_their_origin_only_when_it_is_allowed() {
    let app = app_for(FRONTEND).await;
    let admin = app.admin().await;

    let me = app
        .get("/api/v1/auth/me")
        .as_user(&admin)
        .header("origin", FRONTEND)
        .send()
        .await;
    assert_eq!(me.status, StatusCode::OK, "{}", me.text());
    assert_eq!(me.header("access-control-allow-origin"), Some(FRONTEND));
    assert_eq!(me.header("cache-control"), Some("private, no-store"));
    assert_varies_by_origin(&me);

    let created = app
        .post("/api/v1/tags")
        .as_user(&admin)
        .header("origin", FRONTEND)
        .json(&json!({"name": "民生"}))
        .send()
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text());
    assert_eq!(
        created.header("access-control-allow-origin"),
        Some(FRONTEND)
    );
    assert!(created.header("location").is_some());
    assert_exposes_headers(&created);

    let refused = app
        .get("/api/v1/auth/me")
        .as_user(&admin)
        .header("origin", ELSEWHERE)
        .send()
        .await;
    refused.problem(403);
    assert_eq!(refused.header("access-control-allow-origin"), None);
    assert_varies_by_origin(&refused);

    // A write that a browser sends without a preflight is refused before it runs.
    app.post("/api/v1/tags")
        .as_user(&admin)
        .header("origin", ELSEWHERE)
        .json(&json!({"name": "医保"}))
        .send()
        .await
        .problem(403);
    let tags = app.get("/api/v1/tags").send().await.json();
    assert_eq!(tags["meta"]["total"], 1, "{tags}");

    // Clients that are not browsers send no origin and are not affected.
    let curl = app.get("/api/v1/auth/me").as_user(&admin).send().await;
    assert_eq!(curl.status, StatusCode::OK);
    assert_eq!(curl.header("access-control-allow-origin"), None);
}

#[actix_web::test]
async fn a_wildcard_pattern_admits_preview_deployments() {
    let app = app_for("https://*.preview.example.com").await;
    let preflight = |origin: &'static str| {
        app.request(Method::OPTIONS, "/api/v1/articles")
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .send()
    };
    let preview = preflight("https://pr-42.preview.example.com").await;
    assert_eq!(preview.status, StatusCode::OK, "{}", preview.text());
    assert_eq!(
        preview.header("access-control-allow-origin"),
        Some("https://pr-42.preview.example.com")
    );
    for origin in [
        "https://preview.example.com",
        "https://a.b.preview.example.com",
        "http://pr-42.preview.example.com",
        "https://pr-42.preview.example.com.evil.example",
    ] {
        preflight(origin).await.problem(403);
    }
}

#[actix_web::test]
async fn the_apis_own_pages_may_write_without_being_listed() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    // Browsers send `Origin` with same-origin writes, as the reference page at /docs/ makes.
    let created = app
        .post("/api/v1/tags")
        .as_user(&admin)
        .header("host", "cms.example.com:8080")
        .header("origin", "https://cms.example.com:8080")
        .json(&json!({"name": "民生"}))
        .send()
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text());
}

#[actix_web::test]
async fn the_response_cache_keeps_no_origins_headers() {
    let app = app_for(FRONTEND).await;
    let editor = app.editor().await;
    let id = published(&app, &editor, json!({"title": "民生", "body": "正文"})).await;
    let path = format!("/api/v1/articles/{id}");

    let first = app.get(&path).header("origin", ELSEWHERE).send().await;
    assert_eq!(first.header("access-control-allow-origin"), Some("*"));
    let staff = app
        .get(&path)
        .as_user(&editor)
        .header("origin", FRONTEND)
        .send()
        .await;
    assert_eq!(staff.header("access-control-allow-origin"), Some(FRONTEND));

    let before = app.statements();
    let from_cache = app
        .get(&path)
        .header("origin", "http://localhost:3000")
        .send()
        .await;
    assert_eq!(app.statements(), before, "served from the cache");
    assert_eq!(from_cache.status, StatusCode::OK);
    assert_eq!(from_cache.header("access-control-allow-origin"), Some("*"));
    assert_eq!(from_cache.body, first.body);
    let no_origin = app.get(&path).send().await;
    assert_eq!(app.statements(), before, "served from the cache");
    assert_eq!(no_origin.header("access-control-allow-origin"), None);
}

#[actix_web::test]
async fn operations_endpoints_are_not_shared_with_other_origins() {
    let app = TestApp::spawn().await;
    for path in ["/healthz", "/metrics"] {
        let response = app.get(path).header("origin", ELSEWHERE).send().await;
        assert_eq!(response.status, StatusCode::OK, "{path}");
        assert_eq!(
            response.header("access-control-allow-origin"),
            None,
            "{path}"
        );
    }
    for path in ["/openapi.json", "/sitemap.xml", "/feed.xml"] {
        let response = app.get(path).header("origin", ELSEWHERE).send().await;
        assert_eq!(response.status, StatusCode::OK, "{path}");
        assert_eq!(
            response.header("access-control-allow-origin"),
            Some("*"),
            "{path}"
        );
    }
}
