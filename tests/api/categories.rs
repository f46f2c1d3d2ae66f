use actix_web::http::StatusCode;
use diesel::{QueryDsl, RunQueryDsl};
use masthead::schema::articles;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::{
    authors::{Article, create, id_of},
    helpers::{Session, TestApp, names},
};

async fn category(app: &TestApp, editor: &Session, body: Value) -> Value {
    create(app, editor, "/api/v1/categories", body).await
}

fn category_of(app: &TestApp, article: Uuid) -> Option<Uuid> {
    articles::table
        .find(article)
        .select(articles::category_id)
        .first(&mut app.db.connect())
        .expect("the article exists")
}

#[actix_web::test]
async fn editors_create_read_list_update_and_delete_categories() {
    let app = TestApp::spawn().await;
    let editor = app.editor().await;
    let response = app
        .post("/api/v1/categories")
        .as_user(&editor)
        .json(&json!({"name": "医疗卫生", "description": "医院、医保与公共卫生报道。"}))
        .send()
        .await;
    assert_eq!(response.status, StatusCode::CREATED, "{}", response.text());
    let created = response.json();
    let id = id_of(&created);
    assert_eq!(
        response.header("location"),
        Some(format!("/api/v1/categories/{id}").as_str())
    );
    assert_eq!(created["slug"], "yi-liao-wei-sheng");
    assert_eq!(created["description"], "医院、医保与公共卫生报道。");
    assert_eq!(created["parent"], Value::Null);
    assert_eq!(created["position"], 0);
    assert_eq!(created["article_count"], 0);
    assert_eq!(created["version"], 1);

    for path in [
        format!("/api/v1/categories/{id}"),
        "/api/v1/categories/yi-liao-wei-sheng".to_owned(),
    ] {
        let read = app.get(&path).send().await;
        assert_eq!(read.status, StatusCode::OK, "{path}");
        assert_eq!(read.json(), created);
        assert_eq!(read.header("cache-control"), Some("public, max-age=60"));
    }

    let updated = app
        .patch("/api/v1/categories/yi-liao-wei-sheng")
        .as_user(&editor)
        .json(&json!({"name": "卫生健康", "position": 3}))
        .send()
        .await;
    assert_eq!(updated.status, StatusCode::OK, "{}", updated.text());
    let updated = updated.json();
    assert_eq!(updated["name"], "卫生健康");
    assert_eq!(
        updated["slug"], "yi-liao-wei-sheng",
        "a new name keeps the slug"
    );
    assert_eq!(updated["position"], 3);
    assert_eq!(updated["description"], "医院、医保与公共卫生报道。");
    assert_eq!(updated["version"], 2);
    let reslugged = app
        .patch(&format!("/api/v1/categories/{id}"))
        .as_user(&editor)
        .json(&json!({"slug": "wei-sheng-jian-kang"}))
        .send()
        .await;
    assert_eq!(reslugged.json()["slug"], "wei-sheng-jian-kang");
    assert_eq!(reslugged.json()["version"], 3);

    let list = app.get("/api/v1/categories").send().await;
    assert_eq!(list.json()["data"], json!([reslugged.json()]));

    let deleted = app
        .delete("/api/v1/categories/wei-sheng-jian-kang")
        .as_user(&editor)
        .send()
        .await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    app.get(&format!("/api/v1/categories/{id}"))
        .send()
        .await
        .problem(404);
}

#[actix_web::test]
async fn slugs_come_from_names_and_a_taken_explicit_slug_is_a_conflict() {
    let app = TestApp::spawn().await;
    let editor = app.editor().await;
    let first = category(&app, &editor, json!({"name": "医疗卫生"})).await;
    let second = category(&app, &editor, json!({"name": "医疗卫生"})).await;
    let third = category(&app, &editor, json!({"name": "——"})).await;
    assert_eq!(first["slug"], "yi-liao-wei-sheng");
    assert_eq!(second["slug"], "yi-liao-wei-sheng-2");
    assert_eq!(third["slug"], "category");

    let problem = app
        .post("/api/v1/categories")
        .as_user(&editor)
        .json(&json!({"name": "卫生", "slug": "yi-liao-wei-sheng"}))
        .send()
        .await
        .problem(409);
    assert!(
        problem["detail"]
            .as_str()
            .is_some_and(|d| d.contains("slug"))
    );
    app.patch(&format!("/api/v1/categories/{}", id_of(&third)))
        .as_user(&editor)
        .json(&json!({"slug": "yi-liao-wei-sheng-2"}))
        .send()
        .await
        .problem(409);
}

