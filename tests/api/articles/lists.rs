//! The article list: filters, sorts, pages, embedded relations, and what a list costs.

use actix_web::http::StatusCode;
use serde_json::json;

use super::{create, id_of, insert, publish};
use crate::helpers::TestApp;

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
