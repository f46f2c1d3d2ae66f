//! Delta sync: everything readable once, then only what changed, so that a copy kept by applying
//! every page stays equal to what the API serves.

use std::collections::BTreeMap;

use chrono::{TimeDelta, Utc};
use rand::{Rng, SeedableRng, rngs::StdRng};
use serde_json::{Value, json};

use crate::helpers::{Session, TestApp};

/// A client's copy: items by kind and id (the site's id is null).
#[derive(Debug, Default)]
struct Copy {
    items: BTreeMap<(String, String), Value>,
    token: Option<String>,
}

impl Copy {
    fn apply(&mut self, entries: &Value) {
        for entry in entries.as_array().expect("a list of entries") {
            let key = (
                entry["kind"].as_str().expect("a kind").to_owned(),
                entry["id"].to_string(),
            );
            match entry["op"].as_str() {
                Some("upsert") => {
                    self.items.insert(key, entry["item"].clone());
                }
                Some("delete") => {
                    assert!(entry["at"].is_string(), "{entry}");
                    self.items.remove(&key);
                }
                other => panic!("unknown op {other:?}"),
            }
        }
    }

    /// Syncs to the end (every page), as a client would; returns the entries received.
    async fn sync(&mut self, app: &TestApp, query: &str) -> Vec<Value> {
        let mut received = Vec::new();
        loop {
            let uri = match &self.token {
                Some(token) => format!("/api/v1/sync?{query}&sync_token={token}"),
                None => format!("/api/v1/sync?{query}"),
            };
            let page = app.get(&uri).send().await;
            assert_eq!(page.status, 200, "{}", page.text());
            assert_eq!(page.header("cache-control"), Some("no-store"));
            let body = page.json();
            self.apply(&body["data"]);
            received.extend(body["data"].as_array().cloned().unwrap_or_default());
            let meta = &body["meta"];
            if let Some(next) = meta["next_page_token"].as_str() {
                assert!(meta.get("next_sync_token").is_none());
                self.token = Some(next.to_owned());
                continue;
            }
            self.token = Some(
                meta["next_sync_token"]
                    .as_str()
                    .expect("a sync token")
                    .to_owned(),
            );
            return received;
        }
    }
}

async fn post(app: &TestApp, who: &Session, path: &str, body: Value) -> Value {
    let made = app.post(path).as_user(who).json(&body).send().await;
    assert_eq!(made.status, 201, "{path}: {}", made.text());
    made.json()
}

