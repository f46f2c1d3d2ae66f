//! Friend links: the public list, editors' management, and applications from other sites.

use serde_json::{Value, json};

use crate::{
    helpers::{Session, TestApp, names},
    images::uploaded,
};

async fn link(app: &TestApp, editor: &Session, body: Value) -> Value {
    let response = app
        .post("/api/v1/links")
        .as_user(editor)
        .json(&body)
        .send()
        .await;
    assert_eq!(response.status, 201, "{}", response.text());
    response.json()
}

#[actix_web::test]
async fn readers_see_approved_links_by_group_in_position_order() {
    let app = TestApp::spawn().await;
    let editor = app.editor().await;
    link(
        &app,
        &editor,
        json!({"name": "内蒙古新闻网", "url": "https://www.nmgnews.com.cn", "position": 2}),
    )
    .await;
    link(
        &app,
        &editor,
        json!({"name": "通辽新闻网", "url": "http://www.tlnews.cn", "position": 1}),
    )
    .await;
    link(&app, &editor, json!({"name": "通辽市人民政府", "url": "https://www.tongliao.gov.cn", "group": "government"})).await;
    link(
        &app,
        &editor,
        json!({"name": "待定", "url": "https://pending.example.com", "approved": false}),
    )
    .await;

    let all = app.get("/api/v1/links").send().await;
    assert_eq!(all.status, 200);
    assert!(
        all.header("cache-control")
            .is_some_and(|c| c.starts_with("public"))
    );
    assert_eq!(
        names(&all.json()),
        vec!["通辽新闻网", "内蒙古新闻网", "通辽市人民政府"]
    );
    let friends = app.get("/api/v1/links?group=friends").send().await.json();
    assert_eq!(names(&friends), vec!["通辽新闻网", "内蒙古新闻网"]);
    assert_eq!(friends["meta"]["total"], 2);
    let government = app
        .get("/api/v1/links?group=government")
        .send()
        .await
        .json();
    assert_eq!(names(&government), vec!["通辽市人民政府"]);
    assert_eq!(
        government["data"][0]["position"], 1,
        "positions count from 1, the default too"
    );
}

#[actix_web::test]
async fn other_sites_apply_and_editors_approve() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let editor = app.user(&admin, "editor").await;
    let member = app.user(&admin, "member").await;
    let applied = app
        .post("/api/v1/links/applications")
        .json(&json!({"name": "科尔沁旅游网", "url": "https://www.example.com", "contact_email": "Webmaster@Example.com", "note": "愿与贵站交换链接"}))
        .send()
        .await;
    assert_eq!(applied.status, 202, "{}", applied.text());
    let application = applied.json();
    assert_eq!(application["approved"], false);
    assert!(
        application.get("contact_email").is_none(),
        "the applicant's email is for editors"
    );

    assert_eq!(
        app.get("/api/v1/links").send().await.json()["meta"]["total"],
        0
    );
    let path = format!("/api/v1/links/{}", application["id"].as_str().expect("id"));
    app.get(&path).send().await.problem(404);
    app.get("/api/v1/links?approved=false")
        .send()
        .await
        .problem(401);
    app.get("/api/v1/links?approved=false")
        .as_user(&member)
        .send()
        .await
        .problem(403);
    let waiting = app
        .get("/api/v1/links?approved=false")
        .as_user(&editor)
        .send()
        .await
        .json();
    assert_eq!(names(&waiting), vec!["科尔沁旅游网"]);
    assert_eq!(waiting["data"][0]["contact_email"], "webmaster@example.com");
    assert_eq!(waiting["data"][0]["note"], "愿与贵站交换链接");

    app.patch(&path)
        .as_user(&member)
        .json(&json!({"approved": true}))
        .send()
        .await
        .problem(403);
    let approved = app
        .patch(&path)
        .as_user(&editor)
        .json(&json!({"approved": true, "position": 5}))
        .send()
        .await;
    assert_eq!(approved.status, 200, "{}", approved.text());
    assert_eq!(
        names(&app.get("/api/v1/links").send().await.json()),
        vec!["科尔沁旅游网"]
    );
    assert_eq!(app.get(&path).send().await.status, 200);
}

