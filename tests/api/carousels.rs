//! Carousels: slides in order, time windows at explicit moments, fallbacks, clicks, roles.

use chrono::{DateTime, Duration, TimeZone, Utc};
use serde_json::{Value, json};

use crate::{
    helpers::{Session, TestApp},
    images::uploaded,
};

fn at(hour: u32, minute: u32, second: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2030, 6, 1, hour, minute, second)
        .single()
        .expect("a valid time")
}

async fn carousel(app: &TestApp, editor: &Session, key: &str) -> Value {
    let response = app
        .post("/api/v1/carousels")
        .as_user(editor)
        .json(&json!({"key": key, "name": "首页焦点图"}))
        .send()
        .await;
    assert_eq!(response.status, 201, "{}", response.text());
    response.json()
}

async fn slide(app: &TestApp, editor: &Session, key: &str, body: Value) -> Value {
    let response = app
        .post(&format!("/api/v1/carousels/{key}/slides"))
        .as_user(editor)
        .json(&body)
        .send()
        .await;
    assert_eq!(response.status, 201, "{}", response.text());
    response.json()
}

fn titles(carousel: &Value) -> Vec<&str> {
    carousel["slides"]
        .as_array()
        .expect("slides")
        .iter()
        .map(|s| s["title"].as_str().unwrap_or("-"))
        .collect()
}

#[actix_web::test]
async fn anonymous_readers_see_the_slides_active_now_and_windows_change_it_without_a_write() {
    let app = TestApp::spawn().await;
    let editor = app.editor().await;
    let image = uploaded(&app, &editor).await;
    let created = carousel(&app, &editor, "home-hero").await;
    assert_eq!(created["slides"], json!([]));
    let now = at(8, 0, 0);
    app.set_clock(now);
    let window = |from: DateTime<Utc>, to: DateTime<Utc>| json!({"starts_at": from, "ends_at": to});
    slide(
        &app,
        &editor,
        "home-hero",
        json!({"image": image, "title": "always", "link_url": "https://www.example.com/a"}),
    )
    .await;
    let mut later = json!({"image": image, "title": "later"});
    later["starts_at"] = json!(now + Duration::hours(1));
    slide(&app, &editor, "home-hero", later).await;
    let mut ended = json!({"image": image, "title": "ended"});
    ended.as_object_mut().expect("object").extend(
        window(now - Duration::hours(3), now - Duration::hours(1))
            .as_object()
            .expect("object")
            .clone(),
    );
    slide(&app, &editor, "home-hero", ended).await;
    let mut ending = json!({"image": image, "title": "ending"});
    ending.as_object_mut().expect("object").extend(
        window(now - Duration::hours(1), now + Duration::seconds(3))
            .as_object()
            .expect("object")
            .clone(),
    );
    slide(&app, &editor, "home-hero", ending).await;

    let public = app.get("/api/v1/carousels/home-hero").send().await;
    assert_eq!(public.status, 200);
    let body = public.json();
    assert_eq!(titles(&body), vec!["always", "ending"]);
    let first = &body["slides"][0];
    assert!(first.get("clicks").is_none(), "clicks are for editors");
    assert_eq!(first["link_url"], "https://www.example.com/a");
    assert_eq!(first["image"]["id"], image.as_str());
    assert!(
        first["image"]["variants"].is_array(),
        "the image comes embedded"
    );
    assert_eq!(
        public.header("cache-control"),
        Some("public, max-age=3"),
        "no copy may outlive the moment the `ending` slide stops"
    );

    // Editors see everything, with windows, whether each is active, and the clicks.
    let staff = app
        .get("/api/v1/carousels/home-hero")
        .as_user(&editor)
        .send()
        .await
        .json();
    assert_eq!(titles(&staff), vec!["always", "later", "ended", "ending"]);
    let active: Vec<bool> = staff["slides"]
        .as_array()
        .expect("slides")
        .iter()
        .map(|s| s["active"] == true)
        .collect();
    assert_eq!(active, vec![true, false, false, true]);
    assert_eq!(staff["slides"][0]["clicks"], 0);

    // Time passes; nothing is written; the answer follows.
    app.set_clock(now + Duration::seconds(3));
    let after = app.get("/api/v1/carousels/home-hero").send().await;
    assert_eq!(titles(&after.json()), vec!["always"]);
    assert_eq!(after.header("cache-control"), Some("public, max-age=60"));
    // An hour later, read by id this time.
    app.set_clock(now + Duration::hours(1));
    let by_id = app
        .get(&format!(
            "/api/v1/carousels/{}",
            created["id"].as_str().unwrap_or_default()
        ))
        .send()
        .await;
    assert_eq!(titles(&by_id.json()), vec!["always", "later"]);
    app.get("/api/v1/carousels/no-such-thing")
        .send()
        .await
        .problem(404);
}

