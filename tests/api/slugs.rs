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

/// Free-slug lookups are prepared statements; once PostgreSQL settles on a statement's generic
/// plan (the slug unknown when it is planned), a `LIKE $1` lookup read the whole table on every
/// create. Forced to the generic plan, the lookup must still read only the slugs it asks for.
#[actix_web::test]
async fn a_free_slug_lookup_reads_no_whole_table_under_a_generic_plan() {
    use diesel::{QueryableByName, RunQueryDsl, sql_query, sql_types::BigInt};

    #[derive(QueryableByName)]
    struct Scans {
        #[diesel(sql_type = BigInt)]
        rows_scanned: i64,
    }

    let app = TestApp::spawn().await;
    let (taken, scans) = masthead::db::run(&app.state().pool, |conn| {
        sql_query(
            "INSERT INTO articles (id, slug, title) \
             SELECT gen_random_uuid(), 'article-' || n, 'Article ' || n \
             FROM generate_series(1, 3000) AS n",
        )
        .execute(conn)?;
        sql_query("INSERT INTO articles (id, slug, title) VALUES (gen_random_uuid(), 'zhong-wen', 'x'), (gen_random_uuid(), 'zhong-wen-2', 'x')")
            .execute(conn)?;
        sql_query("ANALYZE articles, article_slug_history").execute(conn)?;
        diesel::Connection::transaction(conn, |conn| {
            sql_query("SET LOCAL plan_cache_mode = force_generic_plan").execute(conn)?;
            let taken = masthead::articles::queries::taken_slugs(conn, "zhong-wen")?;
            let scans: Scans = sql_query(
                "SELECT coalesce(sum(seq_tup_read), 0)::bigint AS rows_scanned \
                 FROM pg_stat_xact_user_tables \
                 WHERE relname IN ('articles', 'article_slug_history')",
            )
            .get_result(conn)?;
            Ok((taken, scans.rows_scanned))
        })
    })
    .await
    .expect("the lookup ran");
    let mut taken = taken;
    taken.sort();
    assert_eq!(taken, ["zhong-wen", "zhong-wen-2"]);
    assert_eq!(scans, 0, "rows read by whole-table scans");
}
