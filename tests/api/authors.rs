use actix_web::http::StatusCode;
use chrono::{DateTime, Duration, Utc};
use diesel::{ExpressionMethods, QueryDsl, RunQueryDsl};
use masthead::schema::articles;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::helpers::{Session, TestApp};

/// An article row written straight into the database, for tests of the resources articles
/// point at. Only what those tests look at is set.
pub struct Article {
    pub status: &'static str,
    pub published_at: Option<DateTime<Utc>>,
    pub trashed: bool,
    pub author_ids: Vec<Uuid>,
    pub tag_ids: Vec<Uuid>,
    pub category_id: Option<Uuid>,
}

impl Article {
    /// Published an hour ago, not in the trash.
    pub fn live() -> Self {
        Self {
            status: "published",
            published_at: Some(Utc::now() - Duration::hours(1)),
            trashed: false,
            author_ids: Vec::new(),
            tag_ids: Vec::new(),
            category_id: None,
        }
    }

    pub fn draft() -> Self {
        Self {
            status: "draft",
            published_at: None,
            ..Self::live()
        }
    }

    pub fn insert(self, app: &TestApp) -> Uuid {
        let id = Uuid::now_v7();
        let some = |ids: Vec<Uuid>| ids.into_iter().map(Some).collect::<Vec<_>>();
        diesel::insert_into(articles::table)
            .values((
                articles::id.eq(id),
                articles::slug.eq(format!("article-{}", id.simple())),
                articles::title.eq("用民生温度标注幸福刻度"),
                articles::status.eq(self.status),
                articles::published_at.eq(self.published_at),
                articles::deleted_at.eq(self.trashed.then(Utc::now)),
                articles::author_ids.eq(some(self.author_ids)),
                articles::tag_ids.eq(some(self.tag_ids)),
                articles::category_id.eq(self.category_id),
            ))
            .execute(&mut app.db.connect())
            .expect("the article is inserted");
        id
    }
}

pub fn id_of(value: &Value) -> Uuid {
    value["id"]
        .as_str()
        .and_then(|id| id.parse().ok())
        .expect("an id")
}

/// Creates `body` at `path` as `user`, asserting 201.
pub async fn create(app: &TestApp, user: &Session, path: &str, body: Value) -> Value {
    let response = app.post(path).as_user(user).json(&body).send().await;
    assert_eq!(response.status, StatusCode::CREATED, "{}", response.text());
    response.json()
}

