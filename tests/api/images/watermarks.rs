//! The watermark: drawn on the files of the presets marked for it, on the variants when asked,
//! and then the clean files are for staff only.

use image::{DynamicImage, GenericImageView, ImageFormat, Rgb, RgbImage};
use serde_json::{Value, json};

use super::{encoded, fetch, upload_ok};
use crate::helpers::{Session, TestApp};

fn black(width: u32, height: u32) -> Vec<u8> {
    encoded(
        &DynamicImage::ImageRgb8(RgbImage::from_pixel(width, height, Rgb([0, 0, 0]))),
        ImageFormat::Png,
    )
}

fn white_mark() -> Vec<u8> {
    encoded(
        &DynamicImage::ImageRgb8(RgbImage::from_pixel(40, 40, Rgb([255, 255, 255]))),
        ImageFormat::Png,
    )
}

async fn set_watermark(app: &TestApp, admin: &Session, settings: Value) -> Value {
    let response = app
        .patch("/api/v1/site")
        .json(&settings)
        .as_user(admin)
        .send()
        .await;
    assert_eq!(response.status, 200, "{}", response.text());
    response.json()
}

fn url<'a>(image: &'a Value, preset: &str, width: u64) -> &'a str {
    image["presets"]
        .as_array()
        .expect("presets")
        .iter()
        .find(|f| f["preset"] == preset && f["width"] == width && f["format"] == "png")
        .and_then(|f| f["url"].as_str())
        .unwrap_or_else(|| panic!("no {preset} {width} in {image}"))
}

async fn read(app: &TestApp, editor: &Session, id: &str) -> Value {
    app.get(&format!("/api/v1/images/{id}"))
        .as_user(editor)
        .send()
        .await
        .json()
}

#[actix_web::test]
async fn marked_presets_carry_the_watermark_where_the_settings_put_it() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let editor = app.user(&admin, "editor").await;
    let mark = upload_ok(&app, &editor, "mark.png", "image/png", &white_mark()).await;
    let photo = upload_ok(&app, &editor, "photo.png", "image/png", &black(800, 600)).await;
    let id = photo["id"].as_str().expect("id");
    let site = set_watermark(
        &app,
        &admin,
        json!({
            "presets": [{"name": "card", "ratio": "4:3", "widths": [320], "watermark": true}],
            "watermark": {"image": mark["id"], "position": "bottom-right", "opacity": 1, "size": 0.25},
        }),
    )
    .await;
    assert_eq!(site["watermark"]["position"], "bottom-right");
    assert_eq!(site["watermark"]["variants"], false);

    let photo = read(&app, &editor, id).await;
    let card = url(&photo, "card", 320).to_owned();
    assert!(card.contains("_w"), "the watermark is in the name: {card}");
    assert!(
        !url(&photo, "square", 320).contains("_w"),
        "square is not marked"
    );
    assert!(
        !photo["variants"][0]["url"]
            .as_str()
            .expect("url")
            .contains("_w")
    );

    let picture = image::load_from_memory(&fetch(&app, &card).await.2).expect("a PNG");
    assert_eq!(picture.dimensions(), (320, 240));
    // A quarter of the width (80 px), 2% (6 px) in from the bottom-right corner.
    assert!(
        picture.get_pixel(270, 200).0[0] > 230,
        "white mark at the bottom right"
    );
    assert!(picture.get_pixel(20, 20).0[0] < 25, "black elsewhere");
    let square =
        image::load_from_memory(&fetch(&app, url(&photo, "square", 320)).await.2).expect("a PNG");
    assert!(square.get_pixel(300, 300).0[0] < 25, "no mark on square");
    // The original stays public while the variants carry no mark.
    assert_eq!(
        fetch(&app, photo["url"].as_str().expect("url")).await.0,
        200
    );

    let fainter = set_watermark(
        &app,
        &admin,
        json!({"watermark": {"image": mark["id"], "opacity": 0.5, "size": 0.25, "position": "top-left"}}),
    )
    .await;
    assert_eq!(fainter["watermark"]["opacity"], 0.5);
    let photo = read(&app, &editor, id).await;
    let moved = url(&photo, "card", 320).to_owned();
    assert_ne!(moved, card, "new watermark settings give new URLs");
    let picture = image::load_from_memory(&fetch(&app, &moved).await.2).expect("a PNG");
    let grey = picture.get_pixel(30, 30).0[0];
    assert!(
        (100..160).contains(&grey),
        "half-opaque white on black, top left: {grey}"
    );
    // The file drawn with the old settings is still served; nothing makes new ones of it.
    assert_eq!(fetch(&app, &card).await.0, 200);

    let in_use = app
        .delete(&format!(
            "/api/v1/images/{}",
            mark["id"].as_str().expect("id")
        ))
        .as_user(&editor)
        .send()
        .await;
    assert!(
        in_use.problem(409)["detail"]
            .as_str()
            .is_some_and(|d| d.contains("in use by the site's watermark;")),
        "{}",
        in_use.text()
    );
    set_watermark(&app, &admin, json!({"watermark": null})).await;
    let photo = read(&app, &editor, id).await;
    assert!(!url(&photo, "card", 320).contains("_w"));
}

