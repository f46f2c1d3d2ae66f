//! Uploads refused: what is not a picture, what is too big, and forms that are not right; none
//! leaves a trace.

use serde_json::json;

use super::{jpeg, png_claiming, png_with_alpha, sha256, stored_files, upload, upload_ok};
use crate::helpers::{Part, TestApp};

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
    let twice = upload(
        &app,
        &editor,
        &[
            Part::file("file", "a.jpg", "image/jpeg", &jpeg(10, 10)),
            Part::text("alt", "一"),
            Part::text("alt", "二"),
        ],
    )
    .await;
    assert_eq!(
        twice.field_errors(),
        vec![("alt".to_owned(), "invalid".to_owned())]
    );
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
