use actix_web::http::StatusCode;
use diesel::{RunQueryDsl, sql_query};
use serde_json::{Value, json};

use crate::helpers::{Session, TestApp};

const TITLE: &str = "用民生“温度”标注幸福“刻度”";
const BODY: &str = "利民之事，丝发必兴。近年来，通辽市以群众满意为目标，持续推进社会帮扶体系建设。\n\n\
    翻阅通辽市厚重的社会救助台账，一串串数字，一个个事例，宛若跳动的音符。";

async fn create(app: &TestApp, as_user: &Session, body: Value) -> Value {
    let response = app
        .post("/api/v1/articles")
        .as_user(as_user)
        .json(&body)
        .send()
        .await;
    assert_eq!(response.status, StatusCode::CREATED, "{}", response.text());
    response.json()
}

async fn publish(app: &TestApp, as_user: &Session, id: &str) -> Value {
    let response = app
        .post(&format!("/api/v1/articles/{id}/publish"))
        .as_user(as_user)
        .send()
        .await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.text());
    response.json()
}

fn id_of(value: &Value) -> String {
    value["id"].as_str().expect("an id").to_owned()
}

/// Rows the articles tests need, written straight into the database.
fn insert(app: &TestApp, table: &str, slug: &str, name: &str) -> String {
    let id = uuid::Uuid::now_v7().to_string();
    sql_query(format!(
        "INSERT INTO {table} (id, slug, name) VALUES ('{id}', '{slug}', '{name}')"
    ))
    .execute(&mut app.db.connect())
    .expect("inserted");
    id
}

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
async fn drafts_are_invisible_to_readers_until_published() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let article = create(&app, &admin, json!({"title": TITLE, "body": BODY})).await;
    let id = id_of(&article);
    let slug = article["slug"].as_str().expect("slug").to_owned();

    app.get(&format!("/api/v1/articles/{id}"))
        .send()
        .await
        .problem(404);
    app.get(&format!("/api/v1/articles/{slug}"))
        .send()
        .await
        .problem(404);
    let list = app.get("/api/v1/articles").send().await;
    assert_eq!(list.json()["meta"]["total"], 0);
    let staff_list = app.get("/api/v1/articles").as_user(&admin).send().await;
    assert_eq!(staff_list.json()["meta"]["total"], 1);

    let published = publish(&app, &admin, &id).await;
    assert_eq!(published["status"], "published");
    let read = app.get(&format!("/api/v1/articles/{slug}")).send().await;
    assert_eq!(read.status, StatusCode::OK);
    assert_eq!(read.json()["id"], id.as_str());
    assert_eq!(read.header("cache-control"), Some("public, max-age=60"));
    let etag = read.header("etag").expect("an ETag").to_owned();
    let cached = app
        .get(&format!("/api/v1/articles/{slug}"))
        .header("if-none-match", &etag)
        .send()
        .await;
    assert_eq!(cached.status, StatusCode::NOT_MODIFIED);

    let credentialed = app
        .get(&format!("/api/v1/articles/{id}"))
        .as_user(&admin)
        .send()
        .await;
    assert_eq!(
        credentialed.header("cache-control"),
        Some("private, no-store")
    );

    let list = app.get("/api/v1/articles").send().await;
    assert_eq!(list.json()["meta"]["total"], 1);
    assert!(
        list.json()["data"][0].get("body").is_none(),
        "lists show summaries"
    );
    assert!(list.json()["data"][0].get("body_html").is_none());

    let unpublished = app
        .post(&format!("/api/v1/articles/{id}/unpublish"))
        .as_user(&admin)
        .send()
        .await;
    assert_eq!(unpublished.json()["status"], "draft");
    app.get(&format!("/api/v1/articles/{id}"))
        .send()
        .await
        .problem(404);
}

