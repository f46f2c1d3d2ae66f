//! Publishing: drafts unseen until published, and scheduled articles published by the job once.

use actix_web::http::StatusCode;
use diesel::{RunQueryDsl, sql_query};
use serde_json::json;

use super::{BODY, TITLE, create, id_of, publish};
use crate::helpers::TestApp;

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
async fn an_article_created_published_is_live_at_once_and_a_future_one_scheduled() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let live = create(
        &app,
        &admin,
        json!({"title": TITLE, "body": BODY, "status": "published"}),
    )
    .await;
    assert_eq!(live["status"], "published");
    assert!(live["published_at"].is_string(), "{live}");
    assert!(live["unpublish_at"].is_null());
    let slug = live["slug"].as_str().expect("slug");
    let read = app.get(&format!("/api/v1/articles/{slug}")).send().await;
    assert_eq!(read.status, StatusCode::OK, "readers see it at once");
    assert_eq!(read.json()["body_html"], live["body_html"]);

    let backdated = create(
        &app,
        &admin,
        json!({"title": "补发的旧闻", "status": "published",
               "published_at": "2020-01-02T03:04:05Z", "unpublish_at": "2999-01-01T00:00:00Z"}),
    )
    .await;
    assert_eq!(backdated["status"], "published");
    assert_eq!(backdated["published_at"], "2020-01-02T03:04:05Z");
    assert_eq!(backdated["unpublish_at"], "2999-01-01T00:00:00Z");

    for status in ["published", "scheduled"] {
        let later = create(
            &app,
            &admin,
            json!({"title": format!("定时 {status}"), "status": status,
                   "published_at": "2999-01-01T00:00:00Z"}),
        )
        .await;
        assert_eq!(later["status"], "scheduled", "{status}");
        app.get(&format!("/api/v1/articles/{}", id_of(&later)))
            .send()
            .await
            .problem(404);
    }

    let list = app.get("/api/v1/articles").send().await.json();
    assert_eq!(list["meta"]["total"], 2);
    assert_eq!(list["data"][0]["id"], live["id"], "newest first");
    assert_eq!(list["data"][1]["id"], backdated["id"]);
    let revisions = app
        .get(&format!("/api/v1/articles/{}/revisions", id_of(&live)))
        .as_user(&admin)
        .send()
        .await
        .json();
    assert_eq!(revisions["meta"]["total"], 1, "{revisions}");
}

#[actix_web::test]
async fn a_create_that_may_not_publish_stores_nothing() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let contributor = app.user(&admin, "contributor").await;
    let author = app.user(&admin, "author").await;
    for body in [
        json!({"title": "投稿", "status": "published"}),
        json!({"title": "投稿", "status": "scheduled", "published_at": "2020-01-01T00:00:00Z"}),
    ] {
        app.post("/api/v1/articles")
            .as_user(&contributor)
            .json(&body)
            .send()
            .await
            .problem(403);
    }
    app.assert_field_errors(
        "/api/v1/articles",
        &admin,
        [
            (
                json!({"title": "草稿", "published_at": "2020-01-01T00:00:00Z",
                       "unpublish_at": "2999-01-01T00:00:00Z"}),
                vec![("published_at", "invalid")],
            ),
            (
                json!({"title": "定时", "status": "scheduled"}),
                vec![("published_at", "required")],
            ),
            (
                json!({"title": "定时", "status": "scheduled",
                       "published_at": "2020-01-01T00:00:00Z"}),
                vec![("published_at", "invalid")],
            ),
            (
                json!({"title": "下线早于上线", "status": "published",
                       "published_at": "2999-01-02T00:00:00Z",
                       "unpublish_at": "2999-01-01T00:00:00Z"}),
                vec![("unpublish_at", "invalid")],
            ),
            (
                json!({"title": "已下线", "status": "published",
                       "published_at": "2020-01-01T00:00:00Z",
                       "unpublish_at": "2021-01-01T00:00:00Z"}),
                vec![("unpublish_at", "invalid")],
            ),
        ],
    )
    .await;
    let everything = app.get("/api/v1/articles").as_user(&admin).send().await;
    assert_eq!(everything.json()["meta"]["total"], 0, "nothing was stored");
    let authors = app.get("/api/v1/authors").as_user(&admin).send().await;
    assert_eq!(
        authors.json()["meta"]["total"],
        0,
        "not even the contributor's author profile"
    );

    let own = create(
        &app,
        &author,
        json!({"title": "作者自己发布", "status": "published"}),
    )
    .await;
    assert_eq!(own["status"], "published", "authors publish their own");
    let draft = create(
        &app,
        &contributor,
        json!({"title": "投稿草稿", "unpublish_at": "2999-01-01T00:00:00Z"}),
    )
    .await;
    assert_eq!(draft["status"], "draft");
    assert_eq!(
        draft["unpublish_at"], "2999-01-01T00:00:00Z",
        "a draft may carry its take-down time, as a PATCH may give it"
    );
}

/// Creating and publishing are the hot writes: PostgreSQL prepares their statements once per
/// connection instead of parsing and planning them on every article (Diesel sends its own
/// `UPDATE`, and `sql_query` text, unprepared), whether the article is created as a draft or
/// created published.
#[actix_web::test]
async fn creating_and_publishing_reuse_prepared_statements() {
    use diesel::{QueryableByName, sql_types::Text};

    #[derive(QueryableByName)]
    struct Prepared {
        #[diesel(sql_type = Text)]
        statement: String,
    }

    // One connection: every request below runs on it, and so does the look at what it prepared.
    let app = TestApp::spawn_with(|config| config.db_pool_size = 1).await;
    let admin = app.admin().await;
    for n in 0..3 {
        let article = create(
            &app,
            &admin,
            json!({"title": format!("{TITLE} {n}"), "body": BODY}),
        )
        .await;
        let published = publish(&app, &admin, &id_of(&article)).await;
        assert_eq!(published["status"], "published");
        let created_live = create(
            &app,
            &admin,
            json!({"title": format!("{TITLE} live {n}"), "status": "published"}),
        )
        .await;
        assert_eq!(created_live["status"], "published");
    }
    let prepared = masthead::db::run(&app.state().pool, |conn| {
        sql_query("SELECT statement FROM pg_prepared_statements")
            .load::<Prepared>(conn)
            .map_err(Into::into)
    })
    .await
    .expect("the session's prepared statements");
    for start in [
        "INSERT INTO \"articles\"",
        "UPDATE articles SET status",
        "SELECT pg_advisory_xact_lock",
        "SELECT set_config",
    ] {
        let found = prepared
            .iter()
            .filter(|p| p.statement.starts_with(start))
            .count();
        assert_eq!(found, 1, "statements prepared starting with {start}");
    }
}