#[actix_web::test]
async fn with_marked_variants_the_clean_files_are_for_staff_only() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let editor = app.user(&admin, "editor").await;
    let member = app.user(&admin, "member").await;
    let mark = upload_ok(&app, &editor, "mark.png", "image/png", &white_mark()).await;
    let photo = upload_ok(&app, &editor, "photo.png", "image/png", &black(800, 600)).await;
    let clean_variant = photo["variants"][0]["url"]
        .as_str()
        .expect("url")
        .to_owned();
    let article = app
        .post("/api/v1/articles")
        .as_user(&editor)
        .json(&json!({"title": "水印", "body": format!("![黑](image:{})", photo["id"].as_str().expect("id"))}))
        .send()
        .await
        .json();
    set_watermark(
        &app,
        &admin,
        json!({"watermark": {"image": mark["id"], "opacity": 1, "size": 0.5, "variants": true}}),
    )
    .await;
    let photo = read(&app, &editor, photo["id"].as_str().expect("id")).await;
    let marked = photo["variants"][0]["url"].as_str().expect("url");
    assert!(
        marked.ends_with(".png") && marked.contains("/320_w"),
        "{marked}"
    );
    let (status, _, bytes) = fetch(&app, marked).await;
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&bytes));
    let picture = image::load_from_memory(&bytes).expect("a PNG");
    assert_eq!(picture.width(), 320);
    assert!(picture.get_pixel(240, 200).0[0] > 230, "marked");

    let original = photo["url"].as_str().expect("url");
    app.get(original).send().await.problem(401);
    app.get(original).as_user(&member).send().await.problem(403);
    app.get(&clean_variant).send().await.problem(401);
    let staff = app.get(original).as_user(&editor).send().await;
    assert_eq!(staff.status, 200);
    assert_eq!(staff.header("cache-control"), Some("private, no-store"));

    // Bodies rendered before follow: their figures show the marked variants, not the original.
    let html = app
        .get(&format!(
            "/api/v1/articles/{}",
            article["id"].as_str().expect("id")
        ))
        .as_user(&editor)
        .send()
        .await
        .json()["body_html"]
        .as_str()
        .expect("html")
        .to_owned();
    let largest = photo["variants"][2]["url"].as_str().expect("url");
    assert!(html.contains(&format!(r#"<img src="{largest}""#)), "{html}");
    assert!(html.contains(marked) && !html.contains(original), "{html}");
}

#[actix_web::test]
async fn watermark_settings_are_checked() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    for (watermark, field) in [
        (json!({"image": uuid::Uuid::now_v7()}), "watermark.image"),
        (
            json!({"image": uuid::Uuid::now_v7(), "opacity": 0}),
            "watermark.opacity",
        ),
        (
            json!({"image": uuid::Uuid::now_v7(), "size": 1.5}),
            "watermark.size",
        ),
        (
            json!({"image": uuid::Uuid::now_v7(), "position": "middle"}),
            "watermark.position",
        ),
    ] {
        let refused = app
            .patch("/api/v1/site")
            .json(&json!({"watermark": watermark}))
            .as_user(&admin)
            .send()
            .await;
        let fields: Vec<String> = refused.field_errors().into_iter().map(|(f, _)| f).collect();
        assert!(
            fields.contains(&field.to_owned()),
            "{watermark}: {fields:?}"
        );
    }
}
