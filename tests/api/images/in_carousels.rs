//! Carousels name a preset, and their slides embed that preset's files.

use serde_json::{Value, json};

use super::{jpeg, upload_ok};
use crate::helpers::TestApp;

fn presets_of(slide: &Value) -> Vec<String> {
    slide["image"]["presets"]
        .as_array()
        .expect("presets")
        .iter()
        .map(|f| f["preset"].as_str().expect("preset").to_owned())
        .collect()
}

#[actix_web::test]
async fn slides_embed_the_files_of_their_carousels_preset() {
    let app = TestApp::spawn().await;
    let editor = app.editor().await;
    let image = upload_ok(&app, &editor, "a.jpg", "image/jpeg", &jpeg(800, 600)).await;

    let hero = app
        .post("/api/v1/carousels")
        .as_user(&editor)
        .json(&json!({"key": "home-hero", "name": "首页焦点图"}))
        .send()
        .await
        .json();
    assert_eq!(hero["preset"], "hero", "hero when none is named");
    let slide = app
        .post("/api/v1/carousels/home-hero/slides")
        .as_user(&editor)
        .json(&json!({"image": image["id"], "title": "那达慕"}))
        .send()
        .await;
    assert_eq!(slide.status, 201, "{}", slide.text());
    let read = app.get("/api/v1/carousels/home-hero").send().await.json();
    assert_eq!(presets_of(&read["slides"][0]), ["hero", "hero"]);
    assert_eq!(read["slides"][0]["image"]["presets"][0]["height"], 360);

    let changed = app
        .patch("/api/v1/carousels/home-hero")
        .as_user(&editor)
        .json(&json!({"preset": "square"}))
        .send()
        .await;
    assert_eq!(changed.status, 200, "{}", changed.text());
    assert_eq!(changed.json()["preset"], "square");
    let read = app.get("/api/v1/carousels/home-hero").send().await.json();
    assert_eq!(presets_of(&read["slides"][0]), ["square"; 4]);

    let cards = app
        .post("/api/v1/carousels")
        .as_user(&editor)
        .json(&json!({"key": "cards", "name": "卡片", "preset": "card"}))
        .send()
        .await;
    assert_eq!(cards.status, 201, "{}", cards.text());
    for (method, path, body) in [
        (
            "POST",
            "/api/v1/carousels",
            json!({"key": "odd", "name": "x", "preset": "banner"}),
        ),
        (
            "PATCH",
            "/api/v1/carousels/cards",
            json!({"preset": "banner"}),
        ),
    ] {
        let refused = match method {
            "POST" => app.post(path),
            _ => app.patch(path),
        }
        .as_user(&editor)
        .json(&body)
        .send()
        .await;
        assert_eq!(
            refused.field_errors(),
            [("preset".to_owned(), "not_found".to_owned())],
            "{method} {path}"
        );
    }
    // A malformed name is refused before a stale If-Match is looked at.
    let malformed = app
        .patch("/api/v1/carousels/cards")
        .as_user(&editor)
        .header("if-match", "\"stale\"")
        .json(&json!({"preset": ""}))
        .send()
        .await;
    assert_eq!(
        malformed.field_errors(),
        [("preset".to_owned(), "invalid".to_owned())]
    );
}