#[actix_web::test]
async fn subcategories_nest_and_list_by_position_then_name() {
    let app = TestApp::spawn().await;
    let editor = app.editor().await;
    let news = category(&app, &editor, json!({"name": "新闻", "position": 1})).await;
    let society = category(&app, &editor, json!({"name": "社会", "position": 0})).await;
    let news_id = id_of(&news);
    let local = category(
        &app,
        &editor,
        json!({"name": "本地", "parent": news_id, "position": 2}),
    )
    .await;
    let health = category(
        &app,
        &editor,
        json!({"name": "医疗卫生", "parent": news_id, "position": 1}),
    )
    .await;
    let culture = category(
        &app,
        &editor,
        json!({"name": "Culture", "parent": news_id, "position": 1}),
    )
    .await;
    assert_eq!(local["parent"], news_id.to_string());

    let all = app.get("/api/v1/categories").send().await.json();
    assert_eq!(all["meta"]["total"], 5);
    assert_eq!(names(&all), ["社会", "Culture", "医疗卫生", "新闻", "本地"]);

    for parent in [news_id.to_string(), "xin-wen".to_owned()] {
        let children = app
            .get(&format!("/api/v1/categories?parent={parent}"))
            .send()
            .await
            .json();
        assert_eq!(
            names(&children),
            ["Culture", "医疗卫生", "本地"],
            "{parent}"
        );
        assert_eq!(children["meta"]["total"], 3);
    }
    let none = app
        .get("/api/v1/categories?parent=no-such-category")
        .send()
        .await
        .json();
    assert_eq!(none["meta"]["total"], 0);

    // A subcategory moves to the top level with `parent: null`, and under another category.
    let moved = app
        .patch(&format!("/api/v1/categories/{}", id_of(&health)))
        .as_user(&editor)
        .json(&json!({"parent": null}))
        .send()
        .await;
    assert_eq!(moved.json()["parent"], Value::Null);
    let moved = app
        .patch(&format!("/api/v1/categories/{}", id_of(&culture)))
        .as_user(&editor)
        .json(&json!({"parent": id_of(&society)}))
        .send()
        .await;
    assert_eq!(moved.json()["parent"], id_of(&society).to_string());
    let paged = app.get("/api/v1/categories?per_page=2&page=2").send().await;
    assert_eq!(names(&paged.json()), ["医疗卫生", "新闻"]);
    assert_eq!(
        paged.header("link"),
        Some(
            "</api/v1/categories?per_page=2&page=3>; rel=\"next\", \
             </api/v1/categories?per_page=2&page=1>; rel=\"prev\""
        )
    );
}

