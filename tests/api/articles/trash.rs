//! The trash: delete, restore, and purge (admins only).

use actix_web::http::StatusCode;
use serde_json::json;

use super::{create, id_of, publish};
use crate::helpers::TestApp;

#[actix_web::test]
async fn delete_trashes_restore_returns_and_only_admins_purge() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let editor = app.user(&admin, "editor").await;
    let article = create(&app, &editor, json!({"title": "将被删除"})).await;
    let id = id_of(&article);
    publish(&app, &editor, &id).await;
    let deleted = app
        .delete(&format!("/api/v1/articles/{id}"))
        .as_user(&editor)
        .send()
        .await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    app.get(&format!("/api/v1/articles/{id}"))
        .send()
        .await
        .problem(404);
    assert_eq!(
        app.get("/api/v1/articles").send().await.json()["meta"]["total"],
        0
    );
    let trash = app
        .get("/api/v1/articles?status=trashed")
        .as_user(&editor)
        .send()
        .await;
    assert_eq!(trash.json()["meta"]["total"], 1);
    app.get("/api/v1/articles?status=trashed")
        .send()
        .await
        .problem(403);

    let restored = app
        .post(&format!("/api/v1/articles/{id}/restore"))
        .as_user(&editor)
        .send()
        .await;
    assert_eq!(restored.status, StatusCode::OK);
    assert_eq!(
        app.get(&format!("/api/v1/articles/{id}"))
            .send()
            .await
            .status,
        StatusCode::OK
    );

    app.delete(&format!("/api/v1/articles/{id}?purge=true"))
        .as_user(&editor)
        .send()
        .await
        .problem(403);
    let purged = app
        .delete(&format!("/api/v1/articles/{id}?purge=true"))
        .as_user(&admin)
        .send()
        .await;
    assert_eq!(purged.status, StatusCode::NO_CONTENT);
    app.get(&format!("/api/v1/articles/{id}"))
        .as_user(&admin)
        .send()
        .await
        .problem(404);
}
