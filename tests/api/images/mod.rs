//! Images: uploads of real pictures made here, what is stored, served and refused.

use std::io::Cursor;

use image::{DynamicImage, ImageFormat, Rgb, RgbImage, Rgba, RgbaImage};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::helpers::{Part, Session, TestApp};

/// A photo-like picture: gradients, so that every format has something to compress.
fn picture(width: u32, height: u32) -> DynamicImage {
    DynamicImage::ImageRgb8(RgbImage::from_fn(width, height, |x, y| {
        Rgb([
            (x * 255 / width) as u8,
            (y * 255 / height) as u8,
            ((x + y) % 256) as u8,
        ])
    }))
}

fn encoded(image: &DynamicImage, format: ImageFormat) -> Vec<u8> {
    let mut bytes = Vec::new();
    image
        .write_to(&mut Cursor::new(&mut bytes), format)
        .expect("encodes");
    bytes
}

fn jpeg(width: u32, height: u32) -> Vec<u8> {
    encoded(&picture(width, height), ImageFormat::Jpeg)
}

fn png_with_alpha(width: u32, height: u32) -> Vec<u8> {
    let image = RgbaImage::from_fn(width, height, |x, _| Rgba([200, 30, 30, (x % 256) as u8]));
    encoded(&DynamicImage::ImageRgba8(image), ImageFormat::Png)
}

/// A TIFF/EXIF block with an orientation and a camera make, big-endian.
fn exif(orientation: u16, make: &str) -> Vec<u8> {
    let make = format!("{make}\0");
    let mut tiff = b"MM\x00\x2a\x00\x00\x00\x08".to_vec();
    tiff.extend(2u16.to_be_bytes());
    tiff.extend(0x0112u16.to_be_bytes()); // Orientation, SHORT, 1
    tiff.extend(3u16.to_be_bytes());
    tiff.extend(1u32.to_be_bytes());
    tiff.extend(orientation.to_be_bytes());
    tiff.extend([0, 0]);
    tiff.extend(0x010Fu16.to_be_bytes()); // Make, ASCII
    tiff.extend(2u16.to_be_bytes());
    tiff.extend((make.len() as u32).to_be_bytes());
    tiff.extend(38u32.to_be_bytes()); // right after this IFD
    tiff.extend(0u32.to_be_bytes());
    tiff.extend(make.as_bytes());
    tiff
}

fn jpeg_with_exif(width: u32, height: u32, orientation: u16, make: &str) -> Vec<u8> {
    use img_parts::{ImageEXIF, jpeg::Jpeg};
    let mut jpeg = Jpeg::from_bytes(jpeg(width, height).into()).expect("a JPEG");
    jpeg.set_exif(Some(exif(orientation, make).into()));
    let mut out = Vec::new();
    jpeg.encoder().write_to(&mut out).expect("writes");
    out
}

/// A real PNG whose header claims `width`×`height`; the pixels never match, so only a check
/// made before decoding can answer about the size.
fn png_claiming(width: u32, height: u32) -> Vec<u8> {
    let mut bytes = encoded(&picture(4, 4), ImageFormat::Png);
    // IHDR data starts after the 8-byte signature, the length and the type.
    bytes[16..20].copy_from_slice(&width.to_be_bytes());
    bytes[20..24].copy_from_slice(&height.to_be_bytes());
    let crc = crc32(&bytes[12..29]);
    bytes[29..33].copy_from_slice(&crc.to_be_bytes());
    bytes
}