#[actix_web::test]
async fn a_parent_must_exist_and_must_not_make_a_cycle() {
    let app = TestApp::spawn().await;
    let editor = app.editor().await;
    let response = app
        .post("/api/v1/categories")
        .as_user(&editor)
        .json(&json!({"name": "本地", "parent": Uuid::now_v7()}))
        .send()
        .await;
    assert_eq!(
        response.field_errors(),
        [("parent".to_owned(), "not_found".to_owned())]
    );

    let top = category(&app, &editor, json!({"name": "新闻"})).await;
    let middle = category(
        &app,
        &editor,
        json!({"name": "社会", "parent": id_of(&top)}),
    )
    .await;
    let bottom = category(
        &app,
        &editor,
        json!({"name": "本地", "parent": id_of(&middle)}),
    )
    .await;
    let top_path = format!("/api/v1/categories/{}", id_of(&top));
    for parent in [id_of(&top), id_of(&middle), id_of(&bottom)] {
        let response = app
            .patch(&top_path)
            .as_user(&editor)
            .json(&json!({"parent": parent}))
            .send()
            .await;
        assert_eq!(
            response.field_errors(),
            [("parent".to_owned(), "invalid".to_owned())]
        );
        let problem = response.json();
        assert!(
            problem["errors"][0]["message"]
                .as_str()
                .is_some_and(|m| m.contains("cycle")),
            "{problem}"
        );
    }
    let response = app
        .patch(&top_path)
        .as_user(&editor)
        .json(&json!({"parent": Uuid::now_v7()}))
        .send()
        .await;
    assert_eq!(
        response.field_errors(),
        [("parent".to_owned(), "not_found".to_owned())]
    );
    let unchanged = app.get(&top_path).send().await.json();
    assert_eq!(unchanged["parent"], Value::Null);
    assert_eq!(unchanged["version"], 1);

    // Moving a category sideways, under a category outside its own subtree, is fine.
    let other = category(&app, &editor, json!({"name": "体育"})).await;
    let moved = app
        .patch(&format!("/api/v1/categories/{}", id_of(&middle)))
        .as_user(&editor)
        .json(&json!({"parent": id_of(&other)}))
        .send()
        .await;
    assert_eq!(moved.status, StatusCode::OK, "{}", moved.text());
}

#[actix_web::test]
async fn a_category_with_subcategories_or_articles_is_not_deleted_without_move_to() {
    let app = TestApp::spawn().await;
    let editor = app.editor().await;
    let news = category(&app, &editor, json!({"name": "新闻"})).await;
    let local = category(
        &app,
        &editor,
        json!({"name": "本地", "parent": id_of(&news)}),
    )
    .await;
    let problem = app
        .delete(&format!("/api/v1/categories/{}", id_of(&news)))
        .as_user(&editor)
        .send()
        .await
        .problem(409);
    assert!(
        problem["detail"]
            .as_str()
            .is_some_and(|d| d.contains("subcategories"))
    );

    let society = category(&app, &editor, json!({"name": "社会"})).await;
    let local_id = id_of(&local);
    let live = Article {
        category_id: Some(local_id),
        ..Article::live()
    }
    .insert(&app);
    let trashed = Article {
        category_id: Some(local_id),
        trashed: true,
        ..Article::draft()
    }
    .insert(&app);
    let local_path = format!("/api/v1/categories/{local_id}");
    let read = app.get(&local_path).send().await.json();
    assert_eq!(read["article_count"], 1, "only the live article counts");

    let problem = app
        .delete(&local_path)
        .as_user(&editor)
        .send()
        .await
        .problem(409);
    assert!(
        problem["detail"]
            .as_str()
            .is_some_and(|d| d.contains("move_to"))
    );
    for (move_to, code) in [
        ("no-such-category".to_owned(), "not_found"),
        (Uuid::now_v7().to_string(), "not_found"),
        (local_id.to_string(), "invalid"),
        (
            local["slug"].as_str().expect("a slug").to_owned(),
            "invalid",
        ),
    ] {
        let response = app
            .delete(&format!("{local_path}?move_to={move_to}"))
            .as_user(&editor)
            .send()
            .await;
        assert_eq!(
            response.field_errors(),
            [("move_to".to_owned(), code.to_owned())],
            "{move_to}"
        );
    }
    assert_eq!(category_of(&app, live), Some(local_id), "nothing moved");

    let society_slug = society["slug"].as_str().expect("a slug");
    let deleted = app
        .delete(&format!("{local_path}?move_to={society_slug}"))
        .as_user(&editor)
        .send()
        .await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT, "{}", deleted.text());
    app.get(&local_path).send().await.problem(404);
    assert_eq!(category_of(&app, live), Some(id_of(&society)));
    assert_eq!(category_of(&app, trashed), Some(id_of(&society)));
    let society = app
        .get(&format!("/api/v1/categories/{}", id_of(&society)))
        .send()
        .await
        .json();
    assert_eq!(society["article_count"], 1);

    // Without subcategories any more, the parent goes too.
    let deleted = app
        .delete(&format!("/api/v1/categories/{}", id_of(&news)))
        .as_user(&editor)
        .send()
        .await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
}