#[actix_web::test]
async fn a_future_publish_schedules_and_the_job_publishes_exactly_once() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let article = create(&app, &admin, json!({"title": "定时发布"})).await;
    let id = id_of(&article);
    let scheduled = app
        .post(&format!("/api/v1/articles/{id}/publish"))
        .as_user(&admin)
        .json(&json!({"published_at": "2999-01-01T00:00:00Z"}))
        .send()
        .await;
    assert_eq!(scheduled.json()["status"], "scheduled");
    app.get(&format!("/api/v1/articles/{id}"))
        .send()
        .await
        .problem(404);

    // Time passes: the publication time is now in the past.
    sql_query(format!(
        "UPDATE articles SET published_at = now() - interval '1 second' WHERE id = '{id}'"
    ))
    .execute(&mut app.db.connect())
    .expect("moved the clock");
    let live = app.get(&format!("/api/v1/articles/{id}")).send().await;
    assert_eq!(
        live.status,
        StatusCode::OK,
        "live as soon as its time has come"
    );

    // Two processes run the job at once: the article is published by exactly one of them.
    let (mut first, mut second) = (app.db.connect(), app.db.connect());
    let (a, b) = std::thread::scope(|scope| {
        let a = scope.spawn(|| masthead::articles::queries::publish_due(&mut first).expect("runs"));
        let b =
            scope.spawn(|| masthead::articles::queries::publish_due(&mut second).expect("runs"));
        (a.join().expect("joined"), b.join().expect("joined"))
    });
    assert_eq!(a.len() + b.len(), 1);
    let again = masthead::articles::queries::publish_due(&mut app.db.connect()).expect("runs");
    assert!(again.is_empty());
    let read = app
        .get(&format!("/api/v1/articles/{id}"))
        .as_user(&admin)
        .send()
        .await;
    assert_eq!(read.json()["status"], "published");
}

#[actix_web::test]
async fn contributors_write_drafts_but_cannot_publish() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let contributor = app.user(&admin, "contributor").await;
    let article = create(
        &app,
        &contributor,
        json!({"title": "投稿", "body": "草稿。"}),
    )
    .await;
    let id = id_of(&article);
    let authors = article["authors"].as_array().expect("authors").clone();
    assert_eq!(
        authors.len(),
        1,
        "their own author profile was made and credited"
    );

    let edited = app
        .patch(&format!("/api/v1/articles/{id}"))
        .as_user(&contributor)
        .json(&json!({"body": "改过的草稿。"}))
        .send()
        .await;
    assert_eq!(edited.status, StatusCode::OK, "{}", edited.text());

    app.post(&format!("/api/v1/articles/{id}/publish"))
        .as_user(&contributor)
        .send()
        .await
        .problem(403);

    publish(&app, &admin, &id).await;
    app.patch(&format!("/api/v1/articles/{id}"))
        .as_user(&contributor)
        .json(&json!({"body": "发布后不能改。"}))
        .send()
        .await
        .problem(403);

    // A second article by the same contributor reuses the profile.
    let second = create(&app, &contributor, json!({"title": "第二篇"})).await;
    assert_eq!(second["authors"], json!(authors));
}

#[actix_web::test]
async fn authors_publish_their_own_articles_only() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let alice = app.user(&admin, "author").await;
    let bob = app.user(&admin, "author").await;
    let hers = create(&app, &alice, json!({"title": "她的稿子"})).await;
    let id = id_of(&hers);
    app.post(&format!("/api/v1/articles/{id}/publish"))
        .as_user(&bob)
        .send()
        .await
        .problem(403);
    app.patch(&format!("/api/v1/articles/{id}"))
        .as_user(&bob)
        .json(&json!({"title": "抢稿"}))
        .send()
        .await
        .problem(403);
    app.delete(&format!("/api/v1/articles/{id}"))
        .as_user(&bob)
        .send()
        .await
        .problem(403);
    publish(&app, &alice, &id).await;
    let member = app.user(&admin, "member").await;
    app.post("/api/v1/articles")
        .as_user(&member)
        .json(&json!({"title": "读者不能写"}))
        .send()
        .await
        .problem(403);
    app.post("/api/v1/articles")
        .json(&json!({"title": "匿名"}))
        .send()
        .await
        .problem(401);
}

