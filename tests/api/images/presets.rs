//! Presets: each image lists its presets' files, cut around the focal point or an editor's crop,
//! made on first request, and named so that a new crop gives new URLs.

use image::{DynamicImage, GenericImageView, ImageFormat, Rgb, RgbImage};
use serde_json::{Value, json};

use super::{encoded, fetch, jpeg, upload_ok};
use crate::helpers::TestApp;

/// 800×600: a red band at the left (x < 100), a blue band at the right (x ≥ 700), grey between.
fn banded() -> Vec<u8> {
    let picture = RgbImage::from_fn(800, 600, |x, _| match x {
        0..100 => Rgb([255, 0, 0]),
        700.. => Rgb([0, 0, 255]),
        _ => Rgb([128, 128, 128]),
    });
    encoded(&DynamicImage::ImageRgb8(picture), ImageFormat::Png)
}

fn files_of<'a>(image: &'a Value, preset: &str) -> Vec<&'a Value> {
    image["presets"]
        .as_array()
        .expect("presets")
        .iter()
        .filter(|f| f["preset"] == preset)
        .collect()
}

fn url_of(image: &Value, preset: &str, width: u64, format: &str) -> String {
    files_of(image, preset)
        .into_iter()
        .find(|f| f["width"] == width && f["format"] == format)
        .and_then(|f| f["url"].as_str())
        .unwrap_or_else(|| panic!("no {preset} {width} {format} in {image}"))
        .to_owned()
}

fn is(pixel: image::Rgba<u8>, rgb: [u8; 3]) -> bool {
    pixel.0[..3]
        .iter()
        .zip(rgb)
        .all(|(a, b)| a.abs_diff(b) < 24)
}

#[actix_web::test]
async fn an_image_lists_each_presets_files_and_preset_narrows_the_list() {
    let app = TestApp::spawn().await;
    let editor = app.editor().await;
    let image = upload_ok(&app, &editor, "a.jpg", "image/jpeg", &jpeg(800, 600)).await;
    let sizes = |preset: &str| -> Vec<(u64, u64, String)> {
        files_of(&image, preset)
            .into_iter()
            .map(|f| {
                (
                    f["width"].as_u64().expect("width"),
                    f["height"].as_u64().expect("height"),
                    f["format"].as_str().expect("format").to_owned(),
                )
            })
            .collect()
    };
    // Never wider than the crop: hero's 1280 and 1920 and square's 640 are left out.
    assert_eq!(
        sizes("hero"),
        [(640, 360, "jpeg".into()), (640, 360, "webp".into())]
    );
    assert_eq!(
        sizes("card"),
        [
            (320, 240, "jpeg".into()),
            (320, 240, "webp".into()),
            (640, 480, "jpeg".into()),
            (640, 480, "webp".into())
        ]
    );
    assert_eq!(sizes("square").len(), 4);
    assert_eq!(image["focal_x"], 0.5);
    assert_eq!(image["crops"], json!({}));
    assert_eq!(image["variants"].as_array().map(Vec::len), Some(4));

    let id = image["id"].as_str().expect("id");
    let card = app
        .get(&format!("/api/v1/images/{id}?preset=card"))
        .as_user(&editor)
        .send()
        .await
        .json();
    assert_eq!(card["presets"].as_array().map(Vec::len), Some(4));
    assert!(
        card["presets"]
            .as_array()
            .expect("list")
            .iter()
            .all(|f| f["preset"] == "card")
    );
    let list = app
        .get("/api/v1/images?preset=square")
        .as_user(&editor)
        .send()
        .await
        .json();
    assert!(
        list["data"][0]["presets"]
            .as_array()
            .expect("list")
            .iter()
            .all(|f| f["preset"] == "square")
    );
    for preset in ["banner", ""] {
        app.get(&format!("/api/v1/images/{id}?preset={preset}"))
            .as_user(&editor)
            .send()
            .await
            .problem(400);
        app.get(&format!("/api/v1/images?preset={preset}"))
            .as_user(&editor)
            .send()
            .await
            .problem(400);
    }
}

