//! Preview links: made by whoever may edit the article, read by anyone holding the link, as the
//! article will read once published, until they expire or are revoked.

use chrono::{DateTime, TimeDelta, Utc};
use serde_json::{Value, json};

use crate::helpers::{Session, TestApp};

async fn draft(app: &TestApp, who: &Session, title: &str) -> String {
    let created = app
        .post("/api/v1/articles")
        .as_user(who)
        .json(&json!({"title": title, "body": "草稿**正文**"}))
        .send()
        .await;
    assert_eq!(created.status, 201, "{}", created.text());
    created.json()["id"].as_str().expect("an id").to_owned()
}

async fn link(app: &TestApp, who: &Session, id: &str, body: Option<Value>) -> Value {
    let mut request = app
        .post(&format!("/api/v1/articles/{id}/preview"))
        .as_user(who);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let made = request.send().await;
    assert_eq!(made.status, 201, "{}", made.text());
    made.json()
}

#[actix_web::test]
async fn a_preview_link_shows_a_draft_without_credentials_as_it_will_read_when_published() {
    let app = TestApp::spawn_with(|c| {
        c.public_read = false;
        c.preview_url = "https://news.example/preview/{token}".into();
    })
    .await;
    let editor = app.editor().await;
    let id = draft(&app, &editor, "预览稿件").await;
    let made = link(&app, &editor, &id, None).await;
    let token = made["token"].as_str().expect("a token");
    assert!(token.len() >= 40, "{token}");
    assert_eq!(made["url"], format!("https://news.example/preview/{token}"));
    let expires: DateTime<Utc> = made["expires_at"]
        .as_str()
        .and_then(|v| v.parse().ok())
        .expect("a time");
    let day = expires - Utc::now();
    assert!(
        day > TimeDelta::hours(23) && day <= TimeDelta::hours(24),
        "{day}"
    );

    let read = app.get(&format!("/api/v1/preview/{token}")).send().await;
    assert_eq!(read.status, 200, "{}", read.text());
    assert_eq!(read.header("cache-control"), Some("private, no-store"));
    assert_eq!(read.header("x-robots-tag"), Some("noindex"));
    let article = read.json();
    assert_eq!(article["id"], id.as_str());
    assert_eq!(article["status"], "published");
    assert_eq!(article["body_html"], "<p>草稿<strong>正文</strong></p>\n");
    let published: DateTime<Utc> = article["published_at"]
        .as_str()
        .and_then(|v| v.parse().ok())
        .expect("published_at is now");
    assert!((Utc::now() - published).num_seconds().abs() < 5);
    // `fields` shapes it as the public read does.
    let shaped = app
        .get(&format!("/api/v1/preview/{token}?fields=id,title"))
        .send()
        .await
        .json();
    assert_eq!(shaped, json!({"id": id, "title": "预览稿件"}));
    // The draft itself stays hidden, and the link is stored only as a hash.
    app.get(&format!("/api/v1/articles/{id}"))
        .send()
        .await
        .problem(401);
    let stored: i64 = {
        use diesel::{RunQueryDsl, sql_query, sql_types::BigInt};
        #[derive(diesel::QueryableByName)]
        struct Count {
            #[diesel(sql_type = BigInt)]
            n: i64,
        }
        sql_query(format!(
            "SELECT count(*) AS n FROM preview_tokens WHERE token_hash = '{token}'"
        ))
        .get_result::<Count>(&mut app.db.connect())
        .expect("counted")
        .n
    };
    assert_eq!(stored, 0, "the token itself is never stored");
}