#[actix_web::test]
async fn a_first_sync_pages_through_what_readers_see_and_later_ones_send_only_changes() {
    let app = TestApp::spawn().await;
    let editor = app.editor().await;
    let tag = post(&app, &editor, "/api/v1/tags", json!({"name": "医保"})).await;
    let mut live = Vec::new();
    for n in 0..3 {
        let article = post(
            &app,
            &editor,
            "/api/v1/articles",
            json!({"title": format!("第{n}篇"), "body": "正文"}),
        )
        .await;
        let id = article["id"].as_str().expect("an id").to_owned();
        let published = app
            .post(&format!("/api/v1/articles/{id}/publish"))
            .as_user(&editor)
            .send()
            .await;
        assert_eq!(published.status, 200);
        live.push(id);
    }
    let draft = post(&app, &editor, "/api/v1/articles", json!({"title": "草稿"})).await;
    let draft_id = draft["id"].as_str().expect("an id").to_owned();

    let mut copy = Copy::default();
    let first = app.get("/api/v1/sync?per_page=2").send().await.json();
    assert_eq!(first["data"].as_array().map(Vec::len), Some(2));
    assert!(first["meta"]["next_page_token"].is_string(), "{first}");
    copy.token = first["meta"]["next_page_token"].as_str().map(str::to_owned);
    copy.apply(&first["data"]);
    copy.sync(&app, "per_page=2").await;
    let kinds: Vec<&str> = copy.items.keys().map(|(kind, _)| kind.as_str()).collect();
    assert_eq!(kinds.iter().filter(|k| **k == "article").count(), 3);
    assert!(kinds.contains(&"tag") && kinds.contains(&"site"));
    assert!(
        !copy
            .items
            .contains_key(&("article".into(), json!(draft_id).to_string()))
    );
    // Summaries unless `full`.
    let one = &copy.items[&("article".to_owned(), json!(live[0]).to_string())];
    assert!(one.get("body").is_none() && one["status"] == "published");

    // Nothing changed: nothing sent.
    assert!(copy.sync(&app, "").await.is_empty());

    // An edit, a trash, a draft's edits (never public: no tombstone for it), a deleted tag.
    let edited = app
        .patch(&format!("/api/v1/articles/{}", live[0]))
        .as_user(&editor)
        .json(&json!({"title": "改过的标题"}))
        .send()
        .await;
    assert_eq!(edited.status, 200);
    for _ in 0..2 {
        let patched = app
            .patch(&format!("/api/v1/articles/{}", live[0]))
            .as_user(&editor)
            .json(&json!({"featured": true}))
            .send()
            .await;
        assert_eq!(patched.status, 200);
    }
    let trashed = app
        .delete(&format!("/api/v1/articles/{}", live[1]))
        .as_user(&editor)
        .send()
        .await;
    assert_eq!(trashed.status, 204);
    let unpublished = app
        .post(&format!("/api/v1/articles/{}/unpublish", live[2]))
        .as_user(&editor)
        .send()
        .await;
    assert_eq!(unpublished.status, 200);
    let draft_edit = app
        .patch(&format!("/api/v1/articles/{draft_id}"))
        .as_user(&editor)
        .json(&json!({"title": "还是草稿"}))
        .send()
        .await;
    assert_eq!(draft_edit.status, 200);
    let tag_id = tag["id"].as_str().expect("an id");
    assert_eq!(
        app.delete(&format!("/api/v1/tags/{tag_id}"))
            .as_user(&editor)
            .send()
            .await
            .status,
        204
    );

    let changes = copy.sync(&app, "").await;
    let summary: Vec<(String, String, String)> = changes
        .iter()
        .map(|e| {
            (
                e["op"].as_str().unwrap_or_default().to_owned(),
                e["kind"].as_str().unwrap_or_default().to_owned(),
                e["id"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    // Compacted: the edited article once, in its latest state.
    assert_eq!(
        summary.iter().filter(|(_, _, id)| *id == live[0]).count(),
        1,
        "{changes:?}"
    );
    let upsert = changes
        .iter()
        .find(|e| e["id"] == live[0].as_str())
        .expect("the edit");
    assert_eq!(
        (
            upsert["op"].as_str(),
            upsert["item"]["title"].as_str(),
            upsert["item"]["featured"].as_bool()
        ),
        (Some("upsert"), Some("改过的标题"), Some(true))
    );
    for gone in [&live[1], &live[2]] {
        let tombstone = changes
            .iter()
            .find(|e| e["id"] == gone.as_str())
            .expect("a tombstone");
        assert_eq!(tombstone["op"], "delete");
        assert_eq!(tombstone["kind"], "article");
        assert!(
            tombstone["slug"]
                .as_str()
                .is_some_and(|s| s.starts_with("di-")),
            "{tombstone}"
        );
    }
    assert!(changes.iter().any(|e| e["op"] == "delete"
        && e["kind"] == "tag"
        && e["id"] == tag_id
        && e["slug"] == "yi-bao"));
    assert!(
        !changes.iter().any(|e| e["id"] == draft_id.as_str()),
        "a draft that never was public is never mentioned: {changes:?}"
    );
}

#[actix_web::test]
async fn old_and_made_up_tokens_are_refused_with_problems() {
    let app = TestApp::spawn().await;
    let first = app.get("/api/v1/sync").send().await.json();
    let token = first["meta"]["next_sync_token"]
        .as_str()
        .expect("a token")
        .to_owned();
    assert_eq!(
        app.get(&format!("/api/v1/sync?sync_token={token}"))
            .send()
            .await
            .status,
        200
    );
    for bad in [
        "x",
        "MS4xLmQuLTE",
        "not-a-token-at-all",
        "MS4xNzk2MDM0OTU0MTUzLmQuOTk5OTk5",
    ] {
        app.get(&format!("/api/v1/sync?sync_token={bad}"))
            .send()
            .await
            .problem(400);
    }
    for per_page in ["0", "501", "x"] {
        app.get(&format!("/api/v1/sync?per_page={per_page}"))
            .send()
            .await
            .problem(400);
    }
    // Past the change log's retention (365 days by default): start over.
    app.set_clock(Utc::now() + TimeDelta::days(366));
    let gone = app
        .get(&format!("/api/v1/sync?sync_token={token}"))
        .send()
        .await;
    let problem = gone.problem(410);
    assert!(
        problem["detail"]
            .as_str()
            .is_some_and(|d| d.contains("start")),
        "{problem}"
    );
    assert_eq!(
        app.get("/api/v1/sync").send().await.status,
        200,
        "a new sync still works"
    );
}

#[actix_web::test]
async fn where_public_reading_is_off_a_content_key_is_needed() {
    let app = TestApp::spawn_with(|c| c.public_read = false).await;
    let admin = app.admin().await;
    app.get("/api/v1/sync").send().await.problem(401);
    let key = post(
        &app,
        &admin,
        "/api/v1/api-keys",
        json!({"name": "frontend", "scope": "content"}),
    )
    .await;
    let key = key["key"].as_str().expect("the key");
    let page = app.get("/api/v1/sync").bearer(key).send().await;
    assert_eq!(page.status, 200, "{}", page.text());
    assert_eq!(page.header("cache-control"), Some("no-store"));
}

/// Every item the API serves, fetched one by one from its own public read, and the sets from
/// the public lists.
async fn served(app: &TestApp, copy: &Copy) {
    let strip = |mut item: Value| {
        // Derived without a write of their own: documented to lag until the item changes.
        if let Some(object) = item.as_object_mut() {
            object.remove("article_count");
        }
        item
    };
    for ((kind, id), item) in &copy.items {
        let id: Value = serde_json::from_str(id).expect("a JSON id");
        let path = match (kind.as_str(), id.as_str()) {
            ("article", Some(id)) => format!("/api/v1/articles/{id}"),
            ("author", Some(id)) => format!("/api/v1/authors/{id}"),
            ("category", Some(id)) => format!("/api/v1/categories/{id}"),
            ("tag", Some(id)) => format!("/api/v1/tags/{id}"),
            ("link", Some(id)) => format!("/api/v1/links/{id}"),
            ("site", None) => "/api/v1/site".to_owned(),
            ("recommendation", Some(_)) => continue,
            other => panic!("unexpected item {other:?}"),
        };
        let read = app.get(&path).send().await;
        assert_eq!(read.status, 200, "{path}: {}", read.text());
        assert_eq!(strip(read.json()), strip(item.clone()), "{path}");
    }
    let ids = |kind: &str| -> Vec<String> {
        copy.items
            .keys()
            .filter(|(k, _)| k == kind)
            .map(|(_, id)| id.trim_matches('"').to_owned())
            .collect()
    };
    for (kind, path) in [
        ("article", "/api/v1/articles?per_page=100"),
        ("tag", "/api/v1/tags?per_page=100"),
        ("category", "/api/v1/categories?per_page=100"),
        ("author", "/api/v1/authors?per_page=100"),
        ("link", "/api/v1/links?per_page=100"),
        ("recommendation", "/api/v1/recommendations?per_page=100"),
    ] {
        let list = app.get(path).send().await.json();
        let mut listed: Vec<String> = list["data"]
            .as_array()
            .expect("a list")
            .iter()
            .map(|item| item["id"].as_str().expect("an id").to_owned())
            .collect();
        listed.sort();
        let mut kept = ids(kind);
        kept.sort();
        assert_eq!(kept, listed, "{kind}");
    }
    let recommendations = app
        .get("/api/v1/recommendations?per_page=100")
        .send()
        .await
        .json();
    for listed in recommendations["data"].as_array().expect("a list") {
        let key = ("recommendation".to_owned(), listed["id"].to_string());
        assert_eq!(&copy.items[&key], listed);
    }
}

#[actix_web::test]
async fn a_copy_kept_by_sync_through_random_writes_equals_what_the_api_serves() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let editor = app.user(&admin, "editor").await;
    let mut random = StdRng::seed_from_u64(11);
    let mut articles: Vec<String> = Vec::new();
    let mut tags: Vec<String> = Vec::new();
    let mut categories: Vec<String> = Vec::new();
    let mut authors: Vec<String> = Vec::new();
    let mut links: Vec<String> = Vec::new();
    let mut recommendations: Vec<String> = Vec::new();
    let mut copy = Copy::default();
    // The first sync starts part way and pages while writes go on.
    let mut first_done = false;
    for step in 0..220 {
        let pick = |random: &mut StdRng, ids: &[String]| -> Option<String> {
            (!ids.is_empty()).then(|| ids[random.random_range(0..ids.len())].clone())
        };
        let roll = random.random_range(0..100);
        let n = step;
        let (method, path, body): (&str, String, Value) = match roll {
            0..=14 => {
                let mut body = json!({"title": format!("文章{n}"), "body": format!("第{n}段正文")});
                if let Some(tag) = pick(&mut random, &tags) {
                    body["tags"] = json!([tag]);
                }
                if let Some(category) = pick(&mut random, &categories) {
                    body["category"] = json!(category);
                }
                if let Some(author) = pick(&mut random, &authors) {
                    body["authors"] = json!([author]);
                }
                ("POST", "/api/v1/articles".into(), body)
            }
            15..=29 => match pick(&mut random, &articles) {
                Some(id) => ("POST", format!("/api/v1/articles/{id}/publish"), json!({})),
                None => continue,
            },
            30..=39 => match pick(&mut random, &articles) {
                Some(id) => (
                    "PATCH",
                    format!("/api/v1/articles/{id}"),
                    json!({"title": format!("改{n}"), "featured": n % 2 == 0}),
                ),
                None => continue,
            },
            40..=44 => match pick(&mut random, &articles) {
                Some(id) => (
                    "POST",
                    format!("/api/v1/articles/{id}/unpublish"),
                    Value::Null,
                ),
                None => continue,
            },
            45..=47 => match pick(&mut random, &articles) {
                Some(id) => (
                    "POST",
                    format!("/api/v1/articles/{id}/archive"),
                    Value::Null,
                ),
                None => continue,
            },
            48..=52 => match pick(&mut random, &articles) {
                Some(id) => ("DELETE", format!("/api/v1/articles/{id}"), Value::Null),
                None => continue,
            },
            53..=55 => match pick(&mut random, &articles) {
                Some(id) => (
                    "POST",
                    format!("/api/v1/articles/{id}/restore"),
                    Value::Null,
                ),
                None => continue,
            },
            56..=57 => match pick(&mut random, &articles) {
                Some(id) => {
                    articles.retain(|a| *a != id);
                    (
                        "DELETE",
                        format!("/api/v1/articles/{id}?purge=true"),
                        Value::Null,
                    )
                }
                None => continue,
            },
            58..=63 => (
                "POST",
                "/api/v1/tags".into(),
                json!({"name": format!("标签{n}")}),
            ),
            64..=66 => match pick(&mut random, &tags) {
                Some(id) => (
                    "PATCH",
                    format!("/api/v1/tags/{id}"),
                    json!({"name": format!("新标签{n}")}),
                ),
                None => continue,
            },
            67..=68 => match pick(&mut random, &tags) {
                Some(id) => {
                    tags.retain(|t| *t != id);
                    ("DELETE", format!("/api/v1/tags/{id}"), Value::Null)
                }
                None => continue,
            },
            69..=72 => (
                "POST",
                "/api/v1/categories".into(),
                json!({"name": format!("栏目{n}")}),
            ),
            73..=74 => match pick(&mut random, &categories) {
                Some(id) => (
                    "PATCH",
                    format!("/api/v1/categories/{id}"),
                    json!({"name": format!("新栏目{n}")}),
                ),
                None => continue,
            },
            75..=78 => (
                "POST",
                "/api/v1/authors".into(),
                json!({"name": format!("作者{n}")}),
            ),
            79..=80 => match pick(&mut random, &authors) {
                Some(id) => (
                    "PATCH",
                    format!("/api/v1/authors/{id}"),
                    json!({"name": format!("新作者{n}")}),
                ),
                None => continue,
            },
            81..=84 => (
                "POST",
                "/api/v1/links".into(),
                json!({"name": format!("友链{n}"), "url": format!("https://site{n}.example/")}),
            ),
            85..=86 => match pick(&mut random, &links) {
                Some(id) => (
                    "PATCH",
                    format!("/api/v1/links/{id}"),
                    json!({"approved": n % 2 == 0}),
                ),
                None => continue,
            },
            87 => match pick(&mut random, &links) {
                Some(id) => {
                    links.retain(|l| *l != id);
                    ("DELETE", format!("/api/v1/links/{id}"), Value::Null)
                }
                None => continue,
            },
            88..=92 => match pick(&mut random, &articles) {
                Some(id) => (
                    "POST",
                    "/api/v1/recommendations".into(),
                    json!({"slot": "editors-picks", "target_article": id}),
                ),
                None => continue,
            },
            93..=94 => match pick(&mut random, &recommendations) {
                Some(id) => {
                    recommendations.retain(|r| *r != id);
                    (
                        "DELETE",
                        format!("/api/v1/recommendations/{id}"),
                        Value::Null,
                    )
                }
                None => continue,
            },
            _ => (
                "PATCH",
                "/api/v1/site".into(),
                json!({"title": format!("网站{n}")}),
            ),
        };
        let who = if path.contains("purge") {
            &admin
        } else {
            &editor
        };
        let mut request = app
            .request(method.parse().expect("a method"), &path)
            .as_user(who);
        if !body.is_null() {
            request = request.json(&body);
        }
        let answer = request.send().await;
        assert!(
            answer.status.as_u16() < 500,
            "{method} {path}: {}",
            answer.text()
        );
        if method == "POST" && answer.status == 201 {
            let id = answer.json()["id"].as_str().expect("an id").to_owned();
            match path.as_str() {
                "/api/v1/articles" => articles.push(id),
                "/api/v1/tags" => tags.push(id),
                "/api/v1/categories" => categories.push(id),
                "/api/v1/authors" => authors.push(id),
                "/api/v1/links" => links.push(id),
                "/api/v1/recommendations" => recommendations.push(id),
                _ => {}
            }
        }
        if step == 60 {
            // One page of the first sync now, the rest while writes go on.
            let page = app
                .get("/api/v1/sync?full=true&per_page=5")
                .send()
                .await
                .json();
            copy.apply(&page["data"]);
            copy.token = page["meta"]["next_page_token"].as_str().map(str::to_owned);
            assert!(copy.token.is_some(), "more than one page");
        } else if step > 60 && !first_done && step % 5 == 0 {
            let token = copy.token.clone().expect("a token");
            let page = app
                .get(&format!(
                    "/api/v1/sync?full=true&per_page=5&sync_token={token}"
                ))
                .send()
                .await
                .json();
            copy.apply(&page["data"]);
            match page["meta"]["next_page_token"].as_str() {
                Some(next) => copy.token = Some(next.to_owned()),
                None => {
                    copy.token = page["meta"]["next_sync_token"].as_str().map(str::to_owned);
                    first_done = true;
                }
            }
        } else if first_done && step % 17 == 0 {
            copy.sync(&app, "full=true&per_page=7").await;
        }
    }
    if !first_done {
        copy.sync(&app, "full=true&per_page=5").await;
    }
    copy.sync(&app, "full=true&per_page=7").await;
    assert!(
        copy.items.keys().filter(|(k, _)| k == "article").count() > 3,
        "{:?}",
        copy.items.keys()
    );
    served(&app, &copy).await;

    // A new first sync gives the same items, counts aside.
    let mut fresh = Copy::default();
    fresh.sync(&app, "full=true&per_page=50").await;
    let keys = |copy: &Copy| copy.items.keys().cloned().collect::<Vec<_>>();
    assert_eq!(keys(&copy), keys(&fresh));
}

#[actix_web::test]
async fn an_article_pulled_before_its_time_is_never_announced_and_one_readers_saw_always_is() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let editor = app.user(&admin, "editor").await;
    let later = (Utc::now() + TimeDelta::hours(2)).to_rfc3339();
    let soon = (Utc::now() + TimeDelta::milliseconds(600)).to_rfc3339();
    let mut ids = BTreeMap::new();
    for (name, at) in [
        ("embargo-trashed", Some(&later)),
        ("embargo-unpublished", Some(&later)),
        ("embargo-purged", Some(&later)),
        ("came-due", Some(&soon)),
        ("published-purged", None),
    ] {
        let made = post(
            &app,
            &editor,
            "/api/v1/articles",
            json!({"title": name, "slug": name, "body": "正文"}),
        )
        .await;
        let id = made["id"].as_str().expect("an id").to_owned();
        let body = at.map_or(json!({}), |at| json!({"published_at": at}));
        let published = app
            .post(&format!("/api/v1/articles/{id}/publish"))
            .as_user(&editor)
            .json(&body)
            .send()
            .await;
        assert_eq!(published.status, 200, "{}", published.text());
        ids.insert(name, id);
    }
    let mut copy = Copy::default();
    copy.sync(&app, "").await;
    // Live by the clock, before the scheduler marks it: readers may have it now.
    actix_web::rt::time::sleep(std::time::Duration::from_millis(800)).await;
    let read = app.get("/api/v1/articles/came-due").send().await;
    assert_eq!(read.status, 200, "{}", read.text());

    let remove = |path: String, who: &Session| {
        let request = app.delete(&path).as_user(who);
        async move { assert_eq!(request.send().await.status, 204, "{path}") }
    };
    remove(
        format!("/api/v1/articles/{}", ids["embargo-trashed"]),
        &editor,
    )
    .await;
    let unpublished = app
        .post(&format!(
            "/api/v1/articles/{}/unpublish",
            ids["embargo-unpublished"]
        ))
        .as_user(&editor)
        .send()
        .await;
    assert_eq!(unpublished.status, 200, "{}", unpublished.text());
    for purged in ["embargo-purged", "published-purged"] {
        remove(format!("/api/v1/articles/{}", ids[purged]), &editor).await;
        remove(
            format!("/api/v1/articles/{}?purge=true", ids[purged]),
            &admin,
        )
        .await;
    }
    remove(format!("/api/v1/articles/{}", ids["came-due"]), &editor).await;

    let changes = copy.sync(&app, "").await;
    let mentioned: Vec<&str> = changes
        .iter()
        .filter_map(|e| e["slug"].as_str().or(e["item"]["slug"].as_str()))
        .collect();
    let tombstones: Vec<&str> = changes
        .iter()
        .filter(|e| e["op"] == "delete" && e["kind"] == "article")
        .filter_map(|e| e["slug"].as_str())
        .collect();
    assert_eq!(
        tombstones,
        ["published-purged", "came-due"],
        "only articles readers may have seen: {changes:?}"
    );
    for embargoed in ["embargo-trashed", "embargo-unpublished", "embargo-purged"] {
        assert!(!mentioned.contains(&embargoed), "{embargoed}: {changes:?}");
        assert!(
            !changes.iter().any(|e| e["id"] == ids[embargoed].as_str()),
            "{embargoed}: {changes:?}"
        );
    }
}
