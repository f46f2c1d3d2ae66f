use actix_web::http::StatusCode;
use diesel::{QueryDsl, RunQueryDsl};
use masthead::schema::articles;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::{
    authors::{Article, create, id_of},
    helpers::{Session, TestApp, names},
};

async fn tag(app: &TestApp, editor: &Session, name: &str) -> Value {
    create(app, editor, "/api/v1/tags", json!({"name": name})).await
}

fn tags_of(app: &TestApp, article: Uuid) -> Vec<Uuid> {
    let ids: Vec<Option<Uuid>> = articles::table
        .find(article)
        .select(articles::tag_ids)
        .first(&mut app.db.connect())
        .expect("the article exists");
    ids.into_iter().flatten().collect()
}

#[actix_web::test]
async fn editors_create_read_list_update_and_delete_tags() {
    let app = TestApp::spawn().await;
    let editor = app.editor().await;
    let response = app
        .post("/api/v1/tags")
        .as_user(&editor)
        .json(&json!({"name": "养老"}))
        .send()
        .await;
    assert_eq!(response.status, StatusCode::CREATED, "{}", response.text());
    let created = response.json();
    let id = id_of(&created);
    assert_eq!(
        response.header("location"),
        Some(format!("/api/v1/tags/{id}").as_str())
    );
    assert_eq!(created["slug"], "yang-lao");
    assert_eq!(created["name"], "养老");
    assert_eq!(created["article_count"], 0);
    assert_eq!(created["version"], 1);

    for path in [
        format!("/api/v1/tags/{id}"),
        "/api/v1/tags/yang-lao".to_owned(),
    ] {
        let read = app.get(&path).send().await;
        assert_eq!(read.status, StatusCode::OK, "{path}");
        assert_eq!(read.json(), created);
        assert_eq!(read.header("cache-control"), Some("public, max-age=60"));
    }
    let list = app.get("/api/v1/tags").send().await;
    assert_eq!(list.json()["data"], json!([created]));

    let renamed = app
        .patch("/api/v1/tags/yang-lao")
        .as_user(&editor)
        .json(&json!({"name": "养老服务"}))
        .send()
        .await;
    assert_eq!(renamed.status, StatusCode::OK, "{}", renamed.text());
    assert_eq!(renamed.json()["name"], "养老服务");
    assert_eq!(
        renamed.json()["slug"],
        "yang-lao",
        "a new name keeps the slug"
    );
    assert_eq!(renamed.json()["version"], 2);
    let reslugged = app
        .patch(&format!("/api/v1/tags/{id}"))
        .as_user(&editor)
        .json(&json!({"slug": "yang-lao-fu-wu"}))
        .send()
        .await;
    assert_eq!(reslugged.json()["slug"], "yang-lao-fu-wu");
    assert_eq!(reslugged.json()["version"], 3);

    let deleted = app
        .delete("/api/v1/tags/yang-lao-fu-wu")
        .as_user(&editor)
        .send()
        .await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    app.get(&format!("/api/v1/tags/{id}"))
        .send()
        .await
        .problem(404);
}

#[actix_web::test]
async fn slugs_come_from_names_and_a_taken_explicit_slug_is_a_conflict() {
    let app = TestApp::spawn().await;
    let editor = app.editor().await;
    let slugs: Vec<Value> = [
        tag(&app, &editor, "养老").await,
        tag(&app, &editor, "养老").await,
        tag(&app, &editor, "#!").await,
    ]
    .iter()
    .map(|t| t["slug"].clone())
    .collect();
    assert_eq!(
        slugs,
        [json!("yang-lao"), json!("yang-lao-2"), json!("tag")]
    );

    app.post("/api/v1/tags")
        .as_user(&editor)
        .json(&json!({"name": "养老金", "slug": "yang-lao"}))
        .send()
        .await
        .problem(409);
    app.patch("/api/v1/tags/tag")
        .as_user(&editor)
        .json(&json!({"slug": "yang-lao-2"}))
        .send()
        .await
        .problem(409);
}