#[actix_web::test]
async fn slugs_survive_title_changes_and_old_slugs_redirect() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let article = create(&app, &admin, json!({"title": "通辽新闻"})).await;
    let id = id_of(&article);
    publish(&app, &admin, &id).await;
    assert_eq!(article["slug"], "tong-liao-xin-wen");

    let retitled = app
        .patch(&format!("/api/v1/articles/{id}"))
        .as_user(&admin)
        .json(&json!({"title": "通辽要闻"}))
        .send()
        .await;
    assert_eq!(
        retitled.json()["slug"],
        "tong-liao-xin-wen",
        "links must not break"
    );

    let renamed = app
        .patch(&format!("/api/v1/articles/{id}"))
        .as_user(&admin)
        .json(&json!({"slug": "tongliao-headlines"}))
        .send()
        .await;
    assert_eq!(renamed.json()["slug"], "tongliao-headlines");
    let old = app
        .get("/api/v1/articles/tong-liao-xin-wen?fields=id")
        .send()
        .await;
    assert_eq!(old.status, StatusCode::MOVED_PERMANENTLY);
    assert_eq!(
        old.header("location"),
        Some("/api/v1/articles/tongliao-headlines?fields=id")
    );

    // A retired slug is not handed to another article, and a taken one is a conflict.
    let other = create(&app, &admin, json!({"title": "通辽新闻"})).await;
    assert_eq!(other["slug"], "tong-liao-xin-wen-2");
    app.post("/api/v1/articles")
        .as_user(&admin)
        .json(&json!({"title": "x", "slug": "tongliao-headlines"}))
        .send()
        .await
        .problem(409);
    let bad = app
        .post("/api/v1/articles")
        .as_user(&admin)
        .json(&json!({"title": "x", "slug": "Not A Slug"}))
        .send()
        .await;
    assert_eq!(bad.field_errors(), [("slug".into(), "invalid".into())]);
}

#[actix_web::test]
async fn every_change_is_a_revision_and_restoring_loses_nothing() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let editor = app.user(&admin, "editor").await;
    let article = create(&app, &admin, json!({"title": "第一版", "body": "一。"})).await;
    let id = id_of(&article);
    // The same person within a minute: folded into revision 1.
    app.patch(&format!("/api/v1/articles/{id}"))
        .as_user(&admin)
        .json(&json!({"body": "一，改。"}))
        .send()
        .await;
    // Someone else: a new revision.
    app.patch(&format!("/api/v1/articles/{id}"))
        .as_user(&editor)
        .json(&json!({"title": "第二版", "body": "二。"}))
        .send()
        .await;
    let revisions = app
        .get(&format!("/api/v1/articles/{id}/revisions"))
        .as_user(&admin)
        .send()
        .await;
    let list = revisions.json();
    assert_eq!(list["data"].as_array().map(Vec::len), Some(2), "{list}");
    assert_eq!(list["meta"]["total"], 2, "the list envelope: {list}");
    assert_eq!(list["data"][0]["number"], 2);
    assert_eq!(list["data"][0]["created_by"], editor.user_id.as_str());

    let first = app
        .get(&format!("/api/v1/articles/{id}/revisions/1"))
        .as_user(&admin)
        .send()
        .await;
    assert_eq!(first.json()["content"]["title"], "第一版");
    assert_eq!(first.json()["content"]["body"], "一，改。");

    let restored = app
        .post(&format!("/api/v1/articles/{id}/revisions/1/restore"))
        .as_user(&admin)
        .send()
        .await;
    assert_eq!(restored.status, StatusCode::OK, "{}", restored.text());
    assert_eq!(restored.json()["title"], "第一版");
    let after = app
        .get(&format!("/api/v1/articles/{id}/revisions"))
        .as_user(&admin)
        .send()
        .await;
    assert_eq!(after.json()["data"].as_array().map(Vec::len), Some(3));
    let paged = app
        .get(&format!(
            "/api/v1/articles/{id}/revisions?per_page=2&page=2"
        ))
        .as_user(&admin)
        .send()
        .await
        .json();
    assert_eq!(
        paged["data"][0]["number"], 1,
        "the oldest on the second page"
    );
    assert_eq!(paged["meta"]["total"], 3);
    app.get(&format!("/api/v1/articles/{id}/revisions/9"))
        .as_user(&admin)
        .send()
        .await
        .problem(404);
    app.get(&format!("/api/v1/articles/{id}/revisions"))
        .send()
        .await
        .problem(401);
}

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

