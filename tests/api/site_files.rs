use std::collections::BTreeSet;

use actix_web::http::StatusCode;
use diesel::{RunQueryDsl, sql_query};
use serde_json::{Value, json};

use crate::helpers::{Session, TestApp, TestResponse};

const SITEMAP_NS: &str = "http://www.sitemaps.org/schemas/sitemap/0.9";
const DC_NS: &str = "http://purl.org/dc/elements/1.1/";
const TITLE: &str = "用民生“温度”标注幸福“刻度”";

async fn created(app: &TestApp, admin: &Session, path: &str, body: Value) -> Value {
    let response = app.post(path).as_user(admin).json(&body).send().await;
    assert_eq!(response.status, StatusCode::CREATED, "{}", response.text());
    response.json()
}

async fn action(app: &TestApp, admin: &Session, id: &str, action: &str, body: Value) {
    let response = app
        .post(&format!("/api/v1/articles/{id}/{action}"))
        .as_user(admin)
        .json(&body)
        .send()
        .await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.text());
}

fn text(value: &Value, field: &str) -> String {
    value[field].as_str().expect("a string").to_owned()
}

/// A site with one live post, one live page, and one article in each state readers must never
/// see. Returns the slugs of the live post and page.
async fn a_site_with_every_kind_of_article(app: &TestApp, admin: &Session) -> (String, String) {
    let category = created(
        app,
        admin,
        "/api/v1/categories",
        json!({"name": "医疗卫生"}),
    )
    .await;
    let author = created(app, admin, "/api/v1/authors", json!({"name": "朝鲁门"})).await;
    let post = created(
        app,
        admin,
        "/api/v1/articles",
        json!({
            "title": TITLE,
            "excerpt": "利民之事，丝发必兴 & <更多>",
            "category": text(&category, "id"),
            "authors": [text(&author, "id")],
        }),
    )
    .await;
    action(app, admin, &text(&post, "id"), "publish", json!({})).await;
    let page = created(
        app,
        admin,
        "/api/v1/articles",
        json!({"title": "加入我们", "slug": "join-us", "kind": "page"}),
    )
    .await;
    action(app, admin, &text(&page, "id"), "publish", json!({})).await;

    created(
        app,
        admin,
        "/api/v1/articles",
        json!({"title": "草稿", "slug": "a-draft"}),
    )
    .await;
    let future = created(
        app,
        admin,
        "/api/v1/articles",
        json!({"title": "明天", "slug": "tomorrow"}),
    )
    .await;
    action(
        app,
        admin,
        &text(&future, "id"),
        "publish",
        json!({"published_at": "2999-01-01T00:00:00Z"}),
    )
    .await;
    let archived = created(
        app,
        admin,
        "/api/v1/articles",
        json!({"title": "旧闻", "slug": "old-news"}),
    )
    .await;
    action(app, admin, &text(&archived, "id"), "publish", json!({})).await;
    action(app, admin, &text(&archived, "id"), "archive", json!({})).await;
    let trashed = created(
        app,
        admin,
        "/api/v1/articles",
        json!({"title": "删除", "slug": "trashed"}),
    )
    .await;
    action(app, admin, &text(&trashed, "id"), "publish", json!({})).await;
    let deleted = app
        .delete(&format!("/api/v1/articles/{}", text(&trashed, "id")))
        .as_user(admin)
        .send()
        .await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    (text(&post, "slug"), "join-us".to_owned())
}

fn parsed(response: &TestResponse) -> roxmltree::Document<'_> {
    let text = std::str::from_utf8(&response.body).expect("UTF-8");
    roxmltree::Document::parse(text).unwrap_or_else(|e| panic!("not XML ({e}): {text}"))
}

