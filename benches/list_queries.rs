//! Database time of the article list and read queries on 100,000 articles.
//!
//! `cargo bench --bench list_queries` seeds a database `masthead_bench` (kept between runs; set
//! `MASTHEAD_BENCH_DATABASE_URL` to use another) and times each query shape the API runs,
//! through the same functions the handlers call. It prints the median and p95 of 50 runs each,
//! and PostgreSQL's plan for the default public list.

use std::time::{Duration, Instant};

use diesel::{Connection, PgConnection, RunQueryDsl, sql_query, sql_types::BigInt};
use masthead::{
    articles::{
        model::Status,
        queries::{self, Filters, Sort},
    },
    db, slugs,
};

const ARTICLES: i64 = 100_000;
const RUNS: usize = 50;

#[derive(diesel::QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

#[derive(diesel::QueryableByName)]
struct PlanLine {
    #[diesel(sql_type = diesel::sql_types::Text, column_name = "QUERY PLAN")]
    line: String,
}

fn seed(conn: &mut PgConnection) {
    let existing: Count = sql_query("SELECT count(*) AS n FROM articles")
        .get_result(conn)
        .expect("count");
    if existing.n >= ARTICLES {
        return;
    }
    eprintln!("seeding {ARTICLES} articles, 40 categories, 500 tags, 200 authors…");
    let started = Instant::now();
    for statement in [
        "TRUNCATE articles, categories, tags, authors CASCADE",
        "INSERT INTO categories (id, slug, name) SELECT gen_random_uuid(), 'category-' || n, '分类' || n FROM generate_series(1, 40) n",
        "INSERT INTO tags (id, slug, name) SELECT gen_random_uuid(), 'tag-' || n, '标签' || n FROM generate_series(1, 500) n",
        "INSERT INTO authors (id, slug, name) SELECT gen_random_uuid(), 'author-' || n, '作者' || n FROM generate_series(1, 200) n",
        "CREATE TEMP TABLE c AS SELECT row_number() OVER () AS n, id FROM categories",
        "CREATE TEMP TABLE t AS SELECT row_number() OVER () AS n, id FROM tags",
        "CREATE TEMP TABLE a AS SELECT row_number() OVER () AS n, id FROM authors",
        "INSERT INTO articles (id, slug, title, excerpt, body, body_html, body_text, category_id, author_ids, tag_ids, \
             status, published_at, featured, kind, locale, word_count, reading_time_minutes, created_at, updated_at) \
         SELECT gen_random_uuid(), 'article-' || n, '新闻标题 ' || n, '利民之事，丝发必兴。' || n, \
             repeat('利民之事，丝发必兴。', 200), '<p>' || repeat('利民之事，丝发必兴。', 200) || '</p>', \
             repeat('利民之事，丝发必兴。', 200), \
             (SELECT id FROM c WHERE c.n = 1 + n % 40), \
             ARRAY[(SELECT id FROM a WHERE a.n = 1 + n % 200)], \
             ARRAY[(SELECT id FROM t WHERE t.n = 1 + n % 500), (SELECT id FROM t WHERE t.n = 1 + (n * 7) % 500)], \
             CASE WHEN n % 10 = 0 THEN 'draft' ELSE 'published' END, \
             CASE WHEN n % 10 = 0 THEN NULL ELSE now() - (n || ' minutes')::interval END, \
             n % 50 = 0, 'post', CASE WHEN n % 20 = 0 THEN 'en' ELSE 'zh-CN' END, 2000, 7, \
             now() - (n || ' minutes')::interval, now() - (n || ' minutes')::interval \
         FROM generate_series(1, 100000) n",
        "VACUUM ANALYZE",
    ] {
        sql_query(statement).execute(conn).expect("seed statement");
    }
    eprintln!("seeded in {:.1} s", started.elapsed().as_secs_f64());
}

fn time(conn: &mut PgConnection, name: &str, mut run: impl FnMut(&mut PgConnection)) {
    let mut samples: Vec<Duration> = (0..RUNS)
        .map(|_| {
            let started = Instant::now();
            run(conn);
            started.elapsed()
        })
        .collect();
    samples.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "{name:<55} p50 {:>7.2} ms   p95 {:>7.2} ms",
        ms(samples[RUNS / 2]),
        ms(samples[RUNS * 95 / 100])
    );
}