#[actix_web::test]
async fn stale_if_match_or_version_changes_nothing() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let article = create(&app, &admin, json!({"title": "并发"})).await;
    let id = id_of(&article);
    let path = format!("/api/v1/articles/{id}");
    let etag = app
        .get(&path)
        .as_user(&admin)
        .send()
        .await
        .header("etag")
        .expect("etag")
        .to_owned();
    let first = app
        .patch(&path)
        .as_user(&admin)
        .header("if-match", &etag)
        .json(&json!({"title": "甲的修改"}))
        .send()
        .await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.text());
    app.patch(&path)
        .as_user(&admin)
        .header("if-match", &etag)
        .json(&json!({"title": "乙的修改"}))
        .send()
        .await
        .problem(412);
    app.patch(&path)
        .as_user(&admin)
        .json(&json!({"title": "乙的修改", "version": 1}))
        .send()
        .await
        .problem(412);
    app.delete(&path)
        .as_user(&admin)
        .header("if-match", &etag)
        .send()
        .await
        .problem(412);
    let now = app.get(&path).as_user(&admin).send().await.json();
    assert_eq!(now["title"], "甲的修改");
    assert_eq!(now["version"], 2);
}

#[actix_web::test]
async fn bad_article_input_is_refused_and_nothing_is_written() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let missing = uuid::Uuid::now_v7().to_string();
    let cases = [
        (json!({"title": ""}), vec![("title", "required")]),
        (
            json!({"title": "标".repeat(301)}),
            vec![("title", "too_long")],
        ),
        (
            json!({"title": "<script>alert(1)</script>"}),
            vec![("title", "invalid")],
        ),
        (
            json!({"title": "ok", "subtitle": "<img src=x onerror=alert(1)>"}),
            vec![("subtitle", "invalid")],
        ),
        (
            json!({"title": "ok", "category": missing, "tags": [missing], "authors": [missing]}),
            vec![
                ("authors", "not_found"),
                ("category", "not_found"),
                ("tags", "not_found"),
            ],
        ),
        (
            json!({"title": "ok", "locale": "not a locale"}),
            vec![("locale", "invalid")],
        ),
        (
            json!({"title": "ok", "kind": "video"}),
            vec![("kind", "invalid")],
        ),
        (
            json!({"title": "ok", "seo": {"canonical_url": "javascript:alert(1)"}}),
            vec![("seo.canonical_url", "invalid")],
        ),
        (
            json!({"title": "ok", "cover_image": "not-a-uuid"}),
            vec![("cover_image", "invalid_type")],
        ),
        (
            json!({"title": "ok", "status": "published"}),
            vec![("status", "unknown_field")],
        ),
    ];
    for (body, expected) in cases {
        let response = app
            .post("/api/v1/articles")
            .as_user(&admin)
            .json(&body)
            .send()
            .await;
        let expected: Vec<(String, String)> = expected
            .into_iter()
            .map(|(f, c)| (f.to_owned(), c.to_owned()))
            .collect();
        assert_eq!(response.field_errors(), expected, "for {body}");
    }
    let huge = json!({"title": "长文", "body": "字".repeat(400_000)});
    app.post("/api/v1/articles")
        .as_user(&admin)
        .json(&huge)
        .send()
        .await
        .problem(413);
    let list = app.get("/api/v1/articles").as_user(&admin).send().await;
    assert_eq!(list.json()["meta"]["total"], 0, "nothing was written");

    for query in [
        "per_page=0",
        "per_page=101",
        "sort=popularity",
        "include=comments",
        "fields=secret",
        "published_after=yesterday",
        "after=garbage",
        "status=deleted",
    ] {
        app.get(&format!("/api/v1/articles?{query}"))
            .send()
            .await
            .problem(400);
    }
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
async fn lists_filter_sort_page_and_embed() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let health = insert(&app, "categories", "yi-liao-wei-sheng", "医疗卫生");
    let aid = insert(&app, "categories", "she-hui-jiu-zhu", "社会救助");
    let elderly = insert(&app, "tags", "yang-lao", "养老");
    let writer = insert(&app, "authors", "chao-lu-men", "朝鲁门");
    let mut ids = Vec::new();
    for n in 0..5 {
        let category = if n % 2 == 0 { &health } else { &aid };
        let mut body = json!({
            "title": format!("新闻 {n}"),
            "category": category,
            "featured": n == 0,
            "authors": [writer],
        });
        if n < 2 {
            body["tags"] = json!([elderly]);
        }
        if n == 4 {
            body["locale"] = json!("en");
            body["kind"] = json!("page");
        }
        let article = create(&app, &admin, body).await;
        let id = id_of(&article);
        app.post(&format!("/api/v1/articles/{id}/publish"))
            .as_user(&admin)
            .json(&json!({"published_at": format!("2024-01-0{}T08:00:00Z", n + 1)}))
            .send()
            .await;
        ids.push(id);
    }
    let total = |query: &str| {
        let query = query.to_owned();
        let app = &app;
        async move {
            let response = app.get(&format!("/api/v1/articles?{query}")).send().await;
            assert_eq!(
                response.status,
                StatusCode::OK,
                "{query}: {}",
                response.text()
            );
            response.json()["meta"]["total"].as_i64().expect("total")
        }
    };
    assert_eq!(total("").await, 5);
    assert_eq!(total("category=yi-liao-wei-sheng").await, 3);
    assert_eq!(total(&format!("category={aid}")).await, 2);
    assert_eq!(total("tag=yang-lao").await, 2);
    assert_eq!(total("author=chao-lu-men").await, 5);
    assert_eq!(total("tag=no-such-tag").await, 0);
    assert_eq!(total("featured=true").await, 1);
    assert_eq!(total("kind=page").await, 1);
    assert_eq!(total("locale=en").await, 1);
    assert_eq!(total("published_after=2024-01-03T00:00:00Z").await, 3);
    assert_eq!(total("published_before=2024-01-03T00:00:00Z").await, 2);
    assert_eq!(total("q=3").await, 1);

    let newest = app.get("/api/v1/articles?per_page=2").send().await;
    let body = newest.json();
    assert_eq!(body["data"][0]["id"], ids[4].as_str());
    assert_eq!(body["meta"]["total_pages"], 3);
    assert!(newest.header("link").is_some_and(|l| l.contains("page=2")));
    let oldest = app
        .get("/api/v1/articles?sort=published_at&per_page=1")
        .send()
        .await;
    assert_eq!(oldest.json()["data"][0]["id"], ids[0].as_str());

    // Walking with the cursor visits every article once, in order.
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => format!("/api/v1/articles?per_page=2&after={c}"),
            None => "/api/v1/articles?per_page=2".to_owned(),
        };
        let page = app.get(&path).send().await.json();
        for item in page["data"].as_array().expect("data") {
            seen.push(item["id"].as_str().expect("id").to_owned());
        }
        match page["meta"]["next_cursor"].as_str() {
            Some(next) if !page["data"].as_array().expect("data").is_empty() => {
                cursor = Some(next.to_owned())
            }
            _ => break,
        }
    }
    let expected: Vec<String> = ids.iter().rev().cloned().collect();
    assert_eq!(seen, expected);

    let shaped = app
        .get(
            "/api/v1/articles?fields=id,title,authors,category&include=authors,category&per_page=1",
        )
        .send()
        .await
        .json();
    let first = &shaped["data"][0];
    assert_eq!(first.as_object().map(|o| o.len()), Some(4), "{first}");
    assert_eq!(first["authors"][0]["name"], "朝鲁门");
    assert_eq!(first["category"]["name"], "医疗卫生");
    let with_body = app
        .get("/api/v1/articles?fields=id,body&per_page=1")
        .send()
        .await
        .json();
    assert!(with_body["data"][0]["body"].is_string());
}

