//! Scheduled take-down: `unpublish_at` hides an article from its moment on, the job archives it
//! and hooks hear `article.unpublished`, and what readers are told of its status is what they
//! experience.

use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use diesel::{RunQueryDsl, sql_query, sql_types::Text};
use serde_json::{Value, json};

use crate::helpers::{Session, TestApp};

async fn draft(app: &TestApp, editor: &Session, title: &str) -> String {
    let created = app
        .post("/api/v1/articles")
        .as_user(editor)
        .json(&json!({"title": title, "body": "正文"}))
        .send()
        .await;
    assert_eq!(created.status, 201, "{}", created.text());
    created.json()["id"].as_str().expect("an id").to_owned()
}

async fn publish(app: &TestApp, editor: &Session, id: &str, body: Value) -> Value {
    let published = app
        .post(&format!("/api/v1/articles/{id}/publish"))
        .as_user(editor)
        .json(&body)
        .send()
        .await;
    assert_eq!(published.status, 200, "{}", published.text());
    published.json()
}

fn at(offset_ms: i64) -> String {
    (Utc::now() + TimeDelta::milliseconds(offset_ms)).to_rfc3339()
}

fn max_age(cache_control: Option<&str>) -> u32 {
    cache_control
        .and_then(|v| v.split("max-age=").nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("no max-age in {cache_control:?}"))
}

#[actix_web::test]
async fn an_article_comes_down_at_its_unpublish_at_and_readers_see_it_go() {
    let app = TestApp::spawn().await;
    let editor = app.editor().await;
    let id = draft(&app, &editor, "限时活动").await;
    let published = publish(&app, &editor, &id, json!({"unpublish_at": at(1500)})).await;
    assert_eq!(published["status"], "published");
    let until: DateTime<Utc> = published["unpublish_at"]
        .as_str()
        .and_then(|v| v.parse().ok())
        .expect("unpublish_at is kept");

    // Until then, anonymous copies may not outlive the moment.
    let read = app.get(&format!("/api/v1/articles/{id}")).send().await;
    assert_eq!(read.status, 200);
    assert!(
        max_age(read.header("cache-control")) <= 2,
        "{:?}",
        read.header("cache-control")
    );
    let list = app.get("/api/v1/articles").send().await;
    assert_eq!(list.json()["meta"]["total"], 1);
    assert!(max_age(list.header("cache-control")) <= 2);

    let wait = (until - Utc::now()).to_std().unwrap_or_default();
    actix_web::rt::time::sleep(wait + Duration::from_millis(100)).await;
    // Before any job ran: hidden from readers, `archived` to staff.
    let gone = app.get(&format!("/api/v1/articles/{id}")).send().await;
    gone.problem(404);
    let list = app.get("/api/v1/articles").send().await;
    assert_eq!(list.json()["meta"]["total"], 0, "{}", list.text());
    let staff = app
        .get(&format!("/api/v1/articles/{id}"))
        .as_user(&editor)
        .send()
        .await;
    assert_eq!(staff.json()["status"], "archived");
    let stored: Vec<Status> = sql_query("SELECT status FROM articles")
        .load(&mut app.db.connect())
        .expect("read");
    assert_eq!(stored[0].status, "published", "the job has not run");

    // The job records it, once, as `unpublished`.
    let state = app.state().clone();
    let archived = actix_web::rt::task::spawn_blocking(move || {
        masthead::db::run_blocking(&state.pool, |conn| {
            Ok(masthead::articles::queries::unpublish_due(conn)?)
        })
    })
    .await
    .expect("ran")
    .expect("archived");
    assert_eq!(archived.len(), 1);
    let actions: Vec<Status> = sql_query(
        "SELECT action AS status FROM change_log WHERE resource = 'article' ORDER BY seq",
    )
    .load(&mut app.db.connect())
    .expect("read");
    let actions: Vec<&str> = actions.iter().map(|a| a.status.as_str()).collect();
    assert_eq!(actions, ["created", "published", "unpublished"]);
    let stored: Vec<Status> = sql_query("SELECT status FROM articles")
        .load(&mut app.db.connect())
        .expect("read");
    assert_eq!(stored[0].status, "archived");
}