fn main() {
    let url = std::env::var("MASTHEAD_BENCH_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/masthead_bench".into());
    db::prepare(&url).expect("database ready");
    let mut conn = PgConnection::establish(&url).expect("connect");
    seed(&mut conn);

    let live = Filters {
        live_only: true,
        ..Filters::default()
    };
    let first_id = |conn: &mut PgConnection, table: &str| -> uuid::Uuid {
        #[derive(diesel::QueryableByName)]
        struct Id {
            #[diesel(sql_type = diesel::sql_types::Uuid)]
            id: uuid::Uuid,
        }
        sql_query(format!("SELECT id FROM {table} ORDER BY slug LIMIT 1"))
            .get_result::<Id>(conn)
            .expect("a row")
            .id
    };
    let category = first_id(&mut conn, "categories");
    let tag = first_id(&mut conn, "tags");
    let author = first_id(&mut conn, "authors");
    let list = |filters: Filters, sort: Sort, offset: i64| {
        move |conn: &mut PgConnection| {
            queries::page(conn, &filters, sort, None, 20, offset, false).expect("page");
        }
    };
    let count = |filters: Filters| {
        move |conn: &mut PgConnection| {
            queries::count(conn, &filters).expect("count");
        }
    };
    println!("{ARTICLES} articles; a page of 20, then the count behind `meta.total`");
    time(&mut conn, "count: all live articles", count(live.clone()));
    time(
        &mut conn,
        "count: live, by category",
        count(Filters {
            category: Some(category),
            ..live.clone()
        }),
    );
    time(
        &mut conn,
        "count: live, by tag",
        count(Filters {
            tag: Some(tag),
            ..live.clone()
        }),
    );
    time(
        &mut conn,
        "count: live, by author",
        count(Filters {
            author: Some(author),
            ..live.clone()
        }),
    );
    time(
        &mut conn,
        "count: drafts",
        count(Filters {
            status: Some(Status::Draft),
            ..Filters::default()
        }),
    );
    time(
        &mut conn,
        "public list, newest first",
        list(live.clone(), Sort::PublishedDesc, 0),
    );
    time(
        &mut conn,
        "public list, page 100",
        list(live.clone(), Sort::PublishedDesc, 1980),
    );
    time(
        &mut conn,
        "public list by category",
        list(
            Filters {
                category: Some(category),
                ..live.clone()
            },
            Sort::PublishedDesc,
            0,
        ),
    );
    time(
        &mut conn,
        "public list by tag",
        list(
            Filters {
                tag: Some(tag),
                ..live.clone()
            },
            Sort::PublishedDesc,
            0,
        ),
    );
    time(
        &mut conn,
        "public list by author",
        list(
            Filters {
                author: Some(author),
                ..live.clone()
            },
            Sort::PublishedDesc,
            0,
        ),
    );
    time(
        &mut conn,
        "public list, featured",
        list(
            Filters {
                featured: Some(true),
                ..live.clone()
            },
            Sort::PublishedDesc,
            0,
        ),
    );
    time(
        &mut conn,
        "public list, locale en",
        list(
            Filters {
                locale: Some("en".into()),
                ..live.clone()
            },
            Sort::PublishedDesc,
            0,
        ),
    );
    time(
        &mut conn,
        "staff list of drafts, recently updated",
        list(
            Filters {
                status: Some(Status::Draft),
                ..Filters::default()
            },
            Sort::UpdatedDesc,
            0,
        ),
    );
    time(
        &mut conn,
        "staff list by title",
        list(Filters::default(), Sort::Title, 0),
    );
    time(&mut conn, "read one article by slug", |conn| {
        queries::find(conn, &slugs::Key::Slug("article-5001".into())).expect("read");
    });

    println!("\nplan of the public list page:");
    let plan: Vec<PlanLine> = sql_query(
        "EXPLAIN ANALYZE SELECT id, slug, title FROM articles WHERE deleted_at IS NULL \
         AND status IN ('published', 'scheduled') AND published_at <= now() \
         ORDER BY published_at DESC NULLS LAST, id DESC LIMIT 20",
    )
    .load(&mut conn)
    .expect("explain");
    for line in plan {
        println!("  {}", line.line);
    }
}
