//! Who may upload, read, change and delete images.

use serde_json::json;

use super::{jpeg, upload, upload_ok};
use crate::helpers::{Part, TestApp};

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
