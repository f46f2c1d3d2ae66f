//! What contributors and authors may do with articles.

use actix_web::http::StatusCode;
use serde_json::json;

use super::{create, id_of, publish};
use crate::helpers::TestApp;

#[actix_web::test]
async fn contributors_write_drafts_but_cannot_publish() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let contributor = app.user(&admin, "contributor").await;
    let article = create(
        &app,
        &contributor,
        json!({"title": "投稿", "body": "草稿。"}),
    )
    .await;
    let id = id_of(&article);
    let authors = article["authors"].as_array().expect("authors").clone();
    assert_eq!(
        authors.len(),
        1,
        "their own author profile was made and credited"
    );

    let edited = app
        .patch(&format!("/api/v1/articles/{id}"))
        .as_user(&contributor)
        .json(&json!({"body": "改过的草稿。"}))
        .send()
        .await;
    assert_eq!(edited.status, StatusCode::OK, "{}", edited.text());

    app.post(&format!("/api/v1/articles/{id}/publish"))
        .as_user(&contributor)
        .send()
        .await
        .problem(403);

    publish(&app, &admin, &id).await;
    app.patch(&format!("/api/v1/articles/{id}"))
        .as_user(&contributor)
        .json(&json!({"body": "发布后不能改。"}))
        .send()
        .await
        .problem(403);

    // A second article by the same contributor reuses the profile.
    let second = create(&app, &contributor, json!({"title": "第二篇"})).await;
    assert_eq!(second["authors"], json!(authors));
}

#[actix_web::test]
async fn authors_publish_their_own_articles_only() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let alice = app.user(&admin, "author").await;
    let bob = app.user(&admin, "author").await;
    let hers = create(&app, &alice, json!({"title": "她的稿子"})).await;
    let id = id_of(&hers);
    app.post(&format!("/api/v1/articles/{id}/publish"))
        .as_user(&bob)
        .send()
        .await
        .problem(403);
    app.patch(&format!("/api/v1/articles/{id}"))
        .as_user(&bob)
        .json(&json!({"title": "抢稿"}))
        .send()
        .await
        .problem(403);
    app.delete(&format!("/api/v1/articles/{id}"))
        .as_user(&bob)
        .send()
        .await
        .problem(403);
    publish(&app, &alice, &id).await;
    let member = app.user(&admin, "member").await;
    app.post("/api/v1/articles")
        .as_user(&member)
        .json(&json!({"title": "读者不能写"}))
        .send()
        .await
        .problem(403);
    app.post("/api/v1/articles")
        .json(&json!({"title": "匿名"}))
        .send()
        .await
        .problem(401);
}
