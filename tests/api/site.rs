use actix_web::http::StatusCode;
use diesel::{RunQueryDsl, sql_query};
use serde_json::json;

use crate::helpers::TestApp;

/// An image row, written straight into the database (the images tests cover uploads).
fn insert_image(app: &TestApp) -> String {
    let id = uuid::Uuid::now_v7().to_string();
    sql_query(format!(
        "INSERT INTO images (id, sha256, mime, width, height, size_bytes, blurhash, alt) \
         VALUES ('{id}', '{}', 'image/png', 400, 100, 1234, 'LEHV6nWB2yk8pyo0adR*.7kCMdnj', '三牛平台')",
        "ab".repeat(32)
    ))
    .execute(&mut app.db.connect())
    .expect("inserted");
    id
}

#[actix_web::test]
async fn anyone_reads_the_defaults_the_migration_made() {
    let app = TestApp::spawn().await;
    let response = app.get("/api/v1/site").send().await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.text());
    let site = response.json();
    assert_eq!(site["title"], "Masthead");
    assert_eq!(site["locale"], "zh-CN");
    assert_eq!(site["timezone"], "Asia/Shanghai");
    assert_eq!(site["icp_record"], "");
    assert_eq!(site["logo"], serde_json::Value::Null);
    assert_eq!(site["version"], 1);
    assert_eq!(response.header("cache-control"), Some("public, max-age=60"));
    let etag = response.header("etag").expect("an ETag").to_owned();
    let again = app
        .get("/api/v1/site")
        .header("if-none-match", &etag)
        .send()
        .await;
    assert_eq!(again.status, StatusCode::NOT_MODIFIED);
}

#[actix_web::test]
async fn only_admins_change_the_settings() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let editor = app.user(&admin, "editor").await;
    let body = json!({"title": "首页-三牛平台"});
    app.patch("/api/v1/site")
        .json(&body)
        .send()
        .await
        .problem(401);
    app.patch("/api/v1/site")
        .as_user(&editor)
        .json(&body)
        .send()
        .await
        .problem(403);
    assert_eq!(
        app.get("/api/v1/site").send().await.json()["title"],
        "Masthead"
    );

    let changed = app
        .patch("/api/v1/site")
        .as_user(&admin)
        .json(&json!({
            "title": "首页-三牛平台",
            "description": "通辽地区新闻门户",
            "copyright": "版权所有 Copyright(C)2018-2025",
            "footer": "脚注信息",
            "icp_record": "蒙ICP备05003134号",
            "locale": "en",
            "timezone": "Europe/Berlin",
        }))
        .send()
        .await;
    assert_eq!(changed.status, StatusCode::OK, "{}", changed.text());
    let read = app.get("/api/v1/site").send().await.json();
    assert_eq!(read, changed.json());
    assert_eq!(read["title"], "首页-三牛平台");
    assert_eq!(read["icp_record"], "蒙ICP备05003134号");
    assert_eq!(read["copyright"], "版权所有 Copyright(C)2018-2025");
    assert_eq!(read["locale"], "en");
    assert_eq!(read["timezone"], "Europe/Berlin");
    assert_eq!(read["version"], 2);
}