#[actix_web::test]
async fn editors_create_read_list_update_and_delete_authors() {
    let app = TestApp::spawn().await;
    let editor = app.editor().await;
    let response = app
        .post("/api/v1/authors")
        .as_user(&editor)
        .json(&json!({
            "name": "王小明",
            "bio": "通辽日报记者，长期关注民生。",
            "website": "https://www.tongliaowang.com",
        }))
        .send()
        .await;
    assert_eq!(response.status, StatusCode::CREATED, "{}", response.text());
    let author = response.json();
    let id = id_of(&author);
    assert_eq!(
        response.header("location"),
        Some(format!("/api/v1/authors/{id}").as_str())
    );
    assert_eq!(author["slug"], "wang-xiao-ming");
    assert_eq!(author["name"], "王小明");
    assert_eq!(author["bio"], "通辽日报记者，长期关注民生。");
    assert_eq!(author["website"], "https://www.tongliaowang.com");
    assert_eq!(author["avatar"], Value::Null);
    assert_eq!(author["user_id"], Value::Null);
    assert_eq!(author["article_count"], 0);
    assert_eq!(author["version"], 1);

    for path in [
        format!("/api/v1/authors/{id}"),
        "/api/v1/authors/wang-xiao-ming".to_owned(),
    ] {
        let read = app.get(&path).send().await;
        assert_eq!(read.status, StatusCode::OK, "{path}");
        assert_eq!(read.json(), author, "{path}");
    }

    let list = app.get("/api/v1/authors").send().await;
    assert_eq!(list.status, StatusCode::OK);
    assert_eq!(list.json()["data"], json!([author]));
    assert_eq!(
        list.json()["meta"],
        json!({"page": 1, "per_page": 20, "total": 1, "total_pages": 1})
    );

    let avatar = crate::images::uploaded(&app, &editor).await;
    let updated = app
        .patch("/api/v1/authors/wang-xiao-ming")
        .as_user(&editor)
        .json(&json!({"name": "王晓明", "website": null, "avatar": avatar}))
        .send()
        .await;
    assert_eq!(updated.status, StatusCode::OK, "{}", updated.text());
    let updated = updated.json();
    assert_eq!(updated["name"], "王晓明");
    assert_eq!(
        updated["slug"], "wang-xiao-ming",
        "a new name keeps the slug"
    );
    assert_eq!(updated["website"], Value::Null);
    assert_eq!(updated["avatar"], avatar.to_string());
    assert_eq!(updated["bio"], "通辽日报记者，长期关注民生。");
    assert_eq!(updated["version"], 2);

    let reslugged = app
        .patch(&format!("/api/v1/authors/{id}"))
        .as_user(&editor)
        .json(&json!({"slug": "xiao-ming"}))
        .send()
        .await;
    assert_eq!(reslugged.json()["slug"], "xiao-ming");
    assert_eq!(reslugged.json()["version"], 3);

    let deleted = app
        .delete("/api/v1/authors/xiao-ming")
        .as_user(&editor)
        .send()
        .await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    app.get(&format!("/api/v1/authors/{id}"))
        .send()
        .await
        .problem(404);
    app.delete(&format!("/api/v1/authors/{id}"))
        .as_user(&editor)
        .send()
        .await
        .problem(404);
}

#[actix_web::test]
async fn slugs_come_from_names_in_pinyin_and_clashes_get_numbers() {
    let app = TestApp::spawn().await;
    let editor = app.editor().await;
    let mut slugs = Vec::new();
    for name in [
        "用民生温度",
        "用民生温度",
        "用民生温度",
        "？！……",
        "Zhang Wei",
    ] {
        let author = create(&app, &editor, "/api/v1/authors", json!({"name": name})).await;
        slugs.push(author["slug"].as_str().expect("a slug").to_owned());
    }
    assert_eq!(
        slugs,
        [
            "yong-min-sheng-wen-du",
            "yong-min-sheng-wen-du-2",
            "yong-min-sheng-wen-du-3",
            "author",
            "zhang-wei",
        ]
    );
}

#[actix_web::test]
async fn a_taken_slug_given_explicitly_is_a_conflict() {
    let app = TestApp::spawn().await;
    let editor = app.editor().await;
    create(
        &app,
        &editor,
        "/api/v1/authors",
        json!({"name": "新华社", "slug": "xinhua"}),
    )
    .await;
    let problem = app
        .post("/api/v1/authors")
        .as_user(&editor)
        .json(&json!({"name": "新华社记者", "slug": "xinhua"}))
        .send()
        .await
        .problem(409);
    assert!(
        problem["detail"]
            .as_str()
            .is_some_and(|d| d.contains("slug"))
    );

    let other = create(
        &app,
        &editor,
        "/api/v1/authors",
        json!({"name": "本报记者"}),
    )
    .await;
    app.patch(&format!("/api/v1/authors/{}", id_of(&other)))
        .as_user(&editor)
        .json(&json!({"slug": "xinhua"}))
        .send()
        .await
        .problem(409);
    let unchanged = app
        .get(&format!("/api/v1/authors/{}", id_of(&other)))
        .send()
        .await;
    assert_eq!(unchanged.json()["slug"], "ben-bao-ji-zhe");
}