#[actix_web::test]
async fn applications_are_checked_and_rate_limited_per_address() {
    let app = TestApp::spawn().await;
    let bad = app
        .post("/api/v1/links/applications")
        .json(&json!({"name": "<a>spam</a>", "url": "javascript:alert(1)", "contact_email": "not-an-email"}))
        .send()
        .await;
    assert_eq!(
        bad.field_errors(),
        vec![
            ("contact_email".to_owned(), "invalid".to_owned()),
            ("name".to_owned(), "invalid".to_owned()),
            ("url".to_owned(), "invalid".to_owned())
        ]
    );
    let apply = |peer: &str, n: usize| {
        app.post("/api/v1/links/applications")
            .with_peer(peer)
            .json(&json!({"name": format!("站点{n}"), "url": format!("https://site{n}.example.com"), "contact_email": "a@example.com"}))
            .send()
    };
    for n in 0..3 {
        assert_eq!(apply("203.0.113.7:5000", n).await.status, 202);
    }
    let throttled = apply("203.0.113.7:5001", 3).await;
    throttled.problem(429);
    assert!(
        throttled
            .header("retry-after")
            .and_then(|s| s.parse::<u64>().ok())
            .is_some_and(|s| s > 0)
    );
    assert_eq!(
        apply("198.51.100.1:5000", 4).await.status,
        202,
        "another address has its own budget"
    );
}

#[actix_web::test]
async fn editors_manage_links_with_if_match_and_checked_fields() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let editor = app.user(&admin, "editor").await;
    let author = app.user(&admin, "author").await;
    app.post("/api/v1/links")
        .json(&json!({"name": "x", "url": "https://x.example"}))
        .send()
        .await
        .problem(401);
    app.post("/api/v1/links")
        .as_user(&author)
        .json(&json!({"name": "x", "url": "https://x.example"}))
        .send()
        .await
        .problem(403);
    let missing = uuid::Uuid::now_v7();
    let bad = app
        .post("/api/v1/links")
        .as_user(&editor)
        .json(&json!({"name": "", "url": "", "logo": missing, "position": -1}))
        .send()
        .await;
    assert_eq!(
        bad.field_errors(),
        vec![
            ("name".to_owned(), "required".to_owned()),
            ("position".to_owned(), "invalid".to_owned()),
            ("url".to_owned(), "required".to_owned())
        ]
    );
    let no_logo = app
        .post("/api/v1/links")
        .as_user(&editor)
        .json(&json!({"name": "x", "url": "https://x.example", "logo": missing}))
        .send()
        .await;
    assert_eq!(
        no_logo.field_errors(),
        vec![("logo".to_owned(), "not_found".to_owned())]
    );

    let logo = uploaded(&app, &editor).await;
    let created = link(
        &app,
        &editor,
        json!({"name": "通辽新闻网", "url": "https://www.tlnews.cn", "logo": logo}),
    )
    .await;
    assert_eq!(created["logo"], logo.as_str());
    let path = format!("/api/v1/links/{}", created["id"].as_str().expect("id"));
    let etag = app
        .get(&path)
        .as_user(&editor)
        .send()
        .await
        .header("etag")
        .expect("etag")
        .to_owned();
    let changed = app
        .patch(&path)
        .as_user(&editor)
        .header("if-match", &etag)
        .json(&json!({"name": "通辽网", "logo": null}))
        .send()
        .await;
    assert_eq!(changed.status, 200, "{}", changed.text());
    assert_eq!(
        (
            changed.json()["name"].as_str(),
            changed.json()["logo"].as_str()
        ),
        (Some("通辽网"), None)
    );
    app.patch(&path)
        .as_user(&editor)
        .header("if-match", &etag)
        .json(&json!({"name": "迟到"}))
        .send()
        .await
        .problem(412);
    assert_eq!(app.delete(&path).as_user(&editor).send().await.status, 204);
    app.get(&path).as_user(&editor).send().await.problem(404);
}