/// The `<loc>` of every `<url>` of a `urlset`, checking the structure on the way.
fn urlset_locs(response: &TestResponse) -> Vec<String> {
    assert_eq!(response.status, StatusCode::OK, "{}", response.text());
    assert_eq!(
        response.header("content-type"),
        Some("application/xml; charset=utf-8")
    );
    let document = parsed(response);
    let root = document.root_element();
    assert_eq!(root.tag_name().name(), "urlset");
    assert_eq!(root.tag_name().namespace(), Some(SITEMAP_NS));
    root.children()
        .filter(|n| n.is_element())
        .map(|url| {
            assert_eq!(url.tag_name().namespace(), Some(SITEMAP_NS));
            assert_eq!(url.tag_name().name(), "url");
            let child = |name: &str| {
                url.children()
                    .find(|n| n.has_tag_name((SITEMAP_NS, name)))
                    .and_then(|n| n.text())
                    .unwrap_or_else(|| panic!("a <{name}>"))
                    .to_owned()
            };
            chrono::DateTime::parse_from_rfc3339(&child("lastmod")).expect("a W3C datetime");
            child("loc")
        })
        .collect()
}

#[actix_web::test]
async fn the_feed_is_rss_of_live_posts_with_chinese_text_intact() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let (post, _) = a_site_with_every_kind_of_article(&app, &admin).await;
    let site = app
        .patch("/api/v1/site")
        .as_user(&admin)
        .json(&json!({"title": "首页-三牛平台", "description": "通辽 & 周边"}))
        .send()
        .await;
    assert_eq!(site.status, StatusCode::OK, "{}", site.text());

    let response = app.get("/feed.xml").send().await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.text());
    assert_eq!(
        response.header("content-type"),
        Some("application/rss+xml; charset=utf-8")
    );
    let document = parsed(&response);
    let rss = document.root_element();
    assert_eq!(
        (rss.tag_name().name(), rss.attribute("version")),
        ("rss", Some("2.0"))
    );
    let channel = rss.first_element_child().expect("a channel");
    let field = |node: roxmltree::Node<'_, '_>, name: &str| {
        node.children()
            .find(|n| n.has_tag_name(name))
            .and_then(|n| n.text())
            .map(str::to_owned)
    };
    assert_eq!(field(channel, "title").as_deref(), Some("首页-三牛平台"));
    assert_eq!(
        field(channel, "description").as_deref(),
        Some("通辽 & 周边")
    );
    assert_eq!(
        field(channel, "link").as_deref(),
        Some("http://localhost:3000/")
    );
    assert_eq!(field(channel, "language").as_deref(), Some("zh-CN"));
    chrono::DateTime::parse_from_rfc2822(&field(channel, "lastBuildDate").expect("a date"))
        .expect("RFC 2822");

    // The page, the draft, the scheduled, the archived and the trashed article are left out.
    let items: Vec<_> = channel
        .children()
        .filter(|n| n.has_tag_name("item"))
        .collect();
    assert_eq!(items.len(), 1, "{}", response.text());
    let item = items[0];
    let link = format!("http://localhost:3000/articles/{post}");
    assert_eq!(field(item, "title").as_deref(), Some(TITLE));
    assert_eq!(field(item, "link").as_deref(), Some(link.as_str()));
    let guid = item
        .children()
        .find(|n| n.has_tag_name("guid"))
        .expect("a guid");
    assert_eq!(
        (guid.text(), guid.attribute("isPermaLink")),
        (Some(link.as_str()), Some("true"))
    );
    chrono::DateTime::parse_from_rfc2822(&field(item, "pubDate").expect("a pubDate"))
        .expect("RFC 2822");
    let creator = item
        .children()
        .find(|n| n.has_tag_name((DC_NS, "creator")))
        .and_then(|n| n.text());
    assert_eq!(creator, Some("朝鲁门"));
    assert_eq!(field(item, "category").as_deref(), Some("医疗卫生"));
    assert_eq!(
        field(item, "description").as_deref(),
        Some("利民之事，丝发必兴 & <更多>")
    );
}