#[actix_web::test]
async fn only_editors_write_authors_and_anyone_reads_them() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let author = create(&app, &admin, "/api/v1/authors", json!({"name": "朝鲁门"})).await;
    let path = format!("/api/v1/authors/{}", id_of(&author));

    app.post("/api/v1/authors")
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
        app.post("/api/v1/authors")
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
        let read = app.get(&path).as_user(&user).send().await;
        assert_eq!(read.status, StatusCode::OK);
        assert_eq!(read.header("cache-control"), Some("private, no-store"));
    }

    let anonymous = app.get(&path).send().await;
    assert_eq!(anonymous.status, StatusCode::OK);
    assert_eq!(anonymous.json()["name"], "朝鲁门");
    assert_eq!(
        anonymous.header("cache-control"),
        Some("public, max-age=60")
    );
    let list = app.get("/api/v1/authors").send().await;
    assert_eq!(list.status, StatusCode::OK);
    assert_eq!(list.header("cache-control"), Some("public, max-age=60"));
    assert_eq!(list.json()["meta"]["total"], 1, "nothing else was created");
}

#[actix_web::test]
async fn reads_need_credentials_when_the_site_is_not_public() {
    let app = TestApp::spawn_with(|config| config.public_read = false).await;
    let admin = app.admin().await;
    let author = create(&app, &admin, "/api/v1/authors", json!({"name": "朝鲁门"})).await;
    let path = format!("/api/v1/authors/{}", id_of(&author));
    app.get(&path).send().await.problem(401);
    app.get("/api/v1/authors").send().await.problem(401);

    let key = create(
        &app,
        &admin,
        "/api/v1/api-keys",
        json!({"name": "Next.js frontend", "scope": "content"}),
    )
    .await;
    let key = key["key"].as_str().expect("a key");
    let read = app.get(&path).bearer(key).send().await;
    assert_eq!(read.status, StatusCode::OK);
    assert_eq!(read.header("cache-control"), Some("private, no-store"));
    app.delete(&path).bearer(key).send().await.problem(403);
}

#[actix_web::test]
async fn bad_author_input_is_refused_with_every_field_named() {
    let app = TestApp::spawn().await;
    let editor = app.editor().await;
    let cases = [
        (json!({"name": "<b>王小明</b>"}), vec![("name", "invalid")]),
        (
            json!({"name": "王小明", "bio": "记者<script>alert(1)</script>"}),
            vec![("bio", "invalid")],
        ),
        (
            json!({"name": "王小明", "bio": "<!-- 注释 -->"}),
            vec![("bio", "invalid")],
        ),
        (json!({"name": "  "}), vec![("name", "required")]),
        (
            json!({"name": "字".repeat(101)}),
            vec![("name", "too_long")],
        ),
        (
            json!({"name": "王小明", "bio": "字".repeat(5001)}),
            vec![("bio", "too_long")],
        ),
        (
            json!({"name": "", "bio": "<p>", "website": "ftp://example.com"}),
            vec![
                ("bio", "invalid"),
                ("name", "required"),
                ("website", "invalid"),
            ],
        ),
        (
            json!({"name": "王小明", "website": "www.example.com"}),
            vec![("website", "invalid")],
        ),
        (
            json!({"name": "王小明", "website": "javascript:alert(1)"}),
            vec![("website", "invalid")],
        ),
        (
            json!({"name": "王小明", "slug": "Not A Slug!"}),
            vec![("slug", "invalid")],
        ),
        (
            json!({"name": "王小明", "avatar": "not-a-uuid"}),
            vec![("avatar", "invalid_type")],
        ),
        (
            json!({"name": "王小明", "nmae": "typo"}),
            vec![("nmae", "unknown_field")],
        ),
        (json!({}), vec![("name", "required")]),
    ];
    app.assert_field_errors("/api/v1/authors", &editor, cases)
        .await;
    let list = app.get("/api/v1/authors").send().await;
    assert_eq!(list.json()["meta"]["total"], 0, "nothing was created");

    // Text that merely contains `<` is not HTML.
    let author = create(
        &app,
        &editor,
        "/api/v1/authors",
        json!({"name": "王小明", "bio": "收入 <3000 元的家庭 & a < b"}),
    )
    .await;
    let path = format!("/api/v1/authors/{}", id_of(&author));
    let response = app
        .patch(&path)
        .as_user(&editor)
        .json(&json!({"name": "<i>王</i>", "website": "not a url"}))
        .send()
        .await;
    assert_eq!(
        response.field_errors(),
        [
            ("name".to_owned(), "invalid".to_owned()),
            ("website".to_owned(), "invalid".to_owned())
        ]
    );
    assert_eq!(app.get(&path).send().await.json()["version"], 1);
}