#[derive(diesel::QueryableByName)]
struct Status {
    #[diesel(sql_type = Text)]
    status: String,
}

#[actix_web::test]
async fn a_take_down_before_publication_is_refused_and_publishing_again_clears_a_past_one() {
    let app = TestApp::spawn().await;
    let editor = app.editor().await;
    let id = draft(&app, &editor, "禁运稿件").await;
    let published_at = at(60_000);
    for unpublish_at in [at(30_000), published_at.clone()] {
        let refused = app
            .post(&format!("/api/v1/articles/{id}/publish"))
            .as_user(&editor)
            .json(&json!({"published_at": published_at, "unpublish_at": unpublish_at}))
            .send()
            .await;
        assert_eq!(
            refused.field_errors(),
            [("unpublish_at".to_owned(), "invalid".to_owned())]
        );
    }
    let bad_year = app
        .post(&format!("/api/v1/articles/{id}/publish"))
        .as_user(&editor)
        .json(&json!({"published_at": "+10000-01-01T00:00:00Z", "unpublish_at": "+10001-01-01T00:00:00Z"}))
        .send()
        .await;
    assert_eq!(
        bad_year.problem(422)["errors"].as_array().map(Vec::len),
        Some(2)
    );

    let published = publish(&app, &editor, &id, json!({})).await;
    assert_eq!(published["unpublish_at"], Value::Null);
    // By PATCH: before publication is refused, after it is kept, null clears it.
    let patch = |body: Value| {
        app.patch(&format!("/api/v1/articles/{id}"))
            .as_user(&editor)
            .json(&body)
            .send()
    };
    let early = patch(json!({"unpublish_at": "2001-01-01T00:00:00Z"})).await;
    assert_eq!(
        early.field_errors(),
        [("unpublish_at".to_owned(), "invalid".to_owned())]
    );
    let soon = at(500);
    let set = patch(json!({"unpublish_at": soon})).await;
    assert_eq!(set.status, 200, "{}", set.text());
    assert!(set.json()["unpublish_at"].is_string());
    actix_web::rt::time::sleep(Duration::from_millis(700)).await;
    app.get(&format!("/api/v1/articles/{id}"))
        .send()
        .await
        .problem(404);
    // Publishing again brings it back: the past take-down belonged to the last publication.
    let again = publish(&app, &editor, &id, json!(null)).await;
    assert_eq!(again["unpublish_at"], Value::Null);
    assert_eq!(again["status"], "published");
    assert_eq!(
        app.get(&format!("/api/v1/articles/{id}"))
            .send()
            .await
            .status,
        200
    );

    // One still ahead is kept by a new publication; `null` by PATCH clears it.
    let later = at(3_600_000);
    assert_eq!(patch(json!({"unpublish_at": later})).await.status, 200);
    let kept = publish(&app, &editor, &id, json!({})).await;
    assert!(kept["unpublish_at"].is_string(), "{kept}");
    let cleared = patch(json!({"unpublish_at": null})).await;
    assert_eq!(cleared.json()["unpublish_at"], Value::Null);
}

#[actix_web::test]
async fn a_scheduled_article_reads_as_published_from_its_time_even_before_the_job_runs() {
    let app = TestApp::spawn().await;
    let editor = app.editor().await;
    let id = draft(&app, &editor, "定时发布").await;
    let scheduled = publish(&app, &editor, &id, json!({"published_at": at(800)})).await;
    assert_eq!(scheduled["status"], "scheduled");
    let early = app.get(&format!("/api/v1/articles/{id}")).send().await;
    early.problem(404);
    actix_web::rt::time::sleep(Duration::from_millis(1000)).await;
    let read = app.get(&format!("/api/v1/articles/{id}")).send().await;
    assert_eq!(read.status, 200, "{}", read.text());
    assert_eq!(read.json()["status"], "published");
    let listed = app
        .get("/api/v1/articles?status=scheduled")
        .as_user(&editor)
        .send()
        .await;
    assert_eq!(listed.json()["data"][0]["status"], "published");
}

