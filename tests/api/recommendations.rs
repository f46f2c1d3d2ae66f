use actix_web::http::StatusCode;
use serde_json::{Value, json};

use crate::{
    helpers::{Session, TestApp},
    search::{create, published},
};

async fn recommend(app: &TestApp, editor: &Session, body: Value) -> Value {
    let response = app
        .post("/api/v1/recommendations")
        .as_user(editor)
        .json(&body)
        .send()
        .await;
    assert_eq!(response.status, StatusCode::CREATED, "{}", response.text());
    let created = response.json();
    assert_eq!(
        response.header("location"),
        Some(
            format!(
                "/api/v1/recommendations/{}",
                created["id"].as_str().expect("id")
            )
            .as_str()
        )
    );
    created
}

fn titles(list: &Value) -> Vec<&str> {
    list["data"]
        .as_array()
        .expect("a list")
        .iter()
        .map(|item| item["article"]["title"].as_str().expect("a title"))
        .collect()
}

fn ids(list: &Value) -> Vec<String> {
    list["data"]
        .as_array()
        .expect("a list")
        .iter()
        .map(|item| item["id"].as_str().expect("an id").to_owned())
        .collect()
}

#[actix_web::test]
async fn editors_curate_a_slot_that_readers_see_in_order_without_drafts() {
    let app = TestApp::spawn().await;
    let editor = app.editor().await;
    let a = published(&app, &editor, json!({"title": "甲"})).await;
    let b = published(&app, &editor, json!({"title": "乙"})).await;
    let draft = create(&app, &editor, json!({"title": "草稿"})).await;
    let c = published(&app, &editor, json!({"title": "丙"})).await;
    for target in [&a, &b, &draft] {
        recommend(
            &app,
            &editor,
            json!({"slot": "editors-picks", "target_article": target}),
        )
        .await;
    }
    let first = recommend(
        &app,
        &editor,
        json!({"slot": "editors-picks", "target_article": c, "position": 1, "note": "头条"}),
    )
    .await;
    assert_eq!(first["position"], 1);
    assert_eq!(first["note"], "头条");
    assert_eq!(first["source_article"], Value::Null);

    let public = app
        .get("/api/v1/recommendations?slot=editors-picks")
        .send()
        .await;
    assert_eq!(public.status, StatusCode::OK);
    let list = public.json();
    assert_eq!(titles(&list), ["丙", "甲", "乙"], "{list}");
    assert_eq!(list["meta"]["total"], 3);
    assert!(
        list["data"][0]["article"].get("body").is_none(),
        "summaries only"
    );
    let staff = app
        .get("/api/v1/recommendations?slot=editors-picks")
        .as_user(&editor)
        .send()
        .await
        .json();
    assert_eq!(titles(&staff), ["丙", "甲", "乙", "草稿"]);
    let positions: Vec<i64> = staff["data"]
        .as_array()
        .expect("list")
        .iter()
        .map(|e| e["position"].as_i64().expect("position"))
        .collect();
    assert_eq!(positions, [1, 2, 3, 4]);
    let other = app
        .get("/api/v1/recommendations?slot=featured-projects")
        .send()
        .await;
    assert_eq!(other.json()["meta"]["total"], 0);
}

#[actix_web::test]
async fn only_editors_change_recommendations() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let editor = app.user(&admin, "editor").await;
    let a = published(&app, &editor, json!({"title": "甲"})).await;
    let entry = recommend(
        &app,
        &editor,
        json!({"slot": "editors-picks", "target_article": a}),
    )
    .await;
    let path = format!(
        "/api/v1/recommendations/{}",
        entry["id"].as_str().expect("id")
    );
    let body = json!({"slot": "editors-picks", "target_article": a});
    app.post("/api/v1/recommendations")
        .json(&body)
        .send()
        .await
        .problem(401);
    app.get(&path).send().await.problem(401);
    app.delete(&path).send().await.problem(401);
    for role in ["member", "contributor", "author"] {
        let user = app.user(&admin, role).await;
        app.post("/api/v1/recommendations")
            .as_user(&user)
            .json(&body)
            .send()
            .await
            .problem(403);
        app.patch(&path)
            .as_user(&user)
            .json(&json!({"note": "x"}))
            .send()
            .await
            .problem(403);
        app.delete(&path).as_user(&user).send().await.problem(403);
    }
    let read = app.get(&path).as_user(&editor).send().await;
    assert_eq!(read.status, StatusCode::OK);
    assert_eq!(read.json()["article"]["title"], "甲");
}