#[actix_web::test]
async fn user_id_must_name_an_account_without_another_profile() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let editor = app.user(&admin, "editor").await;
    let response = app
        .post("/api/v1/authors")
        .as_user(&editor)
        .json(&json!({"name": "王小明", "user_id": Uuid::now_v7()}))
        .send()
        .await;
    assert_eq!(
        response.field_errors(),
        [("user_id".to_owned(), "not_found".to_owned())]
    );

    let linked = create(
        &app,
        &editor,
        "/api/v1/authors",
        json!({"name": "王小明", "user_id": editor.user_id}),
    )
    .await;
    assert_eq!(linked["user_id"], editor.user_id.as_str());
    let problem = app
        .post("/api/v1/authors")
        .as_user(&editor)
        .json(&json!({"name": "王编辑", "user_id": editor.user_id}))
        .send()
        .await
        .problem(409);
    assert!(
        problem["detail"]
            .as_str()
            .is_some_and(|d| d.contains("user_id"))
    );

    let other = create(&app, &editor, "/api/v1/authors", json!({"name": "李华"})).await;
    let other_path = format!("/api/v1/authors/{}", id_of(&other));
    app.patch(&other_path)
        .as_user(&editor)
        .json(&json!({"user_id": editor.user_id}))
        .send()
        .await
        .problem(409);
    let response = app
        .patch(&other_path)
        .as_user(&editor)
        .json(&json!({"user_id": Uuid::now_v7()}))
        .send()
        .await;
    assert_eq!(
        response.field_errors(),
        [("user_id".to_owned(), "not_found".to_owned())]
    );

    let unlinked = app
        .patch(&format!("/api/v1/authors/{}", id_of(&linked)))
        .as_user(&editor)
        .json(&json!({"user_id": null}))
        .send()
        .await;
    assert_eq!(unlinked.status, StatusCode::OK);
    assert_eq!(unlinked.json()["user_id"], Value::Null);
    let relinked = app
        .patch(&other_path)
        .as_user(&editor)
        .json(&json!({"user_id": editor.user_id}))
        .send()
        .await;
    assert_eq!(relinked.status, StatusCode::OK, "{}", relinked.text());
    assert_eq!(relinked.json()["user_id"], editor.user_id.as_str());
}

#[actix_web::test]
async fn a_stale_if_match_changes_nothing() {
    let app = TestApp::spawn().await;
    let editor = app.editor().await;
    let author = create(&app, &editor, "/api/v1/authors", json!({"name": "朝鲁门"})).await;
    let path = format!("/api/v1/authors/{}", id_of(&author));
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
        .json(&json!({"bio": "第一"}))
        .send()
        .await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.text());
    app.patch(&path)
        .as_user(&editor)
        .header("if-match", &etag)
        .json(&json!({"bio": "第二"}))
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
    assert_eq!(now["bio"], "第一");
    assert_eq!(now["version"], 2);
}