#[actix_web::test]
async fn a_list_costs_the_same_statements_whatever_its_length() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let category = insert(&app, "categories", "yao-wen", "要闻");
    let tag = insert(&app, "tags", "min-sheng", "民生");
    let author = insert(&app, "authors", "bian-ji", "编辑");
    let add = |n: usize| {
        let app = &app;
        let admin = &admin;
        let (category, tag, author) = (category.clone(), tag.clone(), author.clone());
        async move {
            for i in 0..n {
                let article = create(
                    app,
                    admin,
                    json!({"title": format!("稿件 {i}"), "category": category, "tags": [tag], "authors": [author]}),
                )
                .await;
                publish(app, admin, &id_of(&article)).await;
            }
        }
    };
    let statements_for = |path: &'static str| {
        let app = &app;
        async move {
            let before = app.statements();
            let response = app.get(path).send().await;
            assert_eq!(response.status, StatusCode::OK);
            app.statements() - before
        }
    };
    add(2).await;
    let path = "/api/v1/articles?per_page=50&include=authors,tags,category";
    let small = statements_for(path).await;
    add(20).await;
    let large = statements_for(path).await;
    assert_eq!(small, large, "the statement count grew with the list");
    assert_eq!(
        large, 4,
        "the page and one per included relation; a first page that holds everything needs no count"
    );
    let one = statements_for("/api/v1/articles?per_page=1").await;
    assert_eq!(one, 2);
    let newest = app
        .get("/api/v1/articles?per_page=1&fields=id")
        .send()
        .await
        .json();
    let read = format!(
        "/api/v1/articles/{}",
        newest["data"][0]["id"].as_str().expect("id")
    );
    let before = app.statements();
    assert_eq!(app.get(&read).send().await.status, StatusCode::OK);
    assert_eq!(
        app.statements() - before,
        1,
        "an anonymous read is one statement"
    );
}

