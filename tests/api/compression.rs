//! Compressed answers: negotiated per request, kept with cached answers, an ETag per encoding,
//! and preconditions that accept the tag of any encoding.

use std::io::Read;

use actix_web::http::StatusCode;
use serde_json::json;

use crate::helpers::{Session, TestApp, TestResponse};

const EVERYTHING: &str = "gzip, deflate, br";

/// A published article whose JSON is well over a kilobyte; its path.
async fn long_article(app: &TestApp, editor: &Session) -> String {
    let body = "通辽市持续推进社会帮扶体系建设，养老服务覆盖城乡。\n\n".repeat(60);
    let created = app
        .post("/api/v1/articles")
        .as_user(editor)
        .json(&json!({"title": "民生温度", "body": body}))
        .send()
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text());
    let id = created.json()["id"].as_str().expect("an id").to_owned();
    let published = app
        .post(&format!("/api/v1/articles/{id}/publish"))
        .as_user(editor)
        .send()
        .await;
    assert_eq!(published.status, StatusCode::OK, "{}", published.text());
    format!("/api/v1/articles/{id}")
}

fn decoded(response: &TestResponse) -> Vec<u8> {
    let mut out = Vec::new();
    match response.header("content-encoding") {
        Some("br") => brotli::Decompressor::new(&response.body[..], 4096)
            .read_to_end(&mut out)
            .expect("brotli decodes"),
        Some("gzip") => flate2::read::GzDecoder::new(&response.body[..])
            .read_to_end(&mut out)
            .expect("gzip decodes"),
        other => panic!("not compressed: {other:?}"),
    };
    out
}

fn varies_by_encoding(response: &TestResponse) -> bool {
    response
        .headers
        .get_all("vary")
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|v| v.trim().eq_ignore_ascii_case("accept-encoding"))
}

#[actix_web::test]
async fn reads_come_in_the_encoding_the_client_prefers_with_an_etag_each() {
    let app = TestApp::spawn().await;
    let editor = app.editor().await;
    let path = long_article(&app, &editor).await;

    let plain = app.get(&path).send().await;
    assert_eq!(plain.status, StatusCode::OK);
    assert_eq!(plain.header("content-encoding"), None);
    assert!(varies_by_encoding(&plain));
    let etag = plain.header("etag").expect("an etag").to_owned();

    let brotli = app
        .get(&path)
        .header("accept-encoding", EVERYTHING)
        .send()
        .await;
    assert_eq!(brotli.header("content-encoding"), Some("br"));
    assert!(varies_by_encoding(&brotli));
    assert_eq!(decoded(&brotli), plain.body.to_vec());
    assert!(brotli.body.len() * 3 < plain.body.len(), "compressed");
    let brotli_etag = brotli.header("etag").expect("an etag").to_owned();
    assert_ne!(brotli_etag, etag, "another encoding, another strong tag");

    let gzip = app
        .get(&path)
        .header("accept-encoding", "gzip")
        .send()
        .await;
    assert_eq!(gzip.header("content-encoding"), Some("gzip"));
    assert_eq!(decoded(&gzip), plain.body.to_vec());
    let gzip_etag = gzip.header("etag").expect("an etag").to_owned();
    assert!(![&etag, &brotli_etag].contains(&&gzip_etag));

    let refused = app
        .get(&path)
        .header("accept-encoding", "br;q=0, gzip;q=0")
        .send()
        .await;
    assert_eq!(refused.header("content-encoding"), None);
    assert_eq!(refused.body, plain.body);

    // Hot reads come compressed from the cache, without compressing again.
    let before = app.statements();
    let again = app
        .get(&path)
        .header("accept-encoding", EVERYTHING)
        .send()
        .await;
    assert_eq!(app.statements(), before, "served from the cache");
    assert_eq!(again.body, brotli.body);
    assert_eq!(again.header("etag"), Some(brotli_etag.as_str()));

    // Any encoding's tag names the content.
    for (tag, accept) in [
        (&etag, EVERYTHING),
        (&brotli_etag, "identity"),
        (&gzip_etag, EVERYTHING),
    ] {
        let not_modified = app
            .get(&path)
            .header("accept-encoding", accept)
            .header("if-none-match", tag)
            .send()
            .await;
        assert_eq!(
            not_modified.status,
            StatusCode::NOT_MODIFIED,
            "{tag} {accept}"
        );
    }
    let changed = app
        .patch(&path)
        .as_user(&editor)
        .header("if-match", &brotli_etag)
        .json(&json!({"subtitle": "副标题"}))
        .send()
        .await;
    assert_eq!(changed.status, StatusCode::OK, "{}", changed.text());
    let stale = app
        .patch(&path)
        .as_user(&editor)
        .header("if-match", &gzip_etag)
        .json(&json!({"subtitle": "又一个"}))
        .send()
        .await;
    stale.problem(412);
}

#[actix_web::test]
async fn uncached_and_credentialed_reads_are_compressed_too() {
    let app = TestApp::spawn_with(|config| config.response_cache = false).await;
    let editor = app.editor().await;
    let path = long_article(&app, &editor).await;
    let plain = app.get(&path).send().await;
    let anonymous = app
        .get(&path)
        .header("accept-encoding", "gzip")
        .send()
        .await;
    assert_eq!(decoded(&anonymous), plain.body.to_vec());
    let staff = app
        .get(&path)
        .as_user(&editor)
        .header("accept-encoding", "br")
        .send()
        .await;
    assert_eq!(staff.status, StatusCode::OK);
    assert_eq!(staff.header("content-encoding"), Some("br"));
    assert_eq!(staff.header("cache-control"), Some("private, no-store"));
}

#[actix_web::test]
async fn small_answers_and_streams_go_as_they_are() {
    let app = TestApp::spawn().await;
    let editor = app.editor().await;
    long_article(&app, &editor).await;
    let small = app
        .get("/api/v1/tags")
        .header("accept-encoding", EVERYTHING)
        .send()
        .await;
    assert_eq!(small.status, StatusCode::OK);
    assert_eq!(small.header("content-encoding"), None);
    assert!(varies_by_encoding(&small), "a larger answer would differ");
    let sitemap = app
        .get("/sitemap.xml")
        .header("accept-encoding", EVERYTHING)
        .send()
        .await;
    assert_eq!(sitemap.status, StatusCode::OK);
    assert_eq!(
        sitemap.header("content-encoding"),
        None,
        "streamed as it is"
    );
    assert!(String::from_utf8_lossy(&sitemap.body).contains("<urlset"));
}