#[actix_web::test]
async fn every_public_answer_showing_an_article_ends_its_copies_when_the_article_comes_down() {
    let app = TestApp::spawn().await;
    let editor = app.editor().await;
    let lasting = draft(&app, &editor, "长期专题").await;
    publish(&app, &editor, &lasting, json!({})).await;
    let ending = draft(&app, &editor, "限时专题").await;
    let search = format!(
        "/api/v1/search?q={}",
        percent_encoding::utf8_percent_encode("限时专题", percent_encoding::NON_ALPHANUMERIC)
    );
    let curate = |body: Value| {
        let (app, editor) = (&app, &editor);
        async move {
            let created = app
                .post("/api/v1/recommendations")
                .as_user(editor)
                .json(&body)
                .send()
                .await;
            assert_eq!(created.status, 201, "{}", created.text());
        }
    };
    curate(json!({"slot": "editors-picks", "target_article": ending})).await;
    curate(json!({"slot": "related", "source_article": lasting, "target_article": ending})).await;

    // Before the take-down is set, answers last the configured minute.
    let paths = [
        format!("/api/v1/articles/{lasting}/related"),
        "/api/v1/recommendations?slot=editors-picks".to_owned(),
        "/feed.xml".to_owned(),
        "/sitemap.xml".to_owned(),
        "/sitemap.txt".to_owned(),
        search,
    ];
    publish(&app, &editor, &ending, json!({})).await;
    for path in &paths {
        let answer = app.get(path).send().await;
        assert_eq!(answer.status, 200, "{path}: {}", answer.text());
        assert_eq!(max_age(answer.header("cache-control")), 60, "{path}");
    }

    // Coming down in 20 s: no copy may outlive that, here or in a CDN.
    let patched = app
        .patch(&format!("/api/v1/articles/{ending}"))
        .as_user(&editor)
        .json(&json!({"unpublish_at": at(20_000)}))
        .send()
        .await;
    assert_eq!(patched.status, 200, "{}", patched.text());
    for path in &paths {
        let answer = app.get(path).send().await;
        assert_eq!(answer.status, 200, "{path}: {}", answer.text());
        let seconds = max_age(answer.header("cache-control"));
        assert!((1..=20).contains(&seconds), "{path}: max-age={seconds}");
        // A revalidation of the copy is capped the same way.
        if let Some(tag) = answer.header("etag") {
            let again = app.get(path).header("if-none-match", tag).send().await;
            assert_eq!(again.status, 304, "{path}");
            assert!(max_age(again.header("cache-control")) <= 20, "{path}");
        }
    }

    // A staff reader's answer is never public, capped or not.
    let staff = app.get(&paths[1]).as_user(&editor).send().await;
    assert_eq!(staff.header("cache-control"), Some("private, no-store"));
}

#[actix_web::test]
async fn site_files_change_when_a_scheduled_article_goes_live_and_last_no_longer() {
    let app = TestApp::spawn().await;
    let editor = app.editor().await;
    let id = draft(&app, &editor, "明日发布").await;
    publish(&app, &editor, &id, json!({"published_at": at(30_000)})).await;
    for path in ["/feed.xml", "/sitemap.xml", "/sitemap.txt"] {
        let answer = app.get(path).send().await;
        assert_eq!(answer.status, 200, "{path}");
        assert!(!answer.text().contains("明日发布"), "{path}");
        let seconds = max_age(answer.header("cache-control"));
        assert!((1..=30).contains(&seconds), "{path}: max-age={seconds}");
    }
}