#[actix_web::test]
async fn bad_recommendations_are_refused_with_the_field_named() {
    let app = TestApp::spawn().await;
    let editor = app.editor().await;
    let a = published(&app, &editor, json!({"title": "甲"})).await;
    let b = published(&app, &editor, json!({"title": "乙"})).await;
    let nobody = uuid::Uuid::now_v7().to_string();
    recommend(
        &app,
        &editor,
        json!({"slot": "related", "source_article": a, "target_article": b}),
    )
    .await;
    let cases: Vec<(Value, (&str, &str))> = vec![
        (
            json!({"slot": "related", "source_article": a, "target_article": a}),
            ("target_article", "invalid"),
        ),
        (
            json!({"slot": "related", "target_article": b}),
            ("source_article", "required"),
        ),
        (
            json!({"slot": "editors-picks", "source_article": a, "target_article": b}),
            ("source_article", "invalid"),
        ),
        (
            json!({"slot": "Editors Picks", "target_article": b}),
            ("slot", "invalid"),
        ),
        (
            json!({"slot": "editors-picks", "target_article": nobody}),
            ("target_article", "not_found"),
        ),
        (
            json!({"slot": "related", "source_article": nobody, "target_article": b}),
            ("source_article", "not_found"),
        ),
        (
            json!({"slot": "editors-picks", "target_article": b, "position": 0}),
            ("position", "invalid"),
        ),
        (
            json!({"slot": "editors-picks", "target_article": b, "note": "<b>x</b>"}),
            ("note", "invalid"),
        ),
        (
            json!({"slot": "editors-picks", "target": b}),
            ("target", "unknown_field"),
        ),
    ];
    for (body, expected) in cases {
        let response = app
            .post("/api/v1/recommendations")
            .as_user(&editor)
            .json(&body)
            .send()
            .await;
        let errors = response.field_errors();
        assert!(
            errors.contains(&(expected.0.to_owned(), expected.1.to_owned())),
            "{body}: {errors:?}"
        );
    }
    let duplicate = app
        .post("/api/v1/recommendations")
        .as_user(&editor)
        .json(&json!({"slot": "related", "source_article": a, "target_article": b}))
        .send()
        .await;
    let problem = duplicate.problem(409);
    assert!(
        problem["detail"]
            .as_str()
            .is_some_and(|d| d.contains("already")),
        "{problem}"
    );
    // The same pair in a site-wide slot is another entry.
    recommend(
        &app,
        &editor,
        json!({"slot": "editors-picks", "target_article": b}),
    )
    .await;
    let twice = app
        .post("/api/v1/recommendations")
        .as_user(&editor)
        .json(&json!({"slot": "editors-picks", "target_article": b}))
        .send()
        .await;
    twice.problem(409);
}

#[actix_web::test]
async fn a_slot_is_reordered_moved_and_closed_up() {
    let app = TestApp::spawn().await;
    let editor = app.editor().await;
    let mut entries = Vec::new();
    for title in ["甲", "乙", "丙"] {
        let id = published(&app, &editor, json!({"title": title})).await;
        entries.push(recommend(&app, &editor, json!({"slot": "top", "target_article": id})).await);
    }
    let entry_ids: Vec<String> = entries
        .iter()
        .map(|e| e["id"].as_str().expect("id").to_owned())
        .collect();
    let reorder = |ids: Value| {
        let app = &app;
        let editor = &editor;
        async move {
            app.request(
                actix_web::http::Method::PUT,
                "/api/v1/recommendations/order",
            )
            .as_user(editor)
            .json(&json!({"slot": "top", "ids": ids}))
            .send()
            .await
        }
    };
    let reversed = reorder(json!([entry_ids[2], entry_ids[1], entry_ids[0]])).await;
    assert_eq!(reversed.status, StatusCode::OK, "{}", reversed.text());
    assert_eq!(titles(&reversed.json()), ["丙", "乙", "甲"]);

    let stranger = uuid::Uuid::now_v7().to_string();
    for bad in [
        json!([entry_ids[0], entry_ids[1]]),
        json!([entry_ids[0], entry_ids[1], entry_ids[1]]),
        json!([entry_ids[0], entry_ids[1], entry_ids[2], stranger]),
    ] {
        let response = reorder(bad.clone()).await;
        assert_eq!(
            response.field_errors(),
            [("ids".to_owned(), "invalid".to_owned())],
            "{bad}"
        );
    }
    let unchanged = app
        .get("/api/v1/recommendations?slot=top")
        .send()
        .await
        .json();
    assert_eq!(titles(&unchanged), ["丙", "乙", "甲"]);

    let moved = app
        .patch(&format!("/api/v1/recommendations/{}", entry_ids[0]))
        .as_user(&editor)
        .json(&json!({"position": 1, "note": "置顶"}))
        .send()
        .await;
    assert_eq!(moved.status, StatusCode::OK, "{}", moved.text());
    assert_eq!(moved.json()["note"], "置顶");
    let list = app
        .get("/api/v1/recommendations?slot=top")
        .send()
        .await
        .json();
    assert_eq!(titles(&list), ["甲", "丙", "乙"]);

    let deleted = app
        .delete(&format!("/api/v1/recommendations/{}", entry_ids[2]))
        .as_user(&editor)
        .send()
        .await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    let list = app
        .get("/api/v1/recommendations?slot=top")
        .send()
        .await
        .json();
    assert_eq!(titles(&list), ["甲", "乙"]);
    assert_eq!(list["data"][1]["position"], 2);
    assert_eq!(ids(&list), [entry_ids[0].clone(), entry_ids[1].clone()]);
}

