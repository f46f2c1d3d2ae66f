//! Article slugs: old ones redirect, but never to what a reader may not see.

use actix_web::http::StatusCode;
use serde_json::json;

use super::{create, id_of, publish};
use crate::helpers::TestApp;

#[actix_web::test]
async fn slugs_survive_title_changes_and_old_slugs_redirect() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let article = create(&app, &admin, json!({"title": "通辽新闻"})).await;
    let id = id_of(&article);
    publish(&app, &admin, &id).await;
    assert_eq!(article["slug"], "tong-liao-xin-wen");

    let retitled = app
        .patch(&format!("/api/v1/articles/{id}"))
        .as_user(&admin)
        .json(&json!({"title": "通辽要闻"}))
        .send()
        .await;
    assert_eq!(
        retitled.json()["slug"],
        "tong-liao-xin-wen",
        "links must not break"
    );

    let renamed = app
        .patch(&format!("/api/v1/articles/{id}"))
        .as_user(&admin)
        .json(&json!({"slug": "tongliao-headlines"}))
        .send()
        .await;
    assert_eq!(renamed.json()["slug"], "tongliao-headlines");
    let old = app
        .get("/api/v1/articles/tong-liao-xin-wen?fields=id")
        .send()
        .await;
    assert_eq!(old.status, StatusCode::MOVED_PERMANENTLY);
    assert_eq!(
        old.header("location"),
        Some("/api/v1/articles/tongliao-headlines?fields=id")
    );

    // A retired slug is not handed to another article, and a taken one is a conflict.
    let other = create(&app, &admin, json!({"title": "通辽新闻"})).await;
    assert_eq!(other["slug"], "tong-liao-xin-wen-2");
    app.post("/api/v1/articles")
        .as_user(&admin)
        .json(&json!({"title": "x", "slug": "tongliao-headlines"}))
        .send()
        .await
        .problem(409);
    let bad = app
        .post("/api/v1/articles")
        .as_user(&admin)
        .json(&json!({"title": "x", "slug": "Not A Slug"}))
        .send()
        .await;
    assert_eq!(bad.field_errors(), [("slug".into(), "invalid".into())]);
}

#[actix_web::test]
async fn old_slugs_of_drafts_do_not_redirect_anonymous_readers() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let article = create(&app, &admin, json!({"title": "旧名"})).await;
    let id = id_of(&article);
    publish(&app, &admin, &id).await;
    app.patch(&format!("/api/v1/articles/{id}"))
        .as_user(&admin)
        .json(&json!({"slug": "secret-new-name"}))
        .send()
        .await;
    app.post(&format!("/api/v1/articles/{id}/unpublish"))
        .as_user(&admin)
        .send()
        .await;
    let anonymous = app.get("/api/v1/articles/jiu-ming").send().await;
    anonymous.problem(404);
    assert!(!anonymous.text().contains("secret-new-name"));
    let staff = app
        .get("/api/v1/articles/jiu-ming")
        .as_user(&admin)
        .send()
        .await;
    assert_eq!(staff.status, StatusCode::MOVED_PERMANENTLY);
}
