//! Images in articles: covers and inline figures that follow the image's changes, and references
//! to images that do not exist.

use serde_json::{Value, json};

use super::{jpeg, upload, upload_ok};
use crate::helpers::{Part, Session, TestApp};

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
