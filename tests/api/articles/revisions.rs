//! Revisions and versions: every change is kept, and a stale version changes nothing.

use actix_web::http::StatusCode;
use serde_json::json;

use super::{create, id_of, publish};
use crate::helpers::TestApp;

#[actix_web::test]
async fn every_change_is_a_revision_and_restoring_loses_nothing() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let editor = app.user(&admin, "editor").await;
    let article = create(&app, &admin, json!({"title": "第一版", "body": "一。"})).await;
    let id = id_of(&article);
    // The same person within a minute: folded into revision 1.
    app.patch(&format!("/api/v1/articles/{id}"))
        .as_user(&admin)
        .json(&json!({"body": "一，改。"}))
        .send()
        .await;
    // Someone else: a new revision.
    app.patch(&format!("/api/v1/articles/{id}"))
        .as_user(&editor)
        .json(&json!({"title": "第二版", "body": "二。"}))
        .send()
        .await;
    let revisions = app
        .get(&format!("/api/v1/articles/{id}/revisions"))
        .as_user(&admin)
        .send()
        .await;
    let list = revisions.json();
    assert_eq!(list["data"].as_array().map(Vec::len), Some(2), "{list}");
    assert_eq!(list["meta"]["total"], 2, "the list envelope: {list}");
    assert_eq!(list["data"][0]["number"], 2);
    assert_eq!(list["data"][0]["created_by"], editor.user_id.as_str());

    let first = app
        .get(&format!("/api/v1/articles/{id}/revisions/1"))
        .as_user(&admin)
        .send()
        .await;
    assert_eq!(first.json()["content"]["title"], "第一版");
    assert_eq!(first.json()["content"]["body"], "一，改。");

    let restored = app
        .post(&format!("/api/v1/articles/{id}/revisions/1/restore"))
        .as_user(&admin)
        .send()
        .await;
    assert_eq!(restored.status, StatusCode::OK, "{}", restored.text());
    assert_eq!(restored.json()["title"], "第一版");
    let after = app
        .get(&format!("/api/v1/articles/{id}/revisions"))
        .as_user(&admin)
        .send()
        .await;
    assert_eq!(after.json()["data"].as_array().map(Vec::len), Some(3));
    let paged = app
        .get(&format!(
            "/api/v1/articles/{id}/revisions?per_page=2&page=2"
        ))
        .as_user(&admin)
        .send()
        .await
        .json();
    assert_eq!(
        paged["data"][0]["number"], 1,
        "the oldest on the second page"
    );
    assert_eq!(paged["meta"]["total"], 3);
    app.get(&format!("/api/v1/articles/{id}/revisions/9"))
        .as_user(&admin)
        .send()
        .await
        .problem(404);
    app.get(&format!("/api/v1/articles/{id}/revisions"))
        .send()
        .await
        .problem(401);
}

#[actix_web::test]
async fn stale_if_match_or_version_changes_nothing() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let article = create(&app, &admin, json!({"title": "并发"})).await;
    let id = id_of(&article);
    let path = format!("/api/v1/articles/{id}");
    let etag = app
        .get(&path)
        .as_user(&admin)
        .send()
        .await
        .header("etag")
        .expect("etag")
        .to_owned();
    let first = app
        .patch(&path)
        .as_user(&admin)
        .header("if-match", &etag)
        .json(&json!({"title": "甲的修改"}))
        .send()
        .await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.text());
    app.patch(&path)
        .as_user(&admin)
        .header("if-match", &etag)
        .json(&json!({"title": "乙的修改"}))
        .send()
        .await
        .problem(412);
    app.patch(&path)
        .as_user(&admin)
        .json(&json!({"title": "乙的修改", "version": 1}))
        .send()
        .await
        .problem(412);
    app.delete(&path)
        .as_user(&admin)
        .header("if-match", &etag)
        .send()
        .await
        .problem(412);
    let now = app.get(&path).as_user(&admin).send().await.json();
    assert_eq!(now["title"], "甲的修改");
    assert_eq!(now["version"], 2);
}

#[actix_web::test]
async fn the_etag_readers_get_serves_an_editor_as_if_match() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let article = create(&app, &admin, json!({"title": "发布后再改", "body": "正文"})).await;
    let id = id_of(&article);
    publish(&app, &admin, &id).await;
    let path = format!("/api/v1/articles/{id}");
    let read = app.get(&path).send().await;
    assert_eq!(read.status, StatusCode::OK);
    let etag = read.header("etag").expect("an ETag").to_owned();
    let edited = app
        .patch(&path)
        .as_user(&admin)
        .header("if-match", &etag)
        .json(&json!({"title": "发布后改过"}))
        .send()
        .await;
    assert_eq!(edited.status, StatusCode::OK, "{}", edited.text());
    app.patch(&path)
        .as_user(&admin)
        .header("if-match", &etag)
        .json(&json!({"title": "晚了一步"}))
        .send()
        .await
        .problem(412);
}