#[actix_web::test]
async fn q_finds_tags_by_part_of_their_name_prefixes_first() {
    let app = TestApp::spawn().await;
    let editor = app.editor().await;
    for name in [
        "居家养老",
        "养老服务",
        "教育",
        "养老",
        "100%_纯",
        "1000x",
        "Elderly Care",
    ] {
        tag(&app, &editor, name).await;
    }
    let cases: [(&str, &[&str]); 6] = [
        ("%E5%85%BB%E8%80%81", &["养老", "养老服务", "居家养老"]),
        ("%25", &["100%_纯"]),
        ("_", &["100%_纯"]),
        ("elderly", &["Elderly Care"]),
        ("%20CARE%20", &["Elderly Care"]),
        ("%E4%BD%93%E8%82%B2", &[]),
    ];
    for (q, expected) in cases {
        let list = app.get(&format!("/api/v1/tags?q={q}")).send().await.json();
        assert_eq!(names(&list), expected, "q={q}");
        assert_eq!(list["meta"]["total"], expected.len(), "q={q}");
    }
    let all = app.get("/api/v1/tags?q=").send().await.json();
    assert_eq!(all["meta"]["total"], 7, "an empty q filters nothing");
}

#[actix_web::test]
async fn deleting_a_tag_takes_it_off_every_article() {
    let app = TestApp::spawn().await;
    let editor = app.editor().await;
    let (old_age, education) = (
        id_of(&tag(&app, &editor, "养老").await),
        id_of(&tag(&app, &editor, "教育").await),
    );
    let both = Article {
        tag_ids: vec![education, old_age],
        ..Article::live()
    }
    .insert(&app);
    let trashed = Article {
        tag_ids: vec![old_age],
        trashed: true,
        ..Article::draft()
    }
    .insert(&app);
    let other = Article {
        tag_ids: vec![education],
        ..Article::live()
    }
    .insert(&app);
    assert_eq!(
        app.get(&format!("/api/v1/tags/{old_age}"))
            .send()
            .await
            .json()["article_count"],
        1
    );

    let deleted = app
        .delete(&format!("/api/v1/tags/{old_age}"))
        .as_user(&editor)
        .send()
        .await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT, "{}", deleted.text());
    assert_eq!(tags_of(&app, both), [education]);
    assert_eq!(tags_of(&app, trashed), Vec::<Uuid>::new());
    assert_eq!(tags_of(&app, other), [education]);
    app.get(&format!("/api/v1/tags/{old_age}"))
        .send()
        .await
        .problem(404);
    assert_eq!(
        app.get(&format!("/api/v1/tags/{education}"))
            .send()
            .await
            .json()["article_count"],
        2
    );
}

#[actix_web::test]
async fn article_count_counts_only_live_published_articles() {
    let app = TestApp::spawn().await;
    let editor = app.editor().await;
    let id = id_of(&tag(&app, &editor, "养老").await);
    let hour = chrono::Duration::hours(1);
    for article in [
        Article {
            tag_ids: vec![id],
            ..Article::live()
        },
        Article {
            tag_ids: vec![id],
            ..Article::draft()
        },
        Article {
            tag_ids: vec![id],
            published_at: Some(chrono::Utc::now() + hour),
            ..Article::live()
        },
        Article {
            tag_ids: vec![id],
            trashed: true,
            ..Article::live()
        },
    ] {
        article.insert(&app);
    }
    let list = app.get("/api/v1/tags").send().await.json();
    assert_eq!(list["data"][0]["article_count"], 1);
}