#[actix_web::test]
async fn site_maps_list_live_articles_and_pages_on_their_configured_paths_only() {
    let app = TestApp::spawn_with(|config| {
        config.public_url = "https://www.example.cn".into();
        config.article_path = "/news/{slug}.html".into();
        config.page_path = "/p/{slug}".into();
    })
    .await;
    let admin = app.admin().await;
    let (post, page) = a_site_with_every_kind_of_article(&app, &admin).await;
    let expected = BTreeSet::from([
        format!("https://www.example.cn/news/{post}.html"),
        format!("https://www.example.cn/p/{page}"),
    ]);

    let xml = app.get("/sitemap.xml").send().await;
    let locs = urlset_locs(&xml);
    assert_eq!(locs.len(), 2, "{}", xml.text());
    assert_eq!(locs.into_iter().collect::<BTreeSet<_>>(), expected);

    let txt = app.get("/sitemap.txt").send().await;
    assert_eq!(txt.status, StatusCode::OK);
    assert_eq!(
        txt.header("content-type"),
        Some("text/plain; charset=utf-8")
    );
    let lines: Vec<String> = txt.text().lines().map(str::to_owned).collect();
    assert_eq!(lines.len(), 2, "{}", txt.text());
    assert_eq!(lines.into_iter().collect::<BTreeSet<_>>(), expected);
    // No parts while the map fits in one file.
    app.get("/sitemap-1.xml").send().await.problem(404);
}

/// `count` live posts straight into the database, `story-1` the newest, and one draft that
/// must never show.
fn insert_live(app: &TestApp, count: usize) {
    let mut conn = app.db.connect();
    sql_query(format!(
        "INSERT INTO articles (id, slug, title, status, published_at) \
         SELECT gen_random_uuid(), 'story-' || n, 'Story ' || n, 'published', now() - n * interval '1 minute' \
         FROM generate_series(1, {count}) AS n"
    ))
    .execute(&mut conn)
    .expect("inserted");
    sql_query("INSERT INTO articles (id, slug, title) VALUES (gen_random_uuid(), 'hidden-draft', 'Draft')")
        .execute(&mut conn)
        .expect("inserted");
}

fn story_urls(count: usize) -> BTreeSet<String> {
    (1..=count)
        .map(|n| format!("http://localhost:3000/articles/story-{n}"))
        .collect()
}

#[actix_web::test]
async fn past_the_limit_the_site_map_is_an_index_of_parts_that_list_every_url_once() {
    let app = TestApp::spawn_with(|config| config.sitemap_max_urls = 3).await;
    insert_live(&app, 7);
    let index = app.get("/sitemap.xml").send().await;
    assert_eq!(index.status, StatusCode::OK, "{}", index.text());
    let document = parsed(&index);
    let root = document.root_element();
    assert_eq!(root.tag_name().name(), "sitemapindex");
    assert_eq!(root.tag_name().namespace(), Some(SITEMAP_NS));
    let parts: Vec<String> = root
        .children()
        .filter(|n| n.has_tag_name((SITEMAP_NS, "sitemap")))
        .map(|s| {
            s.children()
                .find(|n| n.has_tag_name((SITEMAP_NS, "loc")))
                .and_then(|n| n.text())
                .expect("a loc")
                .to_owned()
        })
        .collect();
    assert_eq!(
        parts,
        (1..=3)
            .map(|n| format!("http://localhost:3000/sitemap-{n}.xml"))
            .collect::<Vec<_>>()
    );

    let mut seen = Vec::new();
    for (n, size) in [(1, 3), (2, 3), (3, 1)] {
        let part = app.get(&format!("/sitemap-{n}.xml")).send().await;
        let locs = urlset_locs(&part);
        assert_eq!(locs.len(), size, "part {n}: {}", part.text());
        seen.extend(locs);
    }
    assert_eq!(seen.len(), 7);
    assert_eq!(seen.into_iter().collect::<BTreeSet<_>>(), story_urls(7));
    for missing in [
        "/sitemap-4.xml",
        "/sitemap-0.xml",
        "/sitemap-01.xml",
        "/sitemap-x.xml",
    ] {
        app.get(missing).send().await.problem(404);
    }
    let txt = app.get("/sitemap.txt").send().await.text();
    assert_eq!(txt.lines().collect::<BTreeSet<_>>().len(), 7);
}

