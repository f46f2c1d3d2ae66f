//! Slugs chosen by the server stay unique and lose no write, however many writers race.

use std::collections::HashSet;

use actix_web::http::StatusCode;
use futures_util::future::join_all;
use serde_json::json;

use crate::helpers::TestApp;

const WRITERS: usize = 20;

#[actix_web::test]
async fn twenty_writers_naming_things_alike_all_succeed_with_distinct_slugs() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let cases = [
        (
            "/api/v1/articles",
            json!({"title": "同一个标题", "body": "正文。"}),
        ),
        ("/api/v1/authors", json!({"name": "Same Name"})),
        ("/api/v1/categories", json!({"name": "Same Name"})),
        ("/api/v1/tags", json!({"name": "Same Name"})),
    ];
    for (path, body) in cases {
        let answers =
            join_all((0..WRITERS).map(|_| app.post(path).as_user(&admin).json(&body).send())).await;
        let mut slugs = HashSet::new();
        for answer in &answers {
            assert_eq!(
                answer.status,
                StatusCode::CREATED,
                "{path}: {}",
                answer.text()
            );
            slugs.insert(answer.json()["slug"].as_str().expect("a slug").to_owned());
        }
        assert_eq!(
            slugs.len(),
            WRITERS,
            "{path}: every slug differs: {slugs:?}"
        );
        let base = answers[0].json()["slug"]
            .as_str()
            .expect("a slug")
            .trim_end_matches(|c: char| c.is_ascii_digit() || c == '-')
            .to_owned();
        let expected: HashSet<String> = std::iter::once(base.clone())
            .chain((2..=WRITERS).map(|n| format!("{base}-{n}")))
            .collect();
        assert_eq!(slugs, expected, "{path}: numbered from -2 without gaps");
    }
}

#[actix_web::test]
async fn contributors_writing_their_first_articles_at_once_get_one_author_profile() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let contributor = app.user(&admin, "contributor").await;
    let answers = join_all((0..8).map(|n| {
        app.post("/api/v1/articles")
            .as_user(&contributor)
            .json(&json!({"title": format!("投稿 {n}"), "body": "草稿。"}))
            .send()
    }))
    .await;
    let mut profiles = HashSet::new();
    for answer in &answers {
        assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.text());
        profiles.insert(answer.json()["authors"][0]["id"].clone());
    }
    assert_eq!(profiles.len(), 1, "one profile credited on every article");
}
