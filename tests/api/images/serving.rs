//! Serving media files: immutable, with ETags and ranges, and variants made again when lost.

use super::{fetch, jpeg, upload_ok};
use crate::helpers::TestApp;

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