#[actix_web::test]
async fn a_large_site_map_streams_in_chunks_without_losing_or_repeating_a_url() {
    let app = TestApp::spawn().await;
    insert_live(&app, 4_500);
    let response = app.get("/sitemap.xml").send().await;
    let locs = urlset_locs(&response);
    assert_eq!(locs.len(), 4_500);
    assert_eq!(locs.into_iter().collect::<BTreeSet<_>>(), story_urls(4_500));
}

#[actix_web::test]
async fn site_files_carry_etags_that_change_with_live_content_and_settings() {
    let app = TestApp::spawn_with(|config| config.cache_max_age = 120).await;
    let admin = app.admin().await;
    let (post, _) = a_site_with_every_kind_of_article(&app, &admin).await;
    for path in ["/sitemap.xml", "/sitemap.txt", "/feed.xml"] {
        let first = app.get(path).send().await;
        assert_eq!(first.status, StatusCode::OK, "{path}");
        assert_eq!(
            first.header("cache-control"),
            Some("public, max-age=120"),
            "{path}"
        );
        let etag = first.header("etag").expect("an ETag").to_owned();
        assert!(etag.starts_with('"'), "{path}: a strong ETag");
        let again = app.get(path).header("if-none-match", &etag).send().await;
        assert_eq!(again.status, StatusCode::NOT_MODIFIED, "{path}");
        assert_eq!(again.header("etag"), Some(etag.as_str()));
        assert_eq!(again.header("cache-control"), Some("public, max-age=120"));
        assert!(again.body.is_empty());
    }
    let etags = || async {
        let mut tags = Vec::new();
        for path in ["/sitemap.xml", "/sitemap.txt", "/feed.xml"] {
            let response = app.get(path).send().await;
            tags.push(response.header("etag").expect("an ETag").to_owned());
        }
        tags
    };

    // A scheduled article coming due changes the files with no write through the API.
    let before = etags().await;
    sql_query(
        "UPDATE articles SET published_at = now() - interval '1 second' WHERE slug = 'tomorrow'",
    )
    .execute(&mut app.db.connect())
    .expect("updated");
    let after = etags().await;
    for (old, new) in before.iter().zip(&after) {
        assert_ne!(old, new);
    }
    let txt = app.get("/sitemap.txt").send().await.text();
    assert!(txt.contains("/articles/tomorrow"), "{txt}");
    let stale = app
        .get("/sitemap.txt")
        .header("if-none-match", &before[1])
        .send()
        .await;
    assert_eq!(stale.status, StatusCode::OK);

    // The site's title is in the feed.
    app.patch("/api/v1/site")
        .as_user(&admin)
        .json(&json!({"title": "新标题"}))
        .send()
        .await;
    assert_ne!(etags().await[2], after[2]);

    // Unpublishing takes an article out at once.
    let id = app
        .get(&format!("/api/v1/articles/{post}"))
        .send()
        .await
        .json()["id"]
        .as_str()
        .expect("an id")
        .to_owned();
    action(&app, &admin, &id, "unpublish", json!({})).await;
    let feed = app.get("/feed.xml").send().await.text();
    assert!(!feed.contains(&post), "{feed}");
    assert!(!app.get("/sitemap.txt").send().await.text().contains(&post));
}

#[actix_web::test]
async fn the_feed_holds_the_latest_fifty_posts_newest_first() {
    let app = TestApp::spawn().await;
    insert_live(&app, 55);
    let response = app.get("/feed.xml").send().await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.text());
    let document = parsed(&response);
    let titles: Vec<&str> = document
        .descendants()
        .filter(|n| n.has_tag_name("item"))
        .map(|item| {
            item.children()
                .find(|n| n.has_tag_name("title"))
                .and_then(|n| n.text())
                .expect("a title")
        })
        .collect();
    let expected: Vec<String> = (1..=50).map(|n| format!("Story {n}")).collect();
    assert_eq!(titles, expected);
}