#[actix_web::test]
async fn only_editors_write_categories_and_anyone_reads_them() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let created = category(&app, &admin, json!({"name": "医疗卫生"})).await;
    let path = format!("/api/v1/categories/{}", id_of(&created));
    app.post("/api/v1/categories")
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
        app.post("/api/v1/categories")
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
    let list = app.get("/api/v1/categories").send().await;
    assert_eq!(list.status, StatusCode::OK);
    assert_eq!(list.json()["meta"]["total"], 1);
    assert_eq!(app.get(&path).send().await.json()["name"], "医疗卫生");
}

#[actix_web::test]
async fn bad_category_input_is_refused_with_every_field_named() {
    let app = TestApp::spawn().await;
    let editor = app.editor().await;
    let cases = [
        (json!({"name": "<em>医疗</em>"}), vec![("name", "invalid")]),
        (
            json!({"name": "医疗", "description": "<a href=x>链接</a>"}),
            vec![("description", "invalid")],
        ),
        (json!({"name": ""}), vec![("name", "required")]),
        (
            json!({"name": "字".repeat(101)}),
            vec![("name", "too_long")],
        ),
        (
            json!({"name": "医疗", "description": "字".repeat(5001)}),
            vec![("description", "too_long")],
        ),
        (
            json!({"name": " ", "description": "<?xml?>", "slug": "不行"}),
            vec![
                ("description", "invalid"),
                ("name", "required"),
                ("slug", "invalid"),
            ],
        ),
        (
            json!({"name": "医疗", "position": "first"}),
            vec![("position", "invalid_type")],
        ),
        (
            json!({"name": "医疗", "parent": "xin-wen"}),
            vec![("parent", "invalid_type")],
        ),
        (
            json!({"name": "医疗", "parent_id": Uuid::now_v7()}),
            vec![("parent_id", "unknown_field")],
        ),
    ];
    app.assert_field_errors("/api/v1/categories", &editor, cases)
        .await;
    let list = app.get("/api/v1/categories").send().await;
    assert_eq!(list.json()["meta"]["total"], 0, "nothing was created");
}

#[actix_web::test]
async fn a_stale_if_match_changes_nothing() {
    let app = TestApp::spawn().await;
    let editor = app.editor().await;
    let created = category(&app, &editor, json!({"name": "医疗卫生"})).await;
    let path = format!("/api/v1/categories/{}", id_of(&created));
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
        .json(&json!({"position": 1}))
        .send()
        .await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.text());
    app.patch(&path)
        .as_user(&editor)
        .header("if-match", &etag)
        .json(&json!({"position": 2}))
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
    assert_eq!(now["position"], 1);
    assert_eq!(now["version"], 2);
}

#[actix_web::test]
async fn a_list_of_categories_costs_the_same_queries_whatever_its_length() {
    let app = TestApp::spawn().await;
    let editor = app.editor().await;
    let mut cost = Vec::new();
    for count in [1, 8] {
        while app.get("/api/v1/categories").send().await.json()["meta"]["total"] != count {
            let created = category(&app, &editor, json!({"name": "医疗卫生"})).await;
            Article {
                category_id: Some(id_of(&created)),
                ..Article::live()
            }
            .insert(&app);
        }
        let before = app.statements();
        // Another query string than the loop's, so the answer cannot come from the cache.
        let list = app.get("/api/v1/categories?per_page=50").send().await;
        cost.push(app.statements() - before);
        assert!(
            list.json()["data"]
                .as_array()
                .expect("a list")
                .iter()
                .all(|c| c["article_count"] == 1)
        );
    }
    assert_eq!(cost[0], cost[1], "{cost:?}");
    assert_eq!(
        cost[0], 3,
        "a page, a count and the article counts: {cost:?}"
    );
}