#[actix_web::test]
async fn preset_files_are_cut_around_the_focal_point_and_a_new_point_gives_new_urls() {
    let app = TestApp::spawn().await;
    let editor = app.editor().await;
    let image = upload_ok(&app, &editor, "bands.png", "image/png", &banded()).await;
    let id = image["id"].as_str().expect("id");
    // Centred, the 600×600 square holds neither band's far edge… but cuts 100 px off each side.
    let centred = url_of(&image, "square", 320, "png");
    let (status, content_type, bytes) = fetch(&app, &centred).await;
    assert_eq!((status, content_type.as_deref()), (200, Some("image/png")));
    let square = image::load_from_memory(&bytes).expect("a PNG");
    assert_eq!(square.dimensions(), (320, 320));
    assert!(
        is(square.get_pixel(2, 160), [128, 128, 128]),
        "centred: grey at the left"
    );

    let moved = app
        .patch(&format!("/api/v1/images/{id}"))
        .json(&json!({"focal_x": 0.0, "focal_y": 0.5}))
        .as_user(&editor)
        .send()
        .await;
    assert_eq!(moved.status, 200, "{}", moved.text());
    let moved = moved.json();
    assert_eq!(moved["focal_x"], 0.0);
    let left = url_of(&moved, "square", 320, "png");
    assert_ne!(left, centred, "a new focal point gives new URLs");
    let square = image::load_from_memory(&fetch(&app, &left).await.2).expect("a PNG");
    assert!(
        is(square.get_pixel(2, 160), [255, 0, 0]),
        "red band kept at the left"
    );
    assert!(
        is(square.get_pixel(317, 160), [128, 128, 128]),
        "blue band cut off"
    );

    let right = app
        .patch(&format!("/api/v1/images/{id}"))
        .json(&json!({"focal_x": 1.0}))
        .as_user(&editor)
        .send()
        .await
        .json();
    let square =
        image::load_from_memory(&fetch(&app, &url_of(&right, "square", 320, "webp")).await.2)
            .expect("a WebP");
    assert!(
        is(square.get_pixel(317, 160), [0, 0, 255]),
        "blue band kept at the right"
    );
    assert!(
        is(square.get_pixel(2, 160), [128, 128, 128]),
        "red band cut off"
    );
    // The file cut before stays: pages cached with its URL keep working.
    assert_eq!(fetch(&app, &left).await.0, 200);
}

#[actix_web::test]
async fn a_crop_overrides_the_focal_point_and_bad_ones_are_refused() {
    let app = TestApp::spawn().await;
    let editor = app.editor().await;
    let image = upload_ok(&app, &editor, "bands.png", "image/png", &banded()).await;
    let id = image["id"].as_str().expect("id");
    let path = format!("/api/v1/images/{id}");
    let cropped = app
        .patch(&path)
        .json(&json!({"crops": {"card": {"x": 700, "y": 0, "width": 100, "height": 75}}}))
        .as_user(&editor)
        .send()
        .await;
    assert_eq!(cropped.status, 200, "{}", cropped.text());
    let cropped = cropped.json();
    assert_eq!(cropped["crops"]["card"]["x"], 700);
    let files = files_of(&cropped, "card");
    assert_eq!(files.len(), 2, "one size, the crop's own: {files:?}");
    let card = image::load_from_memory(&fetch(&app, &url_of(&cropped, "card", 100, "png")).await.2)
        .expect("a PNG");
    assert_eq!(card.dimensions(), (100, 75));
    assert!(is(card.get_pixel(50, 37), [0, 0, 255]), "all blue");
    // Other presets still follow the focal point.
    assert_eq!(files_of(&cropped, "square").len(), 4);

    for (crops, field, code) in [
        (
            json!({"card": {"x": 750, "y": 0, "width": 100, "height": 75}}),
            "crops.card",
            "invalid",
        ),
        (
            json!({"card": {"x": 0, "y": 0, "width": 0, "height": 75}}),
            "crops.card",
            "invalid",
        ),
        (
            json!({"banner": {"x": 0, "y": 0, "width": 10, "height": 10}}),
            "crops.banner",
            "not_found",
        ),
    ] {
        let refused = app
            .patch(&path)
            .json(&json!({"crops": crops}))
            .as_user(&editor)
            .send()
            .await;
        refused.problem(422);
        assert!(
            refused
                .field_errors()
                .contains(&(field.to_owned(), code.to_owned())),
            "{crops}: {:?}",
            refused.field_errors()
        );
    }
    let refused = app
        .patch(&path)
        .json(&json!({"focal_x": 1.5, "focal_y": -0.1}))
        .as_user(&editor)
        .send()
        .await;
    refused.problem(422);
    let fields: Vec<String> = refused.field_errors().into_iter().map(|(f, _)| f).collect();
    assert!(
        fields.contains(&"focal_x".to_owned()) && fields.contains(&"focal_y".to_owned()),
        "{fields:?}"
    );

    let cleared = app
        .patch(&path)
        .json(&json!({"crops": {"card": null}}))
        .as_user(&editor)
        .send()
        .await
        .json();
    assert_eq!(cleared["crops"], json!({}));
    assert_eq!(files_of(&cleared, "card").len(), 4);
}