fn crc32(data: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for byte in data {
        crc ^= u32::from(*byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

fn sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The id of a small picture uploaded by `user`.
pub async fn uploaded(app: &TestApp, user: &Session) -> String {
    let image = upload_ok(app, user, "a.jpg", "image/jpeg", &jpeg(40, 30)).await;
    image["id"].as_str().expect("an id").to_owned()
}

async fn upload(app: &TestApp, user: &Session, parts: &[Part]) -> crate::helpers::TestResponse {
    app.post("/api/v1/images")
        .as_user(user)
        .multipart(parts)
        .send()
        .await
}

async fn upload_ok(app: &TestApp, user: &Session, name: &str, mime: &str, bytes: &[u8]) -> Value {
    let response = upload(app, user, &[Part::file("file", name, mime, bytes)]).await;
    assert_eq!(response.status, 201, "{}", response.text());
    response.json()
}

/// A served file: status, content type and bytes.
async fn fetch(app: &TestApp, url: &str) -> (u16, Option<String>, Vec<u8>) {
    let response = app.get(url).send().await;
    (
        response.status.as_u16(),
        response.header("content-type").map(str::to_owned),
        response.body.to_vec(),
    )
}

/// Files under the media directory whose path contains `part`.
fn stored_files(app: &TestApp, part: &str) -> Vec<String> {
    fn walk(dir: &std::path::Path, out: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(&path, out);
            } else {
                out.push(path.to_string_lossy().into_owned());
            }
        }
    }
    let mut files = Vec::new();
    walk(app.media.path(), &mut files);
    files.retain(|f| f.contains(part) && !f.contains("spool"));
    files
}

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
async fn the_type_comes_from_the_content_and_bad_files_are_refused_without_a_trace() {
    let app = TestApp::spawn().await;
    let editor = app.editor().await;
    // A PNG called a JPEG is a PNG.
    let lying = upload_ok(
        &app,
        &editor,
        "photo.jpg",
        "image/jpeg",
        &png_with_alpha(50, 50),
    )
    .await;
    assert_eq!(lying["mime"], "image/png");
    assert!(
        lying["url"]
            .as_str()
            .is_some_and(|u| u.ends_with("/original.png"))
    );

    let pdf = upload(
        &app,
        &editor,
        &[Part::file(
            "file",
            "report.pdf",
            "application/pdf",
            b"%PDF-1.7\n1 0 obj\n",
        )],
    )
    .await;
    pdf.problem(415);
    let bmp: Vec<u8> = b"BM".iter().copied().chain([0u8; 60]).collect();
    let bmp = upload(
        &app,
        &editor,
        &[Part::file("file", "x.bmp", "image/bmp", &bmp)],
    )
    .await;
    assert!(
        bmp.problem(415)["detail"]
            .as_str()
            .is_some_and(|d| d.contains("BMP"))
    );
    let text = upload(
        &app,
        &editor,
        &[Part::file(
            "file",
            "photo.jpg",
            "image/jpeg",
            b"this is not a picture at all",
        )],
    )
    .await;
    assert_eq!(
        text.field_errors(),
        vec![("file".to_owned(), "invalid".to_owned())]
    );

    let whole = jpeg(300, 200);
    let truncated = upload(
        &app,
        &editor,
        &[Part::file(
            "file",
            "cut.jpg",
            "image/jpeg",
            &whole[..whole.len() / 2],
        )],
    )
    .await;
    assert_eq!(
        truncated.field_errors(),
        vec![("file".to_owned(), "invalid".to_owned())]
    );
    let whole_png = png_with_alpha(300, 200);
    let truncated_png = upload(
        &app,
        &editor,
        &[Part::file(
            "file",
            "cut.png",
            "image/png",
            &whole_png[..whole_png.len() / 2],
        )],
    )
    .await;
    truncated_png.problem(422);

    let bomb = upload(
        &app,
        &editor,
        &[Part::file(
            "file",
            "bomb.png",
            "image/png",
            &png_claiming(30_000, 30_000),
        )],
    )
    .await;
    let problem = bomb.problem(422);
    assert!(
        problem["detail"]
            .as_str()
            .is_some_and(|d| d.contains("900.0 megapixels")),
        "{problem}"
    );

    let list = app
        .get("/api/v1/images")
        .as_user(&editor)
        .send()
        .await
        .json();
    assert_eq!(list["meta"]["total"], 1, "only the lying PNG was kept");
    assert_eq!(stored_files(&app, &sha256(&whole)), Vec::<String>::new());
    assert_eq!(
        stored_files(&app, &sha256(&png_claiming(30_000, 30_000))),
        Vec::<String>::new()
    );
}

#[actix_web::test]
async fn an_upload_past_the_limit_is_413_and_nothing_is_kept() {
    let app = TestApp::spawn_with(|config| config.max_upload_bytes = 64 * 1024).await;
    let editor = app.editor().await;
    let big: Vec<u8> = jpeg(16, 16)
        .into_iter()
        .chain(std::iter::repeat_n(0u8, 200 * 1024))
        .collect();
    let response = upload(
        &app,
        &editor,
        &[Part::file("file", "big.jpg", "image/jpeg", &big)],
    )
    .await;
    response.problem(413);
    // Under the declared-length check, so the streaming limit is what stops it.
    let just_over: Vec<u8> = jpeg(16, 16)
        .into_iter()
        .chain(std::iter::repeat_n(0u8, 64 * 1024))
        .collect();
    let response = upload(
        &app,
        &editor,
        &[Part::file("file", "big.jpg", "image/jpeg", &just_over)],
    )
    .await;
    response.problem(413);
    let list = app
        .get("/api/v1/images")
        .as_user(&editor)
        .send()
        .await
        .json();
    assert_eq!(list["meta"]["total"], 0);
    assert_eq!(stored_files(&app, ""), Vec::<String>::new());
}

#[actix_web::test]
async fn malformed_forms_are_client_errors() {
    let app = TestApp::spawn().await;
    let editor = app.editor().await;
    let no_file = upload(&app, &editor, &[Part::text("alt", "没有文件")]).await;
    assert_eq!(
        no_file.field_errors(),
        vec![("file".to_owned(), "required".to_owned())]
    );
    let unknown = upload(
        &app,
        &editor,
        &[
            Part::file("file", "a.jpg", "image/jpeg", &jpeg(10, 10)),
            Part::text("captoin", "typo"),
        ],
    )
    .await;
    assert_eq!(
        unknown.field_errors(),
        vec![("captoin".to_owned(), "unknown_field".to_owned())]
    );
    let html = upload(
        &app,
        &editor,
        &[
            Part::file("file", "a.jpg", "image/jpeg", &jpeg(10, 10)),
            Part::text("caption", "<script>x</script>"),
        ],
    )
    .await;
    assert_eq!(html.field_errors()[0].0, "caption");
    let json = app
        .post("/api/v1/images")
        .as_user(&editor)
        .json(&json!({"file": "x"}))
        .send()
        .await;
    json.problem(415);
    let empty = upload(
        &app,
        &editor,
        &[Part::file("file", "a.jpg", "image/jpeg", b"")],
    )
    .await;
    assert_eq!(
        empty.field_errors(),
        vec![("file".to_owned(), "invalid".to_owned())]
    );
}

#[actix_web::test]
async fn the_same_bytes_twice_make_two_records_sharing_one_set_of_files() {
    let app = TestApp::spawn().await;
    let editor = app.editor().await;
    let bytes = jpeg(700, 500);
    let first = upload_ok(&app, &editor, "a.jpg", "image/jpeg", &bytes).await;
    let second = upload(
        &app,
        &editor,
        &[
            Part::file("file", "b.jpg", "image/jpeg", &bytes),
            Part::text("caption", "另一说明"),
        ],
    )
    .await;
    assert_eq!(second.status, 201);
    let second = second.json();
    assert_ne!(first["id"], second["id"]);
    assert_eq!(first["url"], second["url"]);
    assert_eq!(second["caption"], "另一说明");
    assert_eq!(first["blurhash"], second["blurhash"]);
    let sha = sha256(&bytes);
    assert_eq!(stored_files(&app, &format!("originals/{sha}")).len(), 1);

    // Deleting one keeps the files for the other; deleting both removes them.
    let delete = |id: &Value| format!("/api/v1/images/{}", id.as_str().unwrap_or_default());
    assert_eq!(
        app.delete(&delete(&first["id"]))
            .as_user(&editor)
            .send()
            .await
            .status,
        204
    );
    assert_eq!(
        fetch(&app, first["url"].as_str().unwrap_or_default())
            .await
            .0,
        200
    );
    assert_eq!(
        app.delete(&delete(&second["id"]))
            .as_user(&editor)
            .send()
            .await
            .status,
        204
    );
    assert_eq!(
        fetch(&app, first["url"].as_str().unwrap_or_default())
            .await
            .0,
        404
    );
    assert_eq!(stored_files(&app, &sha), Vec::<String>::new());
}

#[actix_web::test]
async fn the_same_bytes_uploaded_while_the_last_record_is_deleted_keep_their_files() {
    let app = TestApp::spawn().await;
    let editor = app.editor().await;
    let bytes = jpeg(700, 500);
    let delete = |image: &Value| {
        format!(
            "/api/v1/images/{}",
            image["id"].as_str().unwrap_or_default()
        )
    };
    for round in 0..12 {
        let earlier = upload_ok(&app, &editor, "a.jpg", "image/jpeg", &bytes).await;
        let (deleted, again) = futures_util::future::join(
            app.delete(&delete(&earlier)).as_user(&editor).send(),
            upload(
                &app,
                &editor,
                &[Part::file("file", "b.jpg", "image/jpeg", &bytes)],
            ),
        )
        .await;
        assert_eq!(deleted.status, 204, "round {round}");
        assert_eq!(again.status, 201, "round {round}: {}", again.text());
        let again = again.json();
        for variant in [&again["url"], &again["variants"][0]["url"]] {
            let url = variant.as_str().expect("a url");
            assert_eq!(
                fetch(&app, url).await.0,
                200,
                "round {round}: {url} is served"
            );
        }
        assert_eq!(
            app.delete(&delete(&again))
                .as_user(&editor)
                .send()
                .await
                .status,
            204
        );
    }
    assert_eq!(stored_files(&app, &sha256(&bytes)), Vec::<String>::new());
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

#[actix_web::test]
async fn media_files_are_immutable_with_etags_and_ranges() {
    let app = TestApp::spawn().await;
    let editor = app.editor().await;
    let image = upload_ok(&app, &editor, "a.jpg", "image/jpeg", &jpeg(400, 300)).await;
    let url = image["url"].as_str().expect("url");
    let whole = app.get(url).send().await;
    assert_eq!(whole.status, 200);
    assert_eq!(
        whole.header("cache-control"),
        Some("public, max-age=31536000, immutable")
    );
    assert_eq!(whole.header("accept-ranges"), Some("bytes"));
    let etag = whole.header("etag").expect("an ETag").to_owned();
    let size = whole.body.len();

    let again = app.get(url).header("if-none-match", &etag).send().await;
    assert_eq!(again.status, 304);
    assert!(again.body.is_empty());

    let first = app.get(url).header("range", "bytes=0-9").send().await;
    assert_eq!(first.status, 206);
    assert_eq!(
        first.header("content-range"),
        Some(format!("bytes 0-9/{size}").as_str())
    );
    assert_eq!(&first.body[..], &whole.body[..10]);
    let last = app.get(url).header("range", "bytes=-5").send().await;
    assert_eq!(last.status, 206);
    assert_eq!(&last.body[..], &whole.body[size - 5..]);
    let beyond = app
        .get(url)
        .header("range", &format!("bytes={}-", size + 10))
        .send()
        .await;
    beyond.problem(416);
    assert_eq!(
        beyond.header("content-range"),
        Some(format!("bytes */{size}").as_str())
    );

    let sha = image["sha256"].as_str().expect("sha");
    for missing in [
        format!("/media/{}/original.jpg", "0".repeat(64)),
        format!("/media/{sha}/original.png"),
        format!("/media/{sha}/1600.jpg"),
        format!("/media/{sha}/999.jpg"),
        format!("/media/{sha}/..%2Foriginal.jpg"),
        "/media/nothex/original.jpg".to_owned(),
    ] {
        app.get(&missing).send().await.problem(404);
    }
}

#[actix_web::test]
async fn a_variant_lost_from_storage_is_made_again_on_request() {
    let app = TestApp::spawn().await;
    let editor = app.editor().await;
    let image = upload_ok(&app, &editor, "a.jpg", "image/jpeg", &jpeg(700, 500)).await;
    let url = image["variants"][1]["url"].as_str().expect("url");
    assert_eq!(fetch(&app, url).await.0, 200);
    let sha = image["sha256"].as_str().expect("sha");
    let path = app.media.path().join(format!("public/{sha}/320.webp"));
    std::fs::remove_file(&path).expect("the variant was stored");
    let (status, content_type, bytes) = fetch(&app, url).await;
    assert_eq!((status, content_type.as_deref()), (200, Some("image/webp")));
    assert_eq!(
        image::load_from_memory(&bytes).expect("decodes").width(),
        320
    );
    assert!(path.exists());
}

#[actix_web::test]
async fn roles_decide_who_uploads_reads_changes_and_deletes() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let author = app.user(&admin, "author").await;
    let other_author = app.user(&admin, "author").await;
    let contributor = app.user(&admin, "contributor").await;
    let member = app.user(&admin, "member").await;
    let editor = app.user(&admin, "editor").await;
    let file = || [Part::file("file", "a.jpg", "image/jpeg", &jpeg(40, 30))];

    app.post("/api/v1/images")
        .multipart(&file())
        .send()
        .await
        .problem(401);
    upload(&app, &member, &file()).await.problem(403);
    upload(&app, &contributor, &file()).await.problem(403);
    let own = upload_ok(&app, &author, "a.jpg", "image/jpeg", &jpeg(40, 30)).await;
    let path = format!("/api/v1/images/{}", own["id"].as_str().expect("id"));

    app.get("/api/v1/images").send().await.problem(401);
    app.get("/api/v1/images")
        .as_user(&member)
        .send()
        .await
        .problem(403);
    assert_eq!(
        app.get("/api/v1/images")
            .as_user(&contributor)
            .send()
            .await
            .status,
        200
    );
    assert_eq!(
        app.get(&path).as_user(&contributor).send().await.status,
        200
    );

    let caption = json!({"caption": "说明"});
    app.patch(&path)
        .as_user(&other_author)
        .json(&caption)
        .send()
        .await
        .problem(403);
    app.delete(&path)
        .as_user(&other_author)
        .send()
        .await
        .problem(403);
    assert_eq!(
        app.patch(&path)
            .as_user(&author)
            .json(&caption)
            .send()
            .await
            .status,
        200
    );
    assert_eq!(
        app.patch(&path)
            .as_user(&editor)
            .json(&json!({"credit": "新华社"}))
            .send()
            .await
            .status,
        200
    );
    let read = app.get(&path).as_user(&author).send().await.json();
    assert_eq!(
        (
            read["caption"].as_str(),
            read["credit"].as_str(),
            read["version"].as_i64()
        ),
        (Some("说明"), Some("新华社"), Some(3))
    );
    assert_eq!(app.delete(&path).as_user(&author).send().await.status, 204);
    app.get(&path).as_user(&author).send().await.problem(404);
}

#[actix_web::test]
async fn the_library_is_searched_by_text_and_type() {
    let app = TestApp::spawn().await;
    let editor = app.editor().await;
    upload(
        &app,
        &editor,
        &[
            Part::file("file", "a.jpg", "image/jpeg", &jpeg(40, 30)),
            Part::text("caption", "老人测量血压"),
            Part::text("credit", "朝鲁门 摄"),
        ],
    )
    .await;
    upload(
        &app,
        &editor,
        &[
            Part::file("file", "b.png", "image/png", &png_with_alpha(40, 30)),
            Part::text("title", "网站标志"),
            Part::text("alt", "100%_logo"),
        ],
    )
    .await;
    upload(
        &app,
        &editor,
        &[
            Part::file("file", "c.jpg", "image/jpeg", &jpeg(50, 30)),
            Part::text("alt", "草原风光"),
        ],
    )
    .await;

    let count = |query: &str| {
        let app = &app;
        let editor = &editor;
        let query = query.to_owned();
        async move {
            let response = app
                .get(&format!("/api/v1/images{query}"))
                .as_user(editor)
                .send()
                .await;
            assert_eq!(response.status, 200, "{}", response.text());
            response.json()["meta"]["total"].as_i64().unwrap_or(-1)
        }
    };
    assert_eq!(count("").await, 3);
    assert_eq!(count("?q=%E8%A1%80%E5%8E%8B").await, 1, "血压 in a caption");
    assert_eq!(
        count("?q=%E6%9C%9D%E9%B2%81%E9%97%A8").await,
        1,
        "朝鲁门 in a credit"
    );
    assert_eq!(count("?q=%E6%A0%87%E5%BF%97").await, 1, "标志 in a title");
    assert_eq!(count("?q=100%25_").await, 1, "% and _ match themselves");
    assert_eq!(count("?q=0%25_").await, 1);
    assert_eq!(count("?q=1_0").await, 0);
    assert_eq!(count("?mime=image/png").await, 1);
    assert_eq!(count("?mime=image/jpeg&q=%E8%8D%89%E5%8E%9F").await, 1);
    app.get("/api/v1/images?mime=text/html")
        .as_user(&editor)
        .send()
        .await
        .problem(400);
    app.get("/api/v1/images?per_page=0")
        .as_user(&editor)
        .send()
        .await
        .problem(400);
    let page = app
        .get("/api/v1/images?per_page=2&page=2")
        .as_user(&editor)
        .send()
        .await
        .json();
    assert_eq!(page["data"].as_array().map(Vec::len), Some(1));
    assert_eq!(page["data"][0]["caption"], "老人测量血压", "newest first");
}

#[actix_web::test]
async fn text_changes_are_checked_and_guarded_by_if_match() {
    let app = TestApp::spawn().await;
    let editor = app.editor().await;
    let image = upload_ok(&app, &editor, "a.jpg", "image/jpeg", &jpeg(40, 30)).await;
    let path = format!("/api/v1/images/{}", image["id"].as_str().expect("id"));
    let read = app.get(&path).as_user(&editor).send().await;
    let etag = read.header("etag").expect("etag").to_owned();

    let bad = app
        .patch(&path)
        .as_user(&editor)
        .json(&json!({"alt": "<b>x</b>", "credit": "x".repeat(301), "width": 5}))
        .send()
        .await;
    assert_eq!(bad.status, 422);
    let changed = app
        .patch(&path)
        .as_user(&editor)
        .header("if-match", &etag)
        .json(&json!({"caption": "新说明", "title": null}))
        .send()
        .await;
    assert_eq!(changed.status, 200, "{}", changed.text());
    assert_eq!(changed.json()["caption"], "新说明");
    app.patch(&path)
        .as_user(&editor)
        .header("if-match", &etag)
        .json(&json!({"caption": "迟到"}))
        .send()
        .await
        .problem(412);
    assert_eq!(
        app.get(&path).as_user(&editor).send().await.json()["caption"],
        "新说明"
    );
    app.patch("/api/v1/images/not-a-uuid")
        .as_user(&editor)
        .json(&json!({"caption": "x"}))
        .send()
        .await
        .problem(404);
}

/// An article with `cover` as cover image and `inline` shown in its body.
async fn article_with(app: &TestApp, editor: &Session, cover: &str, inline: &str) -> Value {
    let response = app
        .post("/api/v1/articles")
        .as_user(editor)
        .json(&json!({
            "title": "用民生温度标注幸福刻度",
            "cover_image": cover,
            "body": format!("开头。\n\n![测量血压](image:{inline} \"老人在社区测量血压\")\n\n结尾。"),
        }))
        .send()
        .await;
    assert_eq!(response.status, 201, "{}", response.text());
    response.json()
}

#[actix_web::test]
async fn articles_show_images_as_covers_and_figures_that_follow_their_changes() {
    let app = TestApp::spawn().await;
    let editor = app.editor().await;
    let photo = upload(
        &app,
        &editor,
        &[
            Part::file("file", "a.jpg", "image/jpeg", &jpeg(1200, 800)),
            Part::text("credit", "朝鲁门 摄"),
        ],
    )
    .await
    .json();
    let photo_id = photo["id"].as_str().expect("id");
    let article = article_with(&app, &editor, photo_id, photo_id).await;
    let html = article["body_html"].as_str().expect("html");
    assert!(html.contains("<figure>"), "{html}");
    assert!(
        html.contains(&format!(
            r#"src="{}""#,
            photo["url"].as_str().unwrap_or_default()
        )),
        "{html}"
    );
    assert!(
        html.contains(&format!(
            "{} 320w",
            photo["variants"][0]["url"].as_str().unwrap_or_default()
        )),
        "{html}"
    );
    assert!(html.contains(r#"width="1200" height="800""#), "{html}");
    assert!(
        html.contains(
            r#"<figcaption>老人在社区测量血压 <span class="credit">朝鲁门 摄</span></figcaption>"#
        ),
        "{html}"
    );

    let article_path = format!("/api/v1/articles/{}", article["id"].as_str().expect("id"));
    let embedded = app
        .get(&format!("{article_path}?include=cover_image"))
        .as_user(&editor)
        .send()
        .await
        .json();
    assert_eq!(embedded["cover_image"]["id"], photo_id);
    assert_eq!(
        embedded["cover_image"]["variants"].as_array().map(Vec::len),
        Some(6)
    );
    let listed = app
        .get("/api/v1/articles?include=cover_image")
        .as_user(&editor)
        .send()
        .await
        .json();
    assert_eq!(listed["data"][0]["cover_image"]["url"], photo["url"]);
    assert_eq!(
        app.get(&article_path).as_user(&editor).send().await.json()["cover_image"],
        photo_id
    );

    // A new credit reaches the figure without touching the article.
    let image_path = format!("/api/v1/images/{photo_id}");
    app.patch(&image_path)
        .as_user(&editor)
        .json(&json!({"credit": "新华社 发"}))
        .send()
        .await;
    let html = app.get(&article_path).as_user(&editor).send().await.json()["body_html"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(
        html.contains(r#"<span class="credit">新华社 发</span>"#),
        "{html}"
    );

    // In use: 409, unless forced; then the cover is cleared and the figure leaves the body.
    let refused = app.delete(&image_path).as_user(&editor).send().await;
    assert!(
        refused.problem(409)["detail"]
            .as_str()
            .is_some_and(|d| d.contains("1 article"))
    );
    assert_eq!(
        app.delete(&format!("{image_path}?force=true"))
            .as_user(&editor)
            .send()
            .await
            .status,
        204
    );
    let after = app.get(&article_path).as_user(&editor).send().await.json();
    assert_eq!(after["cover_image"], Value::Null);
    assert!(
        !after["body_html"]
            .as_str()
            .unwrap_or_default()
            .contains("<figure>")
    );
    // The dangling reference does not block later edits.
    let edit = app.patch(&article_path).as_user(&editor).json(&json!({"body": format!("{}\n\n再补一句。", after["body"].as_str().unwrap_or_default())})).send().await;
    assert_eq!(edit.status, 200, "{}", edit.text());
}

#[actix_web::test]
async fn articles_and_authors_cannot_name_missing_images() {
    let app = TestApp::spawn().await;
    let editor = app.editor().await;
    let missing = uuid::Uuid::now_v7().to_string();
    let response = app
        .post("/api/v1/articles")
        .as_user(&editor)
        .json(&json!({"title": "标题", "cover_image": missing, "body": format!("![x](image:{missing})")}))
        .send()
        .await;
    let mut errors = response.field_errors();
    errors.sort();
    assert_eq!(
        errors,
        vec![
            ("body".to_owned(), "not_found".to_owned()),
            ("cover_image".to_owned(), "not_found".to_owned())
        ]
    );

    let avatar = app
        .post("/api/v1/authors")
        .as_user(&editor)
        .json(&json!({"name": "朝鲁门", "avatar": missing}))
        .send()
        .await;
    assert_eq!(
        avatar.field_errors(),
        vec![("avatar".to_owned(), "not_found".to_owned())]
    );

    let photo = upload_ok(&app, &editor, "a.jpg", "image/jpeg", &jpeg(40, 30)).await;
    let author = app
        .post("/api/v1/authors")
        .as_user(&editor)
        .json(&json!({"name": "朝鲁门", "avatar": photo["id"]}))
        .send()
        .await;
    assert_eq!(author.status, 201, "{}", author.text());
    let path = format!("/api/v1/images/{}", photo["id"].as_str().expect("id"));
    assert!(
        app.delete(&path).as_user(&editor).send().await.problem(409)["detail"]
            .as_str()
            .is_some_and(|d| d.contains("1 author"))
    );
}

/// A moto S3 server of this test's own, stopped with it.
struct S3Server {
    child: std::process::Child,
    endpoint: String,
}

impl Drop for S3Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `moto_server` (an S3-compatible server: `pip install 'moto[server]'`, which `.ci/run`
/// installs). Without it the test is skipped with a notice, unless `MASTHEAD_REQUIRE_S3_TEST`
/// is set, as CI does.
fn s3_server() -> Option<S3Server> {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let child = match std::process::Command::new("moto_server")
        .args(["-H", "127.0.0.1", "-p", &port.to_string()])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
    {
        Ok(child) => child,
        Err(error) if std::env::var_os("MASTHEAD_REQUIRE_S3_TEST").is_none() => {
            eprintln!(
                "SKIPPED the S3 storage test: moto_server cannot start ({error}); pip install 'moto[server]'"
            );
            return None;
        }
        Err(error) => panic!("moto_server cannot start: {error}"),
    };
    let server = S3Server {
        child,
        endpoint: format!("http://127.0.0.1:{port}"),
    };
    for _ in 0..200 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return Some(server);
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    panic!("moto_server did not start listening");
}

#[actix_web::test]
async fn s3_storage_keeps_serves_and_removes_the_files() {
    use masthead::{
        config::{S3Settings, StorageSettings},
        secret::Secret,
    };
    use rusty_s3::{Bucket, Credentials, S3Action, UrlStyle};
    let Some(s3) = s3_server() else { return };
    let bucket = Bucket::new(
        s3.endpoint.parse().expect("a URL"),
        UrlStyle::Path,
        "media",
        "us-east-1",
    )
    .expect("a bucket");
    let credentials = Credentials::new("test-key", "test-secret");
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let created = agent
        .put(
            bucket
                .create_bucket(&credentials)
                .sign(std::time::Duration::from_secs(60))
                .as_str(),
        )
        .send_empty()
        .expect("create the bucket");
    assert_eq!(created.status(), 200);
    let object_status = |key: &str| {
        let url = bucket
            .head_object(Some(&credentials), key)
            .sign(std::time::Duration::from_secs(60));
        agent
            .head(url.as_str())
            .call()
            .expect("HEAD")
            .status()
            .as_u16()
    };

    let endpoint = s3.endpoint.clone();
    let app = TestApp::spawn_with(move |config| {
        config.storage = StorageSettings::S3(S3Settings {
            endpoint,
            bucket: "media".into(),
            region: "us-east-1".into(),
            access_key: "test-key".into(),
            secret_key: Secret::new("test-secret"),
            path_style: true,
        });
    })
    .await;
    let editor = app.editor().await;
    let bytes = jpeg(700, 500);
    let image = upload_ok(&app, &editor, "a.jpg", "image/jpeg", &bytes).await;
    let sha = sha256(&bytes);
    assert_eq!(object_status(&format!("originals/{sha}")), 200);
    assert_eq!(object_status(&format!("public/{sha}/original.jpg")), 200);
    assert_eq!(
        stored_files(&app, &sha),
        Vec::<String>::new(),
        "nothing on the local disk"
    );

    let url = image["url"].as_str().expect("url");
    let whole = app.get(url).send().await;
    assert_eq!(whole.status, 200);
    assert_eq!(
        image::load_from_memory(&whole.body)
            .expect("decodes")
            .width(),
        700
    );
    let part = app.get(url).header("range", "bytes=2-5").send().await;
    assert_eq!(part.status, 206);
    assert_eq!(&part.body[..], &whole.body[2..6]);
    let variant = app
        .get(image["variants"][3]["url"].as_str().expect("url"))
        .send()
        .await;
    assert_eq!(
        (variant.status.as_u16(), variant.header("content-type")),
        (200, Some("image/webp"))
    );
    assert_eq!(object_status(&format!("public/{sha}/640.webp")), 200);

    let path = format!("/api/v1/images/{}", image["id"].as_str().expect("id"));
    assert_eq!(app.delete(&path).as_user(&editor).send().await.status, 204);
    assert_eq!(object_status(&format!("originals/{sha}")), 404);
    assert_eq!(object_status(&format!("public/{sha}/640.webp")), 404);
    app.get(url).send().await.problem(404);
}
