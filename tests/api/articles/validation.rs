//! Input refused with the fields named: bad values, translations of articles that do not exist,
//! times that cannot be stored.

use serde_json::{Value, json};

use super::{create, id_of};
use crate::helpers::TestApp;

#[actix_web::test]
async fn bad_article_input_is_refused_and_nothing_is_written() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let missing = uuid::Uuid::now_v7().to_string();
    let cases = [
        (json!({"title": ""}), vec![("title", "required")]),
        (
            json!({"title": "标".repeat(301)}),
            vec![("title", "too_long")],
        ),
        (
            json!({"title": "<script>alert(1)</script>"}),
            vec![("title", "invalid")],
        ),
        (
            json!({"title": "ok", "subtitle": "<img src=x onerror=alert(1)>"}),
            vec![("subtitle", "invalid")],
        ),
        (
            json!({"title": "ok", "category": missing, "tags": [missing], "authors": [missing]}),
            vec![
                ("authors", "not_found"),
                ("category", "not_found"),
                ("tags", "not_found"),
            ],
        ),
        (
            json!({"title": "ok", "locale": "not a locale"}),
            vec![("locale", "invalid")],
        ),
        (
            json!({"title": "ok", "kind": "video"}),
            vec![("kind", "invalid")],
        ),
        (
            json!({"title": "ok", "seo": {"canonical_url": "javascript:alert(1)"}}),
            vec![("seo.canonical_url", "invalid")],
        ),
        (
            json!({"title": "ok", "cover_image": "not-a-uuid"}),
            vec![("cover_image", "invalid_type")],
        ),
        (
            json!({"title": "ok", "status": "archived"}),
            vec![("status", "invalid")],
        ),
        (
            json!({"title": "ok", "views": 3}),
            vec![("views", "unknown_field")],
        ),
    ];
    app.assert_field_errors("/api/v1/articles", &admin, cases)
        .await;
    let huge = json!({"title": "长文", "body": "字".repeat(400_000)});
    app.post("/api/v1/articles")
        .as_user(&admin)
        .json(&huge)
        .send()
        .await
        .problem(413);
    let list = app.get("/api/v1/articles").as_user(&admin).send().await;
    assert_eq!(list.json()["meta"]["total"], 0, "nothing was written");

    for query in [
        "per_page=0",
        "per_page=101",
        "sort=popularity",
        "include=comments",
        "fields=secret",
        "published_after=yesterday",
        "after=garbage",
        "status=deleted",
    ] {
        app.get(&format!("/api/v1/articles?{query}"))
            .send()
            .await
            .problem(400);
    }
}

#[actix_web::test]
async fn translations_name_an_existing_other_article() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let original = create(&app, &admin, json!({"title": "通辽新闻"})).await;
    let id = id_of(&original);
    let english = create(
        &app,
        &admin,
        json!({"title": "Tongliao News", "locale": "en", "translation_of": id}),
    )
    .await;
    assert_eq!(english["translation_of"], id.as_str());
    assert_eq!(english["locale"], "en");
    assert_eq!(english["slug"], "tongliao-news");
    let mongolian = create(
        &app,
        &admin,
        json!({"title": "ᠲᠦᠩᠯᠢᠶᠣᠣ", "locale": "mn-Mong", "translation_of": id}),
    )
    .await;
    assert_eq!(
        mongolian["slug"], "article",
        "a title with no letters to use falls back"
    );

    let missing = app
        .post("/api/v1/articles")
        .as_user(&admin)
        .json(&json!({"title": "x", "translation_of": uuid::Uuid::now_v7()}))
        .send()
        .await;
    assert_eq!(
        missing.field_errors(),
        [("translation_of".into(), "not_found".into())]
    );
    let itself = app
        .patch(&format!("/api/v1/articles/{id}"))
        .as_user(&admin)
        .json(&json!({"translation_of": id}))
        .send()
        .await;
    assert_eq!(
        itself.field_errors(),
        [("translation_of".into(), "invalid".into())]
    );
    let cleared = app
        .patch(&format!("/api/v1/articles/{}", id_of(&english)))
        .as_user(&admin)
        .json(&json!({"translation_of": null, "subtitle": "A subtitle"}))
        .send()
        .await;
    assert_eq!(cleared.json()["translation_of"], Value::Null);
    assert_eq!(cleared.json()["subtitle"], "A subtitle");
}

#[actix_web::test]
async fn times_outside_what_can_be_stored_are_client_errors() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let article = create(&app, &admin, json!({"title": "时间"})).await;
    let publish = app
        .post(&format!("/api/v1/articles/{}/publish", id_of(&article)))
        .as_user(&admin)
        .json(&json!({"published_at": "-5000-01-01T00:00:00Z"}))
        .send()
        .await;
    assert_eq!(
        publish.field_errors(),
        [("published_at".into(), "invalid".into())]
    );
    let cursor = format!("p.-100000000000000000.{}", uuid::Uuid::now_v7().simple());
    app.get(&format!("/api/v1/articles?after={cursor}"))
        .send()
        .await
        .problem(400);
    app.get("/api/v1/articles?published_after=%2B275760-09-13T00:00:00Z")
        .send()
        .await
        .problem(400);
}