#[actix_web::test]
async fn only_listed_preset_files_are_made_and_they_never_change() {
    let app = TestApp::spawn().await;
    let editor = app.editor().await;
    let image = upload_ok(&app, &editor, "a.jpg", "image/jpeg", &jpeg(800, 600)).await;
    let sha = image["sha256"].as_str().expect("sha");
    let listed = url_of(&image, "card", 640, "webp");
    let first = app.get(&listed).send().await;
    assert_eq!(first.status, 200);
    assert_eq!(first.header("content-type"), Some("image/webp"));
    assert_eq!(
        first.header("cache-control"),
        Some("public, max-age=31536000, immutable")
    );
    assert_eq!(
        image::load_from_memory(&first.body)
            .expect("decodes")
            .width(),
        640
    );
    assert_eq!(app.get(&listed).send().await.body, first.body);
    // Made together: the card's other files are stored already.
    assert_eq!(super::stored_files(&app, "card_").len(), 4);

    for unlisted in [
        // A size, a crop and a preset nobody lists, a signature-less transform, a bad name.
        format!("/media/{sha}/card_641x481_c0-0-800-600.webp"),
        format!("/media/{sha}/card_640x480_c0-0-700-525.webp"),
        format!("/media/{sha}/banner_640x480_c0-0-800-600.webp"),
        format!("/media/{sha}/t_640x480_c0-0-800-600.webp"),
        format!("/media/{sha}/card_640x480_c0-0-800-600_wdeadbeef.webp"),
        format!("/media/{}/card_640x480_c0-0-800-600.webp", "0".repeat(64)),
    ] {
        app.get(&unlisted).send().await.problem(404);
    }
    assert_eq!(
        super::stored_files(&app, "card_").len(),
        4,
        "nothing else was made"
    );
}

#[actix_web::test]
async fn admins_add_presets_in_the_site_settings_and_bad_ones_are_listed() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let editor = app.user(&admin, "editor").await;
    let banner = json!({"presets": [{"name": "banner", "ratio": "3:1", "widths": [600, 300]}]});
    app.patch("/api/v1/site")
        .json(&banner)
        .as_user(&editor)
        .send()
        .await
        .problem(403);
    let site = app
        .patch("/api/v1/site")
        .json(&banner)
        .as_user(&admin)
        .send()
        .await;
    assert_eq!(site.status, 200, "{}", site.text());
    let names: Vec<Value> = site.json()["presets"]
        .as_array()
        .expect("presets")
        .iter()
        .map(|p| p["name"].clone())
        .collect();
    assert_eq!(names, ["hero", "card", "square", "banner"]);

    let image = upload_ok(&app, &editor, "a.jpg", "image/jpeg", &jpeg(800, 600)).await;
    let banner = files_of(&image, "banner");
    assert_eq!(banner.len(), 4);
    assert_eq!(
        (banner[2]["width"].as_u64(), banner[2]["height"].as_u64()),
        (Some(600), Some(200))
    );
    let bytes = fetch(&app, banner[2]["url"].as_str().expect("url")).await.2;
    assert_eq!(
        image::load_from_memory(&bytes)
            .expect("decodes")
            .dimensions(),
        (600, 200)
    );

    let refused = app
        .patch("/api/v1/site")
        .json(&json!({"presets": [
            {"name": "wide", "ratio": "0:1", "widths": [8]},
            {"name": "wide", "ratio": "2:1", "widths": [300], "formats": []},
        ]}))
        .as_user(&admin)
        .send()
        .await;
    refused.problem(422);
    let errors = refused.field_errors();
    for expected in [
        ("presets[0].ratio", "invalid"),
        ("presets[0].widths", "invalid"),
        ("presets[1].name", "taken"),
        ("presets[1].formats", "invalid"),
    ] {
        assert!(
            errors.contains(&(expected.0.to_owned(), expected.1.to_owned())),
            "{expected:?} in {errors:?}"
        );
    }
}

#[actix_web::test]
async fn simultaneous_first_requests_of_a_preset_get_the_same_file() {
    let app = TestApp::spawn().await;
    let editor = app.editor().await;
    let image = upload_ok(&app, &editor, "a.jpg", "image/jpeg", &jpeg(800, 600)).await;
    let (small, large) = (
        url_of(&image, "hero", 640, "webp"),
        url_of(&image, "hero", 640, "jpeg"),
    );
    let (a, b, c) = futures_util::future::join3(
        app.get(&small).send(),
        app.get(&small).send(),
        app.get(&large).send(),
    )
    .await;
    assert_eq!(
        (a.status.as_u16(), b.status.as_u16(), c.status.as_u16()),
        (200, 200, 200)
    );
    assert_eq!(a.body, b.body);
    assert_eq!(c.header("content-type"), Some("image/jpeg"));
    assert_eq!(super::stored_files(&app, "hero_").len(), 2);
}

#[actix_web::test]
async fn only_the_owner_or_an_editor_moves_the_focal_point() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let owner = app.user(&admin, "author").await;
    let other = app.user(&admin, "author").await;
    let contributor = app.user(&admin, "contributor").await;
    let image = upload_ok(&app, &owner, "a.jpg", "image/jpeg", &jpeg(400, 300)).await;
    let path = format!("/api/v1/images/{}", image["id"].as_str().expect("id"));
    let body = json!({"focal_x": 0.2});
    app.patch(&path).json(&body).send().await.problem(401);
    app.patch(&path)
        .json(&body)
        .as_user(&contributor)
        .send()
        .await
        .problem(403);
    app.patch(&path)
        .json(&body)
        .as_user(&other)
        .send()
        .await
        .problem(403);
    let moved = app.patch(&path).json(&body).as_user(&owner).send().await;
    assert_eq!(moved.status, 200, "{}", moved.text());
    assert_eq!(moved.json()["focal_x"], 0.2);
}