#[actix_web::test]
async fn the_fallback_shows_only_when_nothing_else_is_active() {
    let app = TestApp::spawn().await;
    let editor = app.editor().await;
    let image = uploaded(&app, &editor).await;
    carousel(&app, &editor, "sidebar-ad").await;
    let now = at(9, 0, 0);
    app.set_clock(now);
    let expired = slide(&app, &editor, "sidebar-ad", json!({"image": image, "title": "campaign", "starts_at": now - Duration::days(2), "ends_at": now - Duration::days(1)})).await;
    let house = slide(
        &app,
        &editor,
        "sidebar-ad",
        json!({"image": image, "title": "house ad"}),
    )
    .await;
    let set = app
        .patch("/api/v1/carousels/sidebar-ad")
        .as_user(&editor)
        .json(&json!({"fallback_slide": house["id"]}))
        .send()
        .await;
    assert_eq!(set.status, 200, "{}", set.text());
    assert_eq!(set.json()["fallback_slide"], house["id"]);
    assert_eq!(
        titles(&app.get("/api/v1/carousels/sidebar-ad").send().await.json()),
        vec!["house ad"]
    );

    let renewed = app
        .patch(&format!(
            "/api/v1/carousels/sidebar-ad/slides/{}",
            expired["id"].as_str().unwrap_or_default()
        ))
        .as_user(&editor)
        .json(&json!({"ends_at": now + Duration::days(7)}))
        .send()
        .await;
    assert_eq!(renewed.status, 200, "{}", renewed.text());
    assert_eq!(
        titles(&app.get("/api/v1/carousels/sidebar-ad").send().await.json()),
        vec!["campaign"]
    );

    // The fallback must be one of the carousel's own slides.
    carousel(&app, &editor, "other").await;
    let foreign = slide(&app, &editor, "other", json!({"image": image})).await;
    let refused = app
        .patch("/api/v1/carousels/sidebar-ad")
        .as_user(&editor)
        .json(&json!({"fallback_slide": foreign["id"]}))
        .send()
        .await;
    assert_eq!(
        refused.field_errors(),
        vec![("fallback_slide".to_owned(), "not_found".to_owned())]
    );
}

#[actix_web::test]
async fn slides_are_checked_and_every_failure_named() {
    let app = TestApp::spawn().await;
    let editor = app.editor().await;
    let image = uploaded(&app, &editor).await;
    carousel(&app, &editor, "home-hero").await;
    let missing = uuid::Uuid::now_v7();
    let post = |body: Value| {
        app.post("/api/v1/carousels/home-hero/slides")
            .as_user(&editor)
            .json(&body)
            .send()
    };

    let errors = post(json!({"image": missing, "article": missing}))
        .await
        .field_errors();
    assert_eq!(
        errors,
        vec![
            ("article".to_owned(), "not_found".to_owned()),
            ("image".to_owned(), "not_found".to_owned())
        ]
    );
    for bad in [
        "javascript:alert(1)",
        "ftp://example.com/x",
        "www.example.com",
        "/relative",
    ] {
        let response = post(json!({"image": image, "link_url": bad})).await;
        assert_eq!(
            response.field_errors(),
            vec![("link_url".to_owned(), "invalid".to_owned())],
            "{bad}"
        );
    }
    let both =
        post(json!({"image": image, "link_url": "https://example.com", "article": missing})).await;
    assert!(
        both.field_errors()
            .contains(&("link_url".to_owned(), "invalid".to_owned()))
    );
    let backwards = post(json!({"image": image, "starts_at": "2030-06-02T00:00:00Z", "ends_at": "2030-06-01T00:00:00Z"})).await;
    assert_eq!(
        backwards.field_errors(),
        vec![("ends_at".to_owned(), "invalid".to_owned())]
    );
    let html = post(json!({"image": image, "title": "<b>x</b>", "imgae": image})).await;
    assert_eq!(html.status, 422);
    post(json!({"title": "no image"})).await.problem(422);

    let bad_key = app
        .post("/api/v1/carousels")
        .as_user(&editor)
        .json(&json!({"key": "Home Hero", "name": ""}))
        .send()
        .await;
    assert_eq!(
        bad_key.field_errors(),
        vec![
            ("key".to_owned(), "invalid".to_owned()),
            ("name".to_owned(), "required".to_owned())
        ]
    );
    let taken = app
        .post("/api/v1/carousels")
        .as_user(&editor)
        .json(&json!({"key": "home-hero", "name": "again"}))
        .send()
        .await;
    assert!(
        taken.problem(409)["detail"]
            .as_str()
            .is_some_and(|d| d.starts_with("key:"))
    );
}

