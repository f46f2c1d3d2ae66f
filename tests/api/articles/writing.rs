//! Writing articles: what is derived from the input, bodies rendered safely, SEO fields changed
//! one at a time.

use actix_web::http::StatusCode;
use serde_json::{Value, json};

use super::{BODY, TITLE, create, id_of};
use crate::helpers::TestApp;

#[actix_web::test]
async fn an_editor_writes_a_chinese_article_with_derived_fields() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let editor = app.user(&admin, "editor").await;
    let response = app
        .post("/api/v1/articles")
        .as_user(&editor)
        .json(&json!({"title": TITLE, "body": BODY}))
        .send()
        .await;
    assert_eq!(response.status, StatusCode::CREATED, "{}", response.text());
    let article = response.json();
    let id = id_of(&article);
    assert_eq!(
        response.header("location"),
        Some(format!("/api/v1/articles/{id}").as_str())
    );
    assert_eq!(
        article["slug"],
        "yong-min-sheng-wen-du-biao-zhu-xing-fu-ke-du"
    );
    assert_eq!(article["status"], "draft");
    assert_eq!(article["version"], 1);
    assert_eq!(article["locale"], "zh-CN");
    assert_eq!(article["kind"], "post");
    assert!(
        article["body_html"]
            .as_str()
            .unwrap_or_default()
            .contains("<p>利民之事")
    );
    assert!(
        article["body_text"]
            .as_str()
            .unwrap_or_default()
            .starts_with("利民之事")
    );
    assert!(
        article["excerpt"]
            .as_str()
            .unwrap_or_default()
            .starts_with("利民之事，丝发必兴。")
    );
    assert!(article["word_count"].as_i64().unwrap_or_default() > 50);
    assert_eq!(article["reading_time_minutes"], 1);
    assert_eq!(
        article["authors"],
        json!([]),
        "editors are not credited by default"
    );

    let again = create(&app, &editor, json!({"title": TITLE})).await;
    assert_eq!(
        again["slug"],
        "yong-min-sheng-wen-du-biao-zhu-xing-fu-ke-du-2"
    );
}

#[actix_web::test]
async fn bodies_are_rendered_safely() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let body = "# 标题\n\n<script>alert(1)</script>\n\n[点我](javascript:alert(1))\n\n\
        <img src=x onerror=alert(1)>\n\n| 年份 | 人数 |\n|---|---|\n| 2023 | 17.62万 |";
    let article = create(&app, &admin, json!({"title": "安全", "body": body})).await;
    let html = article["body_html"].as_str().expect("html");
    for bad in ["<script", "javascript:", "onerror"] {
        assert!(!html.contains(bad), "{bad} survived: {html}");
    }
    assert!(
        html.contains("<table>") && html.contains("17.62万"),
        "{html}"
    );
    assert!(html.contains("<h1>标题</h1>"), "{html}");
}

#[actix_web::test]
async fn seo_fields_change_one_at_a_time_and_misspelt_ones_are_refused() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let article = create(
        &app,
        &admin,
        json!({"title": "SEO", "seo": {"meta_title": "标题", "meta_description": "描述"}}),
    )
    .await;
    let path = format!("/api/v1/articles/{}", id_of(&article));
    let changed = app
        .patch(&path)
        .as_user(&admin)
        .json(&json!({"seo": {"meta_title": "新标题"}}))
        .send()
        .await
        .json();
    assert_eq!(changed["seo"]["meta_title"], "新标题");
    assert_eq!(
        changed["seo"]["meta_description"], "描述",
        "untouched fields stay"
    );
    let cleared = app
        .patch(&path)
        .as_user(&admin)
        .json(&json!({"seo": {"meta_description": null}}))
        .send()
        .await
        .json();
    assert_eq!(cleared["seo"]["meta_description"], Value::Null);
    assert_eq!(cleared["seo"]["meta_title"], "新标题");
    let typo = app
        .patch(&path)
        .as_user(&admin)
        .json(&json!({"seo": {"meta_titel": "x"}}))
        .send()
        .await;
    assert_eq!(
        typo.field_errors(),
        [("seo.meta_titel".into(), "unknown_field".into())]
    );
}