#[actix_web::test]
async fn only_editors_write_tags_and_anyone_reads_them() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let created = tag(&app, &admin, "养老").await;
    let path = format!("/api/v1/tags/{}", id_of(&created));
    app.post("/api/v1/tags")
        .json(&json!({"name": "x"}))
        .send()
        .await
        .problem(401);
    app.patch(&path)
        .json(&json!({"name": "x"}))
        .send()
        .await
        .problem(401);
    app.delete(&path).send().await.problem(401);
    for role in ["author", "contributor", "member"] {
        let user = app.user(&admin, role).await;
        app.post("/api/v1/tags")
            .as_user(&user)
            .json(&json!({"name": "x"}))
            .send()
            .await
            .problem(403);
        app.patch(&path)
            .as_user(&user)
            .json(&json!({"name": "x"}))
            .send()
            .await
            .problem(403);
        app.delete(&path).as_user(&user).send().await.problem(403);
        assert_eq!(
            app.get(&path).as_user(&user).send().await.status,
            StatusCode::OK
        );
    }
    let list = app.get("/api/v1/tags").send().await;
    assert_eq!(list.status, StatusCode::OK);
    assert_eq!(list.header("cache-control"), Some("public, max-age=60"));
    assert_eq!(names(&list.json()), ["养老"]);
}

#[actix_web::test]
async fn bad_tag_input_is_refused_with_every_field_named() {
    let app = TestApp::spawn().await;
    let editor = app.editor().await;
    let cases = [
        (json!({"name": "<b>养老</b>"}), vec![("name", "invalid")]),
        (json!({"name": "养老</b>"}), vec![("name", "invalid")]),
        (json!({"name": ""}), vec![("name", "required")]),
        (
            json!({"name": "字".repeat(101)}),
            vec![("name", "too_long")],
        ),
        (
            json!({"name": "<p>", "slug": "Yang Lao"}),
            vec![("name", "invalid"), ("slug", "invalid")],
        ),
        (json!({"name": 7}), vec![("name", "invalid_type")]),
        (
            json!({"label": "养老"}),
            vec![("label", "unknown_field"), ("name", "required")],
        ),
    ];
    app.assert_field_errors("/api/v1/tags", &editor, cases)
        .await;
    assert_eq!(
        app.get("/api/v1/tags").send().await.json()["meta"]["total"],
        0,
        "nothing was created"
    );
    let created = tag(&app, &editor, "养老 <3").await;
    assert_eq!(created["name"], "养老 <3");
}

#[actix_web::test]
async fn a_stale_if_match_changes_nothing() {
    let app = TestApp::spawn().await;
    let editor = app.editor().await;
    let created = tag(&app, &editor, "养老").await;
    let path = format!("/api/v1/tags/{}", id_of(&created));
    let etag = app
        .get(&path)
        .send()
        .await
        .header("etag")
        .expect("an ETag")
        .to_owned();
    let first = app
        .patch(&path)
        .as_user(&editor)
        .header("if-match", &etag)
        .json(&json!({"name": "养老服务"}))
        .send()
        .await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.text());
    app.patch(&path)
        .as_user(&editor)
        .header("if-match", &etag)
        .json(&json!({"name": "养老金"}))
        .send()
        .await
        .problem(412);
    app.delete(&path)
        .as_user(&editor)
        .header("if-match", &etag)
        .send()
        .await
        .problem(412);
    let now = app.get(&path).send().await.json();
    assert_eq!(now["name"], "养老服务");
    assert_eq!(now["version"], 2);
}

#[actix_web::test]
async fn a_list_of_tags_costs_the_same_queries_whatever_its_length() {
    let app = TestApp::spawn().await;
    let editor = app.editor().await;
    let mut cost = Vec::new();
    for count in [1, 8] {
        while app.get("/api/v1/tags").send().await.json()["meta"]["total"] != count {
            let id = id_of(&tag(&app, &editor, "养老").await);
            Article {
                tag_ids: vec![id],
                ..Article::live()
            }
            .insert(&app);
        }
        let before = app.statements();
        let list = app.get("/api/v1/tags?q=%E5%85%BB").send().await;
        cost.push(app.statements() - before);
        assert!(
            list.json()["data"]
                .as_array()
                .expect("a list")
                .iter()
                .all(|t| t["article_count"] == 1)
        );
    }
    assert_eq!(cost[0], cost[1], "{cost:?}");
    assert!(
        cost[0] <= 3,
        "a page, a count and the article counts: {cost:?}"
    );
}