#[actix_web::test]
async fn article_count_counts_only_live_published_articles() {
    let app = TestApp::spawn().await;
    let editor = app.editor().await;
    let author = create(&app, &editor, "/api/v1/authors", json!({"name": "朝鲁门"})).await;
    let other = create(&app, &editor, "/api/v1/authors", json!({"name": "李华"})).await;
    let (id, other_id) = (id_of(&author), id_of(&other));
    let hour = Duration::hours(1);
    let counted = [
        Article {
            author_ids: vec![id],
            ..Article::live()
        },
        Article {
            author_ids: vec![other_id, id],
            ..Article::live()
        },
        // Scheduled, and its time has come: the scheduler has not flipped it yet.
        Article {
            status: "scheduled",
            published_at: Some(Utc::now() - hour),
            author_ids: vec![id],
            ..Article::live()
        },
    ];
    let not_counted = [
        Article {
            author_ids: vec![id],
            ..Article::draft()
        },
        Article {
            status: "scheduled",
            published_at: Some(Utc::now() + hour),
            author_ids: vec![id],
            ..Article::live()
        },
        Article {
            published_at: Some(Utc::now() + hour),
            author_ids: vec![id],
            ..Article::live()
        },
        Article {
            status: "archived",
            author_ids: vec![id],
            ..Article::live()
        },
        Article {
            trashed: true,
            author_ids: vec![id],
            ..Article::live()
        },
    ];
    for article in counted.into_iter().chain(not_counted) {
        article.insert(&app);
    }

    let read = app.get(&format!("/api/v1/authors/{id}")).send().await;
    assert_eq!(read.json()["article_count"], 3);
    let list = app.get("/api/v1/authors").send().await.json();
    let mut counts: Vec<(String, i64)> = list["data"]
        .as_array()
        .expect("a list")
        .iter()
        .map(|a| {
            let name = a["name"].as_str().expect("a name").to_owned();
            (name, a["article_count"].as_i64().expect("a count"))
        })
        .collect();
    counts.sort();
    assert_eq!(counts, [("朝鲁门".to_owned(), 3), ("李华".to_owned(), 1)]);
}

#[actix_web::test]
async fn an_author_named_by_any_article_cannot_be_deleted() {
    let app = TestApp::spawn().await;
    let editor = app.editor().await;
    let author = create(&app, &editor, "/api/v1/authors", json!({"name": "朝鲁门"})).await;
    let id = id_of(&author);
    let article = Article {
        trashed: true,
        author_ids: vec![Uuid::now_v7(), id],
        ..Article::draft()
    }
    .insert(&app);

    let problem = app
        .delete(&format!("/api/v1/authors/{id}"))
        .as_user(&editor)
        .send()
        .await
        .problem(409);
    assert!(
        problem["detail"]
            .as_str()
            .is_some_and(|d| d.contains("in use"))
    );
    assert_eq!(
        app.get(&format!("/api/v1/authors/{id}"))
            .send()
            .await
            .status,
        StatusCode::OK
    );

    diesel::delete(articles::table.filter(articles::id.eq(article)))
        .execute(&mut app.db.connect())
        .expect("deleted");
    let deleted = app
        .delete(&format!("/api/v1/authors/{id}"))
        .as_user(&editor)
        .send()
        .await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
}

#[actix_web::test]
async fn a_list_of_authors_costs_the_same_queries_whatever_its_length() {
    let app = TestApp::spawn().await;
    let editor = app.editor().await;
    let mut cost = Vec::new();
    for count in [1, 8] {
        while app.get("/api/v1/authors").send().await.json()["meta"]["total"] != count {
            let author = create(&app, &editor, "/api/v1/authors", json!({"name": "朝鲁门"})).await;
            Article {
                author_ids: vec![id_of(&author)],
                ..Article::live()
            }
            .insert(&app);
        }
        let before = app.statements();
        // Another query string than the loop's, so the answer cannot come from the cache.
        let list = app.get("/api/v1/authors?per_page=50").send().await;
        cost.push(app.statements() - before);
        assert!(
            list.json()["data"]
                .as_array()
                .expect("a list")
                .iter()
                .all(|a| a["article_count"] == 1)
        );
    }
    assert_eq!(cost[0], cost[1], "{cost:?}");
    assert_eq!(
        cost[0], 3,
        "a page, a count and the article counts: {cost:?}"
    );
}

#[actix_web::test]
async fn unknown_authors_are_404() {
    let app = TestApp::spawn().await;
    let editor = app.editor().await;
    app.get(&format!("/api/v1/authors/{}", Uuid::now_v7()))
        .send()
        .await
        .problem(404);
    app.get("/api/v1/authors/no-such-author")
        .send()
        .await
        .problem(404);
    app.patch("/api/v1/authors/no-such-author")
        .as_user(&editor)
        .json(&json!({"name": "x"}))
        .send()
        .await
        .problem(404);
}
