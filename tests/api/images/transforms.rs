//! Signed transform URLs: editors mint them, the server makes exactly what was signed, and any
//! other size is 404.

use serde_json::json;

use super::{fetch, jpeg, upload_ok};
use crate::helpers::TestApp;

#[actix_web::test]
async fn an_editors_signed_url_gives_that_size_and_a_forged_one_nothing() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let editor = app.user(&admin, "editor").await;
    let author = app.user(&admin, "author").await;
    let image = upload_ok(&app, &author, "a.jpg", "image/jpeg", &jpeg(800, 600)).await;
    let path = format!(
        "/api/v1/images/{}/transform-url",
        image["id"].as_str().expect("id")
    );
    let body = json!({"width": 300, "height": 100, "format": "webp"});

    app.post(&path)
        .json(&body)
        .as_user(&author)
        .send()
        .await
        .problem(403);
    app.post(&path).json(&body).send().await.problem(401);

    let minted = app.post(&path).json(&body).as_user(&editor).send().await;
    assert_eq!(minted.status, 200, "{}", minted.text());
    let minted = minted.json();
    assert_eq!(
        (minted["width"].as_u64(), minted["height"].as_u64()),
        (Some(300), Some(100))
    );
    assert_eq!(minted["format"], "webp");
    let url = minted["url"].as_str().expect("url").to_owned();
    assert!(url.contains("/t_300x100_c0-167-800-266_s"), "{url}");
    let (status, content_type, bytes) = fetch(&app, &url).await;
    assert_eq!((status, content_type.as_deref()), (200, Some("image/webp")));
    let made = image::load_from_memory(&bytes).expect("decodes");
    assert_eq!((made.width(), made.height()), (300, 100));

    // A forged signature, or a signed name with another size, makes nothing.
    let last = url.len() - ".webp".len() - 1;
    let flipped = if &url[last..=last] == "0" { "1" } else { "0" };
    let forged = format!("{}{flipped}{}", &url[..last], &url[last + 1..]);
    app.get(&forged).send().await.problem(404);
    app.get(&url.replace("t_300x100", "t_600x200"))
        .send()
        .await
        .problem(404);
    assert_eq!(super::stored_files(&app, "/t_").len(), 1);
}

#[actix_web::test]
async fn transform_requests_are_checked() {
    let app = TestApp::spawn().await;
    let editor = app.editor().await;
    let image = upload_ok(&app, &editor, "a.jpg", "image/jpeg", &jpeg(800, 600)).await;
    let path = format!(
        "/api/v1/images/{}/transform-url",
        image["id"].as_str().expect("id")
    );
    for (body, field) in [
        (json!({"width": 900, "height": 100}), "width"),
        (
            json!({"width": 100, "height": 100, "preset": "banner"}),
            "preset",
        ),
        (json!({"width": 0, "height": 100}), "width"),
        (
            json!({"width": 100, "height": 100, "format": "bmp"}),
            "format",
        ),
        (json!({"width": 100, "height": 100, "scale": 2}), "scale"),
    ] {
        let refused = app.post(&path).json(&body).as_user(&editor).send().await;
        let fields: Vec<String> = refused.field_errors().into_iter().map(|(f, _)| f).collect();
        assert!(fields.contains(&field.to_owned()), "{body}: {fields:?}");
    }
    app.post(&format!(
        "/api/v1/images/{}/transform-url",
        uuid::Uuid::now_v7()
    ))
    .json(&json!({"width": 10, "height": 10}))
    .as_user(&editor)
    .send()
    .await
    .problem(404);
    // Within a preset's crop: a 16:9 hero, then 1:1 inside it.
    let minted = app
        .post(&path)
        .json(&json!({"width": 200, "height": 200, "preset": "hero"}))
        .as_user(&editor)
        .send()
        .await
        .json();
    assert!(
        minted["url"]
            .as_str()
            .expect("url")
            .contains("/t_200x200_c175-75-450-450_s"),
        "{minted}"
    );
}