#[actix_web::test]
async fn slides_are_reordered_with_every_id_exactly_once() {
    let app = TestApp::spawn().await;
    let editor = app.editor().await;
    let image = uploaded(&app, &editor).await;
    carousel(&app, &editor, "home-hero").await;
    let mut ids = Vec::new();
    for title in ["one", "two", "three"] {
        ids.push(
            slide(
                &app,
                &editor,
                "home-hero",
                json!({"image": image, "title": title}),
            )
            .await["id"]
                .clone(),
        );
    }
    // A new slide at position 1 goes first.
    let zero = slide(
        &app,
        &editor,
        "home-hero",
        json!({"image": image, "title": "zero", "position": 1}),
    )
    .await;
    let order = |ids: Value| {
        app.request(
            actix_web::http::Method::PUT,
            "/api/v1/carousels/home-hero/slides/order",
        )
        .as_user(&editor)
        .json(&json!({"slide_ids": ids}))
        .send()
    };
    assert_eq!(
        titles(&app.get("/api/v1/carousels/home-hero").send().await.json()),
        vec!["zero", "one", "two", "three"]
    );

    let reordered = order(json!([ids[2], ids[1], zero["id"], ids[0]])).await;
    assert_eq!(reordered.status, 200, "{}", reordered.text());
    assert_eq!(
        titles(&reordered.json()),
        vec!["three", "two", "zero", "one"]
    );
    let positions: Vec<i64> = reordered.json()["slides"]
        .as_array()
        .expect("slides")
        .iter()
        .filter_map(|slide| slide["position"].as_i64())
        .collect();
    assert_eq!(positions, vec![1, 2, 3, 4], "positions count from 1");
    assert_eq!(
        titles(&app.get("/api/v1/carousels/home-hero").send().await.json()),
        vec!["three", "two", "zero", "one"]
    );

    for bad in [
        json!([ids[2], ids[1], zero["id"]]),
        json!([ids[2], ids[1], zero["id"], ids[0], ids[0]]),
        json!([ids[2], ids[1], zero["id"], ids[0], uuid::Uuid::now_v7()]),
    ] {
        assert_eq!(
            order(bad).await.field_errors(),
            vec![("slide_ids".to_owned(), "invalid".to_owned())]
        );
    }
    assert_eq!(
        titles(&app.get("/api/v1/carousels/home-hero").send().await.json()),
        vec!["three", "two", "zero", "one"]
    );

    let removed = app
        .delete(&format!(
            "/api/v1/carousels/home-hero/slides/{}",
            zero["id"].as_str().unwrap_or_default()
        ))
        .as_user(&editor)
        .send()
        .await;
    assert_eq!(removed.status, 204);
    app.delete(&format!(
        "/api/v1/carousels/home-hero/slides/{}",
        zero["id"].as_str().unwrap_or_default()
    ))
    .as_user(&editor)
    .send()
    .await
    .problem(404);
}

#[actix_web::test]
async fn clicks_are_counted_once_per_idempotency_key() {
    let app = TestApp::spawn().await;
    let editor = app.editor().await;
    let image = uploaded(&app, &editor).await;
    carousel(&app, &editor, "sidebar-ad").await;
    carousel(&app, &editor, "home-hero").await;
    let ad = slide(
        &app,
        &editor,
        "sidebar-ad",
        json!({"image": image, "title": "ad"}),
    )
    .await;
    let id = ad["id"].as_str().expect("id");
    let click = |key: Option<&str>| {
        let mut request = app.post(&format!("/api/v1/carousels/sidebar-ad/slides/{id}/click"));
        if let Some(key) = key {
            request = request.header("idempotency-key", key);
        }
        request.send()
    };
    assert_eq!(click(Some("k-1")).await.status, 204);
    assert_eq!(
        click(Some("k-1")).await.status,
        204,
        "a retry is answered the same"
    );
    assert_eq!(click(Some("k-2")).await.status, 204);
    assert_eq!(click(None).await.status, 204);
    click(Some(&"x".repeat(300))).await.problem(400);
    app.post(&format!("/api/v1/carousels/home-hero/slides/{id}/click"))
        .send()
        .await
        .problem(404);
    app.post(&format!(
        "/api/v1/carousels/sidebar-ad/slides/{}/click",
        uuid::Uuid::now_v7()
    ))
    .send()
    .await
    .problem(404);

    let staff = app
        .get("/api/v1/carousels/sidebar-ad")
        .as_user(&editor)
        .send()
        .await
        .json();
    assert_eq!(staff["slides"][0]["clicks"], 3);
}

