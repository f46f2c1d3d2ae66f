//! The image library: searched by text and type, its texts changed under `If-Match`.

use serde_json::json;

use super::{jpeg, png_with_alpha, upload, upload_ok};
use crate::helpers::{Part, TestApp};

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