#[actix_web::test]
async fn links_end_when_revoked_or_expired_and_garbage_opens_nothing() {
    let app = TestApp::spawn().await;
    let editor = app.editor().await;
    let id = draft(&app, &editor, "撤回预览").await;
    let other = draft(&app, &editor, "另一篇").await;
    let first = link(&app, &editor, &id, Some(json!({"expires_in": 60}))).await;
    let second = link(&app, &editor, &id, Some(json!({}))).await;
    let unrelated = link(&app, &editor, &other, None).await;
    let expires: DateTime<Utc> = first["expires_at"]
        .as_str()
        .and_then(|v| v.parse().ok())
        .expect("a time");
    assert!((expires - Utc::now()) <= TimeDelta::seconds(60));

    for token in [
        "nope",
        "mhp_0000000000000000000000000000000000000000000",
        "%E6%96%B0",
    ] {
        app.get(&format!("/api/v1/preview/{token}"))
            .send()
            .await
            .problem(404);
    }
    for too_long in [
        json!({"expires_in": 7 * 24 * 3600 + 1}),
        json!({"expires_in": 0}),
        json!({"expires_in": -5}),
    ] {
        let refused = app
            .post(&format!("/api/v1/articles/{id}/preview"))
            .as_user(&editor)
            .json(&too_long)
            .send()
            .await;
        assert_eq!(
            refused.field_errors(),
            [("expires_in".to_owned(), "invalid".to_owned())]
        );
    }
    let unknown = app
        .post(&format!("/api/v1/articles/{id}/preview"))
        .as_user(&editor)
        .json(&json!({"expires": 60}))
        .send()
        .await;
    assert_eq!(
        unknown.field_errors(),
        [("expires".to_owned(), "unknown_field".to_owned())]
    );

    let revoked = app
        .delete(&format!("/api/v1/articles/{id}/preview"))
        .as_user(&editor)
        .send()
        .await;
    assert_eq!(revoked.status, 204);
    for made in [&first, &second] {
        let token = made["token"].as_str().expect("a token");
        app.get(&format!("/api/v1/preview/{token}"))
            .send()
            .await
            .problem(404);
    }
    // Scoped to its own article: revoking one leaves the other's link working.
    let token = unrelated["token"].as_str().expect("a token");
    let read = app.get(&format!("/api/v1/preview/{token}")).send().await;
    assert_eq!(read.json()["id"], other.as_str());

    // An expired link is as good as none.
    use diesel::{RunQueryDsl, sql_query};
    sql_query("UPDATE preview_tokens SET expires_at = now() - interval '1 second'")
        .execute(&mut app.db.connect())
        .expect("expired");
    app.get(&format!("/api/v1/preview/{token}"))
        .send()
        .await
        .problem(404);
    // So is an article in the trash.
    let fresh = link(&app, &editor, &other, None).await;
    let deleted = app
        .delete(&format!("/api/v1/articles/{other}"))
        .as_user(&editor)
        .send()
        .await;
    assert_eq!(deleted.status, 204);
    let token = fresh["token"].as_str().expect("a token");
    app.get(&format!("/api/v1/preview/{token}"))
        .send()
        .await
        .problem(404);
}

#[actix_web::test]
async fn only_those_who_may_edit_the_article_make_or_revoke_its_links() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let author = app.user(&admin, "author").await;
    let stranger = app.user(&admin, "author").await;
    let member = app.user(&admin, "member").await;
    let id = draft(&app, &author, "作者的稿件").await;
    link(&app, &author, &id, None).await;
    for who in [&stranger, &member] {
        for request in [
            app.post(&format!("/api/v1/articles/{id}/preview")),
            app.delete(&format!("/api/v1/articles/{id}/preview")),
        ] {
            request.as_user(who).send().await.problem(403);
        }
    }
    app.post(&format!("/api/v1/articles/{id}/preview"))
        .send()
        .await
        .problem(401);
    app.delete(&format!("/api/v1/articles/{id}/preview"))
        .send()
        .await
        .problem(401);
    let missing = uuid::Uuid::now_v7();
    app.post(&format!("/api/v1/articles/{missing}/preview"))
        .as_user(&admin)
        .send()
        .await
        .problem(404);
}
