//! What an upload makes: the picture measured, kept in its format, turned upright, and served
//! with its variants.

use image::ImageFormat;

use super::{
    encoded, exif, fetch, jpeg, jpeg_with_exif, picture, png_with_alpha, sha256, upload, upload_ok,
};
use crate::helpers::{Part, TestApp};

#[actix_web::test]
async fn a_jpeg_upload_is_measured_stored_and_served_with_its_variants() {
    let app = TestApp::spawn().await;
    let editor = app.editor().await;
    let bytes = jpeg(1200, 800);
    let response = upload(
        &app,
        &editor,
        &[
            Part::text("alt", "工作人员为老人测量血压"),
            Part::file("file", "血压.jpg", "image/jpeg", &bytes),
            Part::text("caption", "社区卫生服务站的工作人员为老人测量血压。"),
            Part::text("credit", "朝鲁门 摄"),
        ],
    )
    .await;
    assert_eq!(response.status, 201, "{}", response.text());
    let image = response.json();
    let id = image["id"].as_str().expect("an id");
    assert_eq!(
        response.header("location"),
        Some(format!("/api/v1/images/{id}").as_str())
    );
    let sha = sha256(&bytes);
    assert_eq!(image["sha256"], sha);
    assert_eq!(
        (image["width"].as_i64(), image["height"].as_i64()),
        (Some(1200), Some(800))
    );
    assert_eq!(image["mime"], "image/jpeg");
    assert_eq!(image["alt"], "工作人员为老人测量血压");
    assert_eq!(image["caption"], "社区卫生服务站的工作人员为老人测量血压。");
    assert_eq!(image["credit"], "朝鲁门 摄");
    assert_eq!(image["url"], format!("/media/{sha}/original.jpg"));
    assert_eq!(image["blurhash"].as_str().map(str::len), Some(28));
    let variants: Vec<(i64, i64, &str)> = image["variants"]
        .as_array()
        .expect("variants")
        .iter()
        .map(|v| {
            (
                v["width"].as_i64().unwrap_or(0),
                v["height"].as_i64().unwrap_or(0),
                v["format"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(
        variants,
        vec![
            (320, 213, "jpeg"),
            (320, 213, "webp"),
            (640, 427, "jpeg"),
            (640, 427, "webp"),
            (1024, 683, "jpeg"),
            (1024, 683, "webp")
        ]
    );

    let (status, content_type, original) = fetch(&app, &format!("/media/{sha}/original.jpg")).await;
    assert_eq!((status, content_type.as_deref()), (200, Some("image/jpeg")));
    assert_eq!(image["size_bytes"].as_u64(), Some(original.len() as u64));
    let served = image::load_from_memory(&original).expect("the original decodes");
    assert_eq!((served.width(), served.height()), (1200, 800));
    for variant in image["variants"].as_array().expect("variants") {
        let url = variant["url"].as_str().expect("a url");
        let (status, content_type, bytes) = fetch(&app, url).await;
        assert_eq!(status, 200, "{url}");
        assert_eq!(content_type.as_deref(), variant["mime"].as_str());
        let decoded = image::load_from_memory(&bytes).expect("a variant decodes");
        assert_eq!(
            (i64::from(decoded.width()), i64::from(decoded.height())),
            (
                variant["width"].as_i64().unwrap_or(0),
                variant["height"].as_i64().unwrap_or(0)
            ),
            "{url}"
        );
    }

    let read = app
        .get(&format!("/api/v1/images/{id}"))
        .as_user(&editor)
        .send()
        .await;
    assert_eq!(read.status, 200);
    assert_eq!(read.json()["sha256"], sha);
}

#[actix_web::test]
async fn png_webp_and_gif_are_taken_and_kept_in_their_format() {
    let app = TestApp::spawn().await;
    let editor = app.editor().await;
    let png = upload_ok(
        &app,
        &editor,
        "logo.png",
        "image/png",
        &png_with_alpha(700, 100),
    )
    .await;
    assert_eq!(png["mime"], "image/png");
    let formats: Vec<&str> = png["variants"]
        .as_array()
        .expect("variants")
        .iter()
        .map(|v| v["format"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(formats, vec!["png", "webp", "png", "webp"]);
    let (_, _, webp_variant) = fetch(&app, png["variants"][1]["url"].as_str().expect("url")).await;
    let decoded = image::load_from_memory(&webp_variant).expect("decodes");
    assert!(decoded.color().has_alpha(), "transparency survives in WebP");

    let webp = upload_ok(
        &app,
        &editor,
        "photo.webp",
        "image/webp",
        &encoded(&picture(500, 400), ImageFormat::WebP),
    )
    .await;
    assert_eq!(webp["mime"], "image/webp");
    let formats: Vec<&str> = webp["variants"]
        .as_array()
        .expect("variants")
        .iter()
        .map(|v| v["format"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(formats, vec!["webp"], "one WebP a width, not two");
    assert!(
        webp["url"]
            .as_str()
            .is_some_and(|u| u.ends_with("/original.webp"))
    );

    let gif_bytes = encoded(&picture(400, 300), ImageFormat::Gif);
    let gif = upload_ok(&app, &editor, "anim.gif", "image/gif", &gif_bytes).await;
    assert_eq!(gif["mime"], "image/gif");
    let (status, content_type, original) = fetch(&app, gif["url"].as_str().expect("url")).await;
    assert_eq!((status, content_type.as_deref()), (200, Some("image/gif")));
    assert_eq!(
        original, gif_bytes,
        "GIFs carry no camera metadata and are kept byte for byte"
    );
}

#[actix_web::test]
async fn exif_orientation_is_applied_and_camera_metadata_never_served() {
    let app = TestApp::spawn().await;
    let editor = app.editor().await;
    // Orientation 6: the camera was turned; the picture is seen 300 wide and 400 high.
    let turned = upload_ok(
        &app,
        &editor,
        "phone.jpg",
        "image/jpeg",
        &jpeg_with_exif(400, 300, 6, "SecretCam GPS 43.6N"),
    )
    .await;
    assert_eq!(
        (turned["width"].as_i64(), turned["height"].as_i64()),
        (Some(300), Some(400))
    );
    let (_, _, original) = fetch(&app, turned["url"].as_str().expect("url")).await;
    let seen = image::load_from_memory(&original).expect("decodes");
    assert_eq!((seen.width(), seen.height()), (300, 400));
    assert!(!contains(&original, b"SecretCam"));

    // Upright: the pixels are left alone, only the metadata goes.
    let upright_bytes = jpeg_with_exif(400, 300, 1, "SecretCam GPS 43.6N");
    assert!(contains(&upright_bytes, b"SecretCam"));
    let upright = upload_ok(&app, &editor, "camera.jpg", "image/jpeg", &upright_bytes).await;
    let (_, _, original) = fetch(&app, upright["url"].as_str().expect("url")).await;
    assert!(!contains(&original, b"SecretCam"));
    assert!(!contains(&original, b"Exif"));
    assert_eq!(
        original.len(),
        upright_bytes.len() - exif(1, "SecretCam GPS 43.6N").len() - 10,
        "only the EXIF segment is gone"
    );
    for variant in upright["variants"].as_array().expect("variants") {
        let (_, _, bytes) = fetch(&app, variant["url"].as_str().expect("url")).await;
        assert!(!contains(&bytes, b"SecretCam"));
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}
