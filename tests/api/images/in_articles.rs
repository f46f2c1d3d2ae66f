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

#[actix_web::test]
async fn figures_offer_webp_first_and_only_the_first_loads_at_once() {
    let app = TestApp::spawn().await;
    let editor = app.editor().await;
    let photo = upload_ok(&app, &editor, "a.jpg", "image/jpeg", &jpeg(1200, 800)).await;
    let id = photo["id"].as_str().expect("id");
    let variant = |i: usize| {
        photo["variants"][i]["url"]
            .as_str()
            .expect("url")
            .to_owned()
    };
    let article = app
        .post("/api/v1/articles")
        .as_user(&editor)
        .json(&json!({
            "title": "两张图",
            "body": format!("![一](image:{id})\n\n正文。\n\n![二](image:{id})"),
        }))
        .send()
        .await
        .json();
    let html = article["body_html"].as_str().expect("html");
    // Variants 320, 640 and 1024 in JPEG and WebP, listed alternately.
    let webp = format!(
        "{} 320w, {} 640w, {} 1024w",
        variant(1),
        variant(3),
        variant(5)
    );
    let own = format!(
        "{} 320w, {} 640w, {} 1024w, {} 1200w",
        variant(0),
        variant(2),
        variant(4),
        photo["url"].as_str().expect("url")
    );
    let picture = format!(
        r#"<picture><source type="image/webp" srcset="{webp}" sizes="(max-width: 1024px) 100vw, 1024px"><img src="{}" srcset="{own}" sizes="(max-width: 1024px) 100vw, 1024px" width="1200" height="800""#,
        photo["url"].as_str().expect("url")
    );
    assert!(
        html.starts_with(&format!(
            r#"<figure>{picture} alt="一"></picture></figure>"#
        )),
        "{html}"
    );
    assert!(
        html.contains(&format!(
            r#"<figure>{picture} alt="二" loading="lazy"></picture></figure>"#
        )),
        "{html}"
    );
}

#[actix_web::test]
async fn remote_images_of_a_body_are_imported_and_failures_listed() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let author = app.user(&admin, "author").await;
    let contributor = app.user(&admin, "contributor").await;
    let server = crate::helpers::files::FileServer::start();
    server.serve("/a.jpg", "image/jpeg", &jpeg(400, 300));
    let (found, missing) = (server.url("/a.jpg"), server.url("/gone.jpg"));
    let body = format!(
        "![草原]({found})\n\n![again]({found} \"同一张\")\n\n![丢失]({missing})\n\n[link]({found})"
    );
    let refused = app
        .post("/api/v1/articles?import_images=true")
        .as_user(&contributor)
        .json(&json!({"title": "导入", "body": body}))
        .send()
        .await;
    refused.problem(403);
    assert!(server.requested().is_empty());

    let created = app
        .post("/api/v1/articles?import_images=true")
        .as_user(&author)
        .json(&json!({"title": "导入", "body": body}))
        .send()
        .await;
    assert_eq!(created.status, 201, "{}", created.text());
    let article = created.json();
    let images = app
        .get("/api/v1/images")
        .as_user(&admin)
        .send()
        .await
        .json();
    assert_eq!(
        images["meta"]["total"], 1,
        "one image for the URL used twice"
    );
    let image = &images["data"][0];
    assert_eq!(image["source_url"], found);
    assert_eq!(image["alt"], "草原");
    let id = image["id"].as_str().expect("id");
    assert_eq!(
        article["body"],
        format!(
            "![草原](image:{id})\n\n![again](image:{id} \"同一张\")\n\n![丢失]({missing})\n\n[link]({found})"
        )
    );
    assert_eq!(article["import_errors"].as_array().map(Vec::len), Some(1));
    assert_eq!(article["import_errors"][0]["url"], missing);
    assert!(
        article["import_errors"][0]["detail"]
            .as_str()
            .is_some_and(|d| d.contains("answered 404")),
        "{article}"
    );
    assert!(
        article["body_html"]
            .as_str()
            .expect("html")
            .contains("<figcaption>同一张</figcaption>"),
        "{article}"
    );

    // Without the flag, nothing is fetched and the answer has no import_errors.
    let requests = server.requested().len();
    let plain = app
        .patch(&format!(
            "/api/v1/articles/{}",
            article["id"].as_str().expect("id")
        ))
        .as_user(&author)
        .json(&json!({"body": format!("![new]({})", server.url("/a.jpg?2"))}))
        .send()
        .await
        .json();
    assert!(plain.get("import_errors").is_none());
    assert_eq!(server.requested().len(), requests);
}