#[actix_web::test]
async fn hot_anonymous_reads_cost_no_statement_and_writes_show_at_once() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let article = create(&app, &admin, json!({"title": "缓存", "body": "第一版。"})).await;
    let id = id_of(&article);
    publish(&app, &admin, &id).await;
    let path = format!("/api/v1/articles/{id}");
    let first = app.get(&path).send().await;
    let before = app.statements();
    let second = app.get(&path).send().await;
    assert_eq!(app.statements(), before, "served from the cache");
    assert_eq!(second.body, first.body);
    assert_eq!(second.header("etag"), first.header("etag"));
    assert_eq!(second.header("cache-control"), Some("public, max-age=60"));
    let etag = first.header("etag").expect("etag").to_owned();
    let not_modified = app.get(&path).header("if-none-match", &etag).send().await;
    assert_eq!(not_modified.status, StatusCode::NOT_MODIFIED);

    app.patch(&path)
        .as_user(&admin)
        .json(&json!({"body": "第二版。"}))
        .send()
        .await;
    let after = app.get(&path).send().await;
    assert!(
        after.json()["body"]
            .as_str()
            .unwrap_or_default()
            .contains("第二版")
    );
    assert_ne!(after.header("etag"), Some(etag.as_str()));
}

#[actix_web::test]
async fn a_private_site_needs_a_content_key_to_read_articles() {
    let app = TestApp::spawn_with(|c| c.public_read = false).await;
    let admin = app.admin().await;
    let article = create(&app, &admin, json!({"title": "内部"})).await;
    let id = id_of(&article);
    publish(&app, &admin, &id).await;
    app.get(&format!("/api/v1/articles/{id}"))
        .send()
        .await
        .problem(401);
    app.get("/api/v1/articles").send().await.problem(401);
    let key = app
        .post("/api/v1/api-keys")
        .as_user(&admin)
        .json(&json!({"name": "frontend", "scope": "content"}))
        .send()
        .await
        .json()["key"]
        .as_str()
        .expect("a key")
        .to_owned();
    let read = app
        .get(&format!("/api/v1/articles/{id}"))
        .bearer(&key)
        .send()
        .await;
    assert_eq!(read.status, StatusCode::OK);
    assert_eq!(read.header("cache-control"), Some("private, no-store"));
    let drafts = create(&app, &admin, json!({"title": "草稿"})).await;
    app.get(&format!("/api/v1/articles/{}", id_of(&drafts)))
        .bearer(&key)
        .send()
        .await
        .problem(404);
    app.post("/api/v1/articles")
        .bearer(&key)
        .json(&json!({"title": "写"}))
        .send()
        .await
        .problem(403);
}

