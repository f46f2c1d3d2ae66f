//! Reading: anonymous reads served from the cache, and a private site read with a content key.

use actix_web::http::StatusCode;
use futures_util::future::join_all;
use serde_json::json;

use super::{create, id_of, publish};
use crate::helpers::TestApp;

#[actix_web::test]
async fn with_the_response_cache_off_every_read_goes_to_the_database() {
    let app = TestApp::spawn_with(|config| config.response_cache = false).await;
    let admin = app.admin().await;
    let article = create(&app, &admin, json!({"title": "不缓存", "body": "正文。"})).await;
    let id = id_of(&article);
    publish(&app, &admin, &id).await;
    let path = format!("/api/v1/articles/{id}");
    let first = app.get(&path).send().await;
    let before = app.statements();
    let second = app.get(&path).send().await;
    assert!(app.statements() > before, "read from the database again");
    assert_eq!(second.body, first.body);
    assert_eq!(second.header("etag"), first.header("etag"));
    assert_eq!(second.header("cache-control"), Some("public, max-age=60"));
}

#[actix_web::test]
async fn concurrent_misses_of_one_answer_compute_it_once() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let article = create(&app, &admin, json!({"title": "热点", "body": "正文。"})).await;
    let id = id_of(&article);
    publish(&app, &admin, &id).await;
    let path = format!("/api/v1/articles/{id}");
    app.state().cache.clear();
    let before = app.statements();
    let alone = app.get(&path).send().await;
    let one_computation = app.statements() - before;
    assert!(one_computation > 0);

    app.state().cache.clear();
    let before = app.statements();
    let answers = join_all((0..8).map(|_| app.get(&path).send())).await;
    assert_eq!(
        app.statements() - before,
        one_computation,
        "eight readers at once cost one computation"
    );
    for answer in answers {
        assert_eq!(answer.status, StatusCode::OK);
        assert_eq!(answer.body, alone.body);
    }
}

#[actix_web::test]
async fn hot_anonymous_reads_cost_no_statement_and_writes_show_at_once() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let article = create(&app, &admin, json!({"title": "缓存", "body": "第一版。"})).await;
    let id = id_of(&article);
    publish(&app, &admin, &id).await;
    let path = format!("/api/v1/articles/{id}");
    let first = app.get(&path).send().await;
    let before = app.statements();
    let second = app.get(&path).send().await;
    assert_eq!(app.statements(), before, "served from the cache");
    assert_eq!(second.body, first.body);
    assert_eq!(second.header("etag"), first.header("etag"));
    assert_eq!(second.header("cache-control"), Some("public, max-age=60"));
    let etag = first.header("etag").expect("etag").to_owned();
    let not_modified = app.get(&path).header("if-none-match", &etag).send().await;
    assert_eq!(not_modified.status, StatusCode::NOT_MODIFIED);

    app.patch(&path)
        .as_user(&admin)
        .json(&json!({"body": "第二版。"}))
        .send()
        .await;
    let after = app.get(&path).send().await;
    assert!(
        after.json()["body"]
            .as_str()
            .unwrap_or_default()
            .contains("第二版")
    );
    assert_ne!(after.header("etag"), Some(etag.as_str()));
}

#[actix_web::test]
async fn a_private_site_needs_a_content_key_to_read_articles() {
    let app = TestApp::spawn_with(|c| c.public_read = false).await;
    let admin = app.admin().await;
    let article = create(&app, &admin, json!({"title": "内部"})).await;
    let id = id_of(&article);
    publish(&app, &admin, &id).await;
    app.get(&format!("/api/v1/articles/{id}"))
        .send()
        .await
        .problem(401);
    app.get("/api/v1/articles").send().await.problem(401);
    let key = app
        .post("/api/v1/api-keys")
        .as_user(&admin)
        .json(&json!({"name": "frontend", "scope": "content"}))
        .send()
        .await
        .json()["key"]
        .as_str()
        .expect("a key")
        .to_owned();
    let read = app
        .get(&format!("/api/v1/articles/{id}"))
        .bearer(&key)
        .send()
        .await;
    assert_eq!(read.status, StatusCode::OK);
    assert_eq!(read.header("cache-control"), Some("private, no-store"));
    let drafts = create(&app, &admin, json!({"title": "草稿"})).await;
    app.get(&format!("/api/v1/articles/{}", id_of(&drafts)))
        .bearer(&key)
        .send()
        .await
        .problem(404);
    app.post("/api/v1/articles")
        .bearer(&key)
        .json(&json!({"title": "写"}))
        .send()
        .await
        .problem(403);
}