#[actix_web::test]
async fn related_articles_put_curated_picks_first_and_never_show_the_unreadable() {
    let app = TestApp::spawn().await;
    let editor = app.editor().await;
    let tag = app
        .post("/api/v1/tags")
        .as_user(&editor)
        .json(&json!({"name": "养老"}))
        .send()
        .await
        .json();
    let tagged = |title: &str| json!({"title": title, "body": "社区养老服务中心为老人提供助餐服务。", "tags": [tag["id"]]});
    let source = published(&app, &editor, tagged("养老服务全覆盖")).await;
    let curated = published(
        &app,
        &editor,
        json!({"title": "编辑推荐的旅游新闻", "body": "草原旅游季开幕。"}),
    )
    .await;
    let automatic = published(&app, &editor, tagged("老年食堂开张")).await;
    let draft = create(&app, &editor, tagged("养老草稿")).await;
    let trashed = published(&app, &editor, tagged("已删除的养老新闻")).await;
    let future = create(&app, &editor, tagged("明天发布的养老新闻")).await;
    let scheduled = app
        .post(&format!("/api/v1/articles/{future}/publish"))
        .as_user(&editor)
        .json(&json!({"published_at": "2999-01-01T00:00:00Z"}))
        .send()
        .await;
    assert_eq!(scheduled.status, StatusCode::OK, "{}", scheduled.text());
    let trash = app
        .delete(&format!("/api/v1/articles/{trashed}"))
        .as_user(&editor)
        .send()
        .await;
    assert_eq!(trash.status, StatusCode::NO_CONTENT);
    recommend(
        &app,
        &editor,
        json!({"slot": "related", "source_article": source, "target_article": curated}),
    )
    .await;
    recommend(
        &app,
        &editor,
        json!({"slot": "related", "source_article": source, "target_article": draft}),
    )
    .await;

    let response = app
        .get(&format!("/api/v1/articles/{source}/related"))
        .send()
        .await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.text());
    let list = response.json();
    assert_eq!(
        titles(&list),
        ["编辑推荐的旅游新闻", "老年食堂开张"],
        "{list}"
    );
    assert_eq!(list["data"][0]["reason"], "curated");
    assert_eq!(list["data"][1]["reason"], "tags: 养老");
    assert!(list["data"][1]["score"].as_f64().is_some_and(|s| s > 0.0));
    assert_eq!(list["meta"]["per_page"], 6);
    let ids: Vec<&str> = list["data"]
        .as_array()
        .expect("list")
        .iter()
        .map(|i| i["article"]["id"].as_str().expect("id"))
        .collect();
    for never in [&source, &draft, &trashed, &future] {
        assert!(!ids.contains(&never.as_str()), "{never} in {list}");
    }
    assert!(ids.contains(&automatic.as_str()));

    // Staff see the same: related lists are for readers.
    let as_editor = app
        .get(&format!("/api/v1/articles/{source}/related"))
        .as_user(&editor)
        .send()
        .await
        .json();
    assert_eq!(titles(&as_editor), titles(&list));

    let one = app
        .get(&format!("/api/v1/articles/{source}/related?limit=1"))
        .send()
        .await;
    assert_eq!(titles(&one.json()), ["编辑推荐的旅游新闻"]);
    for bad in ["0", "21", "x", "-1"] {
        app.get(&format!("/api/v1/articles/{source}/related?limit={bad}"))
            .send()
            .await
            .problem(400);
    }
    app.get(&format!("/api/v1/articles/{draft}/related"))
        .send()
        .await
        .problem(404);
    let staff_draft = app
        .get(&format!("/api/v1/articles/{draft}/related"))
        .as_user(&editor)
        .send()
        .await;
    assert_eq!(staff_draft.status, StatusCode::OK);

    // A draft's curated picks do not show to readers either.
    recommend(
        &app,
        &editor,
        json!({"slot": "related", "source_article": draft, "target_article": automatic}),
    )
    .await;
    let by_source = app
        .get(&format!("/api/v1/recommendations?source_article={draft}"))
        .send()
        .await
        .json();
    assert_eq!(by_source["meta"]["total"], 0, "{by_source}");
    let by_source = app
        .get(&format!("/api/v1/recommendations?source_article={source}"))
        .send()
        .await
        .json();
    assert_eq!(titles(&by_source), ["编辑推荐的旅游新闻"]);
}