#[actix_web::test]
async fn translations_name_an_existing_other_article() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let original = create(&app, &admin, json!({"title": "通辽新闻"})).await;
    let id = id_of(&original);
    let english = create(
        &app,
        &admin,
        json!({"title": "Tongliao News", "locale": "en", "translation_of": id}),
    )
    .await;
    assert_eq!(english["translation_of"], id.as_str());
    assert_eq!(english["locale"], "en");
    assert_eq!(english["slug"], "tongliao-news");
    let mongolian = create(
        &app,
        &admin,
        json!({"title": "ᠲᠦᠩᠯᠢᠶᠣᠣ", "locale": "mn-Mong", "translation_of": id}),
    )
    .await;
    assert_eq!(
        mongolian["slug"], "article",
        "a title with no letters to use falls back"
    );

    let missing = app
        .post("/api/v1/articles")
        .as_user(&admin)
        .json(&json!({"title": "x", "translation_of": uuid::Uuid::now_v7()}))
        .send()
        .await;
    assert_eq!(
        missing.field_errors(),
        [("translation_of".into(), "not_found".into())]
    );
    let itself = app
        .patch(&format!("/api/v1/articles/{id}"))
        .as_user(&admin)
        .json(&json!({"translation_of": id}))
        .send()
        .await;
    assert_eq!(
        itself.field_errors(),
        [("translation_of".into(), "invalid".into())]
    );
    let cleared = app
        .patch(&format!("/api/v1/articles/{}", id_of(&english)))
        .as_user(&admin)
        .json(&json!({"translation_of": null, "subtitle": "A subtitle"}))
        .send()
        .await;
    assert_eq!(cleared.json()["translation_of"], Value::Null);
    assert_eq!(cleared.json()["subtitle"], "A subtitle");
}

#[actix_web::test]
async fn old_slugs_of_drafts_do_not_redirect_anonymous_readers() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let article = create(&app, &admin, json!({"title": "旧名"})).await;
    let id = id_of(&article);
    publish(&app, &admin, &id).await;
    app.patch(&format!("/api/v1/articles/{id}"))
        .as_user(&admin)
        .json(&json!({"slug": "secret-new-name"}))
        .send()
        .await;
    app.post(&format!("/api/v1/articles/{id}/unpublish"))
        .as_user(&admin)
        .send()
        .await;
    let anonymous = app.get("/api/v1/articles/jiu-ming").send().await;
    anonymous.problem(404);
    assert!(!anonymous.text().contains("secret-new-name"));
    let staff = app
        .get("/api/v1/articles/jiu-ming")
        .as_user(&admin)
        .send()
        .await;
    assert_eq!(staff.status, StatusCode::MOVED_PERMANENTLY);
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

#[actix_web::test]
async fn times_outside_what_can_be_stored_are_client_errors() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let article = create(&app, &admin, json!({"title": "时间"})).await;
    let publish = app
        .post(&format!("/api/v1/articles/{}/publish", id_of(&article)))
        .as_user(&admin)
        .json(&json!({"published_at": "-5000-01-01T00:00:00Z"}))
        .send()
        .await;
    assert_eq!(
        publish.field_errors(),
        [("published_at".into(), "invalid".into())]
    );
    let cursor = format!("p.-100000000000000000.{}", uuid::Uuid::now_v7().simple());
    app.get(&format!("/api/v1/articles?after={cursor}"))
        .send()
        .await
        .problem(400);
    app.get("/api/v1/articles?published_after=%2B275760-09-13T00:00:00Z")
        .send()
        .await
        .problem(400);
}