#[actix_web::test]
async fn only_editors_manage_carousels_and_drafts_stay_hidden() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let editor = app.user(&admin, "editor").await;
    let author = app.user(&admin, "author").await;
    let image = uploaded(&app, &editor).await;

    app.post("/api/v1/carousels")
        .json(&json!({"key": "x", "name": "x"}))
        .send()
        .await
        .problem(401);
    app.post("/api/v1/carousels")
        .as_user(&author)
        .json(&json!({"key": "x", "name": "x"}))
        .send()
        .await
        .problem(403);
    app.get("/api/v1/carousels")
        .as_user(&author)
        .send()
        .await
        .problem(403);
    carousel(&app, &editor, "home-hero").await;
    app.post("/api/v1/carousels/home-hero/slides")
        .as_user(&author)
        .json(&json!({"image": image}))
        .send()
        .await
        .problem(403);
    let listed = app
        .get("/api/v1/carousels")
        .as_user(&editor)
        .send()
        .await
        .json();
    assert_eq!(listed["meta"]["total"], 1);

    let draft = app
        .post("/api/v1/articles")
        .as_user(&editor)
        .json(&json!({"title": "草稿"}))
        .send()
        .await
        .json();
    slide(
        &app,
        &editor,
        "home-hero",
        json!({"image": image, "title": "to a draft", "article": draft["id"]}),
    )
    .await;
    let public = app.get("/api/v1/carousels/home-hero").send().await.json();
    assert_eq!(
        public["slides"][0]["article"],
        Value::Null,
        "a draft is not linked for readers"
    );
    let staff = app
        .get("/api/v1/carousels/home-hero")
        .as_user(&editor)
        .send()
        .await
        .json();
    assert_eq!(staff["slides"][0]["article"]["id"], draft["id"]);
    let published = app
        .post(&format!(
            "/api/v1/articles/{}/publish",
            draft["id"].as_str().unwrap_or_default()
        ))
        .as_user(&editor)
        .send()
        .await;
    assert_eq!(published.status, 200, "{}", published.text());
    let public = app.get("/api/v1/carousels/home-hero").send().await.json();
    assert_eq!(public["slides"][0]["article"]["slug"], draft["slug"]);

    // An image a slide shows is in use.
    let deleting = app
        .delete(&format!("/api/v1/images/{image}"))
        .as_user(&editor)
        .send()
        .await;
    assert!(
        deleting.problem(409)["detail"]
            .as_str()
            .is_some_and(|d| d.contains("1 carousel slide"))
    );
    assert_eq!(
        app.delete(&format!("/api/v1/images/{image}?force=true"))
            .as_user(&editor)
            .send()
            .await
            .status,
        204
    );
    assert_eq!(
        app.get("/api/v1/carousels/home-hero").send().await.json()["slides"],
        json!([])
    );
}

#[actix_web::test]
async fn carousel_changes_take_if_match_and_deletes_take_the_slides() {
    let app = TestApp::spawn().await;
    let editor = app.editor().await;
    let image = uploaded(&app, &editor).await;
    carousel(&app, &editor, "home-hero").await;
    let read = app
        .get("/api/v1/carousels/home-hero")
        .as_user(&editor)
        .send()
        .await;
    let etag = read.header("etag").expect("etag").to_owned();
    slide(&app, &editor, "home-hero", json!({"image": image})).await;
    let stale = app
        .patch("/api/v1/carousels/home-hero")
        .as_user(&editor)
        .header("if-match", &etag)
        .json(&json!({"name": "新名字"}))
        .send()
        .await;
    stale.problem(412);
    let renamed = app
        .patch("/api/v1/carousels/home-hero")
        .as_user(&editor)
        .json(&json!({"name": "新名字", "key": "front-hero"}))
        .send()
        .await;
    assert_eq!(renamed.status, 200);
    assert_eq!(
        (
            renamed.json()["name"].as_str(),
            renamed.json()["version"].as_i64()
        ),
        (Some("新名字"), Some(3))
    );
    app.get("/api/v1/carousels/home-hero")
        .send()
        .await
        .problem(404);
    assert_eq!(
        app.delete("/api/v1/carousels/front-hero")
            .as_user(&editor)
            .send()
            .await
            .status,
        204
    );
    app.get("/api/v1/carousels/front-hero")
        .send()
        .await
        .problem(404);
}