#[actix_web::test]
async fn every_bad_field_is_listed_in_one_answer_and_nothing_changes() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let missing = uuid::Uuid::now_v7();
    let response = app
        .patch("/api/v1/site")
        .as_user(&admin)
        .json(&json!({
            "title": "<b>Masthead</b>",
            "footer": "<script>alert(1)</script>",
            "logo": missing,
            "locale": "chinese simplified",
            "timezone": "Mars/Olympus",
        }))
        .send()
        .await;
    assert_eq!(
        response.field_errors(),
        [
            ("footer".into(), "invalid".into()),
            ("locale".into(), "invalid".into()),
            ("logo".into(), "not_found".into()),
            ("timezone".into(), "invalid".into()),
            ("title".into(), "invalid".into()),
        ]
    );
    let cases = [
        (json!({"title": ""}), "title", "required"),
        (json!({"title": "字".repeat(201)}), "title", "too_long"),
        (json!({"timezone": ""}), "timezone", "required"),
        (json!({"timezone": "asia/shanghai "}), "timezone", "invalid"),
        (
            json!({"icp_record": "蒙ICP备".repeat(30)}),
            "icp_record",
            "too_long",
        ),
        (json!({"title": "a\u{0}b"}), "title", "null_character"),
        (json!({"titel": "typo"}), "titel", "unknown_field"),
    ];
    for (body, field, code) in cases {
        let response = app
            .patch("/api/v1/site")
            .as_user(&admin)
            .json(&body)
            .send()
            .await;
        assert_eq!(
            response.field_errors(),
            [(field.to_owned(), code.to_owned())],
            "{body}"
        );
    }
    let site = app.get("/api/v1/site").send().await.json();
    assert_eq!(
        (site["title"].as_str(), site["version"].as_i64()),
        (Some("Masthead"), Some(1))
    );
    assert_eq!(site["timezone"], "Asia/Shanghai");
}

#[actix_web::test]
async fn a_stale_if_match_changes_nothing() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let first = app.get("/api/v1/site").send().await;
    let etag = first.header("etag").expect("an ETag").to_owned();
    let fresh = app
        .patch("/api/v1/site")
        .as_user(&admin)
        .header("if-match", &etag)
        .json(&json!({"title": "第一次"}))
        .send()
        .await;
    assert_eq!(fresh.status, StatusCode::OK, "{}", fresh.text());
    app.patch("/api/v1/site")
        .as_user(&admin)
        .header("if-match", &etag)
        .json(&json!({"title": "第二次"}))
        .send()
        .await
        .problem(412);
    assert_eq!(
        app.get("/api/v1/site").send().await.json()["title"],
        "第一次"
    );
}

#[actix_web::test]
async fn the_logo_is_an_id_or_embedded_and_null_clears_it() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let image = insert_image(&app);
    let set = app
        .patch("/api/v1/site")
        .as_user(&admin)
        .json(&json!({"logo": image}))
        .send()
        .await;
    assert_eq!(set.status, StatusCode::OK, "{}", set.text());
    assert_eq!(set.json()["logo"], image.as_str());

    let embedded = app.get("/api/v1/site?include=logo").send().await.json();
    assert_eq!(embedded["logo"]["id"], image.as_str());
    assert_eq!(embedded["logo"]["width"], 400);
    assert_eq!(embedded["logo"]["alt"], "三牛平台");
    assert!(
        embedded["logo"]["url"]
            .as_str()
            .is_some_and(|url| url.starts_with("/media/")),
        "{embedded}"
    );
    app.get("/api/v1/site?include=logos")
        .send()
        .await
        .problem(400);

    let cleared = app
        .patch("/api/v1/site")
        .as_user(&admin)
        .json(&json!({"logo": null}))
        .send()
        .await;
    assert_eq!(cleared.json()["logo"], serde_json::Value::Null);
    let embedded = app.get("/api/v1/site?include=logo").send().await.json();
    assert_eq!(embedded["logo"], serde_json::Value::Null);
}

#[actix_web::test]
async fn the_logo_image_is_in_use_until_forced_out() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let image = insert_image(&app);
    let set = app
        .patch("/api/v1/site")
        .as_user(&admin)
        .json(&json!({"logo": image}))
        .send()
        .await;
    assert_eq!(set.status, StatusCode::OK, "{}", set.text());
    let refused = app
        .delete(&format!("/api/v1/images/{image}"))
        .as_user(&admin)
        .send()
        .await;
    let detail = refused.problem(409)["detail"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(detail.contains("in use by the site's logo;"), "{detail}");
    assert_eq!(
        app.get("/api/v1/site").send().await.json()["logo"],
        image.as_str()
    );

    let forced = app
        .delete(&format!("/api/v1/images/{image}?force=true"))
        .as_user(&admin)
        .send()
        .await;
    assert_eq!(forced.status, StatusCode::NO_CONTENT, "{}", forced.text());
    assert_eq!(
        app.get("/api/v1/site").send().await.json()["logo"],
        serde_json::Value::Null
    );
}
