//! Files shared by content hash: the same bytes uploaded twice are stored once, and kept while
//! any record needs them.

use serde_json::Value;

use super::{fetch, jpeg, sha256, stored_files, upload, upload_ok};
use crate::helpers::{Part, TestApp};

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
