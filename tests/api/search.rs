use std::collections::HashMap;

use actix_web::http::StatusCode;
use serde_json::{Value, json};

use crate::{
    corpus,
    helpers::{Session, TestApp},
};

pub async fn create(app: &TestApp, as_user: &Session, body: Value) -> String {
    let response = app
        .post("/api/v1/articles")
        .as_user(as_user)
        .json(&body)
        .send()
        .await;
    assert_eq!(response.status, StatusCode::CREATED, "{}", response.text());
    response.json()["id"].as_str().expect("an id").to_owned()
}

pub async fn publish(app: &TestApp, as_user: &Session, id: &str) {
    let response = app
        .post(&format!("/api/v1/articles/{id}/publish"))
        .as_user(as_user)
        .send()
        .await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.text());
}

/// A published article; its id.
pub async fn published(app: &TestApp, as_user: &Session, body: Value) -> String {
    let id = create(app, as_user, body).await;
    publish(app, as_user, &id).await;
    id
}

/// The corpus, published through the API; article id → topic.
pub async fn load_corpus(app: &TestApp, editor: &Session) -> HashMap<String, &'static str> {
    let mut topics = HashMap::new();
    for (topic, title, body) in corpus::ARTICLES {
        let id = published(app, editor, json!({"title": title, "body": body})).await;
        topics.insert(id, *topic);
    }
    topics
}

async fn search(app: &TestApp, query: &str) -> Value {
    let response = app.get(&format!("/api/v1/search?{query}")).send().await;
    assert_eq!(
        response.status,
        StatusCode::OK,
        "{query}: {}",
        response.text()
    );
    response.json()
}

fn titles(list: &Value) -> Vec<&str> {
    list["data"]
        .as_array()
        .expect("a list")
        .iter()
        .map(|hit| hit["article"]["title"].as_str().expect("a title"))
        .collect()
}

fn encode(text: &str) -> String {
    text.bytes().map(|b| format!("%{b:02X}")).collect()
}

#[actix_web::test]
async fn each_topic_of_a_chinese_corpus_finds_its_own_articles() {
    let app = TestApp::spawn().await;
    let editor = app.editor().await;
    let topics = load_corpus(&app, &editor).await;
    let topic_of = |hit: &Value| topics[hit["article"]["id"].as_str().expect("an id")];

    for (topic, query) in corpus::QUERIES {
        let list = search(&app, &format!("q={}", encode(query))).await;
        let hits = list["data"].as_array().expect("hits");
        assert!(hits.len() >= 3, "{query}: {}", list);
        let top: Vec<&str> = hits.iter().take(3).map(topic_of).collect();
        assert_eq!(top, [*topic; 3], "{query}: {:?}", titles(&list));
        let first = &hits[0];
        assert!(
            first["snippet"]
                .as_str()
                .is_some_and(|s| s.contains("<mark>")),
            "{first}"
        );
        let score = first["score"].as_f64().expect("a score");
        assert!(score > 0.0 && score <= 1.0, "{score}");
        assert!(
            hits.windows(2)
                .all(|w| w[0]["score"].as_f64() >= w[1]["score"].as_f64()),
            "best first: {list}"
        );
    }

    // Related: every article's first related one is of its topic, and so are at least 4 in 5
    // of the first three (short briefs on neighbouring topics, such as raising the 低保 standard and
    // raising orphans' allowances, may share a keyword or two). Random picks would score 1 in 5.
    let mut on_topic: HashMap<&str, (usize, usize)> = HashMap::new();
    for (id, topic) in &topics {
        let response = app
            .get(&format!("/api/v1/articles/{id}/related?limit=3"))
            .send()
            .await;
        assert_eq!(response.status, StatusCode::OK, "{}", response.text());
        let list = response.json();
        let items = list["data"].as_array().expect("items");
        // A brief may share words with only two others; never with none.
        assert!(items.len() >= 2, "related to {id} ({topic}): {list}");
        assert!(
            items
                .iter()
                .all(|item| item["article"]["id"] != id.as_str())
        );
        assert_eq!(
            topic_of(&items[0]),
            *topic,
            "related to {id} ({topic}): {list}"
        );
        assert!(
            items[0]["reason"]
                .as_str()
                .is_some_and(|r| r.starts_with("keywords: ")),
            "{list}"
        );
        let entry = on_topic.entry(topic).or_default();
        entry.0 += items.iter().filter(|item| topic_of(item) == *topic).count();
        entry.1 += items.len();
    }
    for (topic, _) in corpus::QUERIES {
        let (hits, all) = on_topic[topic];
        eprintln!(
            "{topic}: search precision at 3 = 1.00, related precision at 3 = {:.2} ({hits} of {all})",
            hits as f64 / all as f64
        );
        assert!(
            hits * 5 >= all * 4,
            "{topic}: {hits} of {all} related articles on topic"
        );
    }
}

#[actix_web::test]
async fn a_title_match_ranks_above_a_body_match_and_snippets_are_escaped() {
    let app = TestApp::spawn().await;
    let editor = app.editor().await;
    published(
        &app,
        &editor,
        json!({"title": "今日要闻", "body": "本市新闻汇总。文末提到 a < b & c 的贸易数据。"}),
    )
    .await;
    published(
        &app,
        &editor,
        json!({"title": "贸易数据发布", "body": "统计局发布月度数据。"}),
    )
    .await;
    let list = search(&app, &format!("q={}", encode("贸易"))).await;
    assert_eq!(titles(&list), ["贸易数据发布", "今日要闻"]);
    assert_eq!(list["meta"]["total"], 2);
    assert_eq!(
        list["data"][0]["snippet"], "<mark>贸易</mark>数据发布",
        "a title match shows the title"
    );
    let snippet = list["data"][1]["snippet"].as_str().expect("a snippet");
    assert!(snippet.contains("&lt; b &amp; c"), "{snippet}");
    assert!(snippet.contains("<mark>贸易</mark>"), "{snippet}");
    let without_marks = snippet.replace("<mark>", "").replace("</mark>", "");
    assert!(!without_marks.contains('<'), "{snippet}");
}

#[actix_web::test]
async fn drafts_are_found_by_staff_only() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let editor = app.user(&admin, "editor").await;
    let member = app.user(&admin, "member").await;
    published(
        &app,
        &editor,
        json!({"title": "养老院开放日", "body": "欢迎参观。"}),
    )
    .await;
    create(
        &app,
        &editor,
        json!({"title": "养老草稿", "body": "尚未发布的养老新闻。"}),
    )
    .await;
    let q = format!("q={}", encode("养老"));

    assert_eq!(titles(&search(&app, &q).await), ["养老院开放日"]);
    let as_member = app
        .get(&format!("/api/v1/search?{q}"))
        .as_user(&member)
        .send()
        .await;
    assert_eq!(titles(&as_member.json()), ["养老院开放日"]);
    let as_editor = app
        .get(&format!("/api/v1/search?{q}&status=draft"))
        .as_user(&editor)
        .send()
        .await;
    assert_eq!(titles(&as_editor.json()), ["养老草稿"]);
    app.get(&format!("/api/v1/search?{q}&status=draft"))
        .send()
        .await
        .problem(403);
    // Not even the fallback lets a draft through.
    let partial = search(&app, &format!("q={}", encode("草稿"))).await;
    assert_eq!(partial["meta"]["total"], 0, "{partial}");
}

#[actix_web::test]
async fn queries_without_words_are_bad_requests() {
    let app = TestApp::spawn().await;
    for query in [
        "",
        "q=",
        "q=%20%20",
        &format!("q={}", encode("，。！？")),
        &format!("q={}", encode("的")),
        &format!("q={}", "a".repeat(201)),
        "q=x&status=trashed",
        "q=x&per_page=0",
    ] {
        let response = app.get(&format!("/api/v1/search?{query}")).send().await;
        let problem = response.problem(400);
        assert!(problem["detail"].as_str().is_some(), "{query}");
    }
}

#[actix_web::test]
async fn latin_words_misspellings_and_partial_words_are_found() {
    let app = TestApp::spawn().await;
    let editor = app.editor().await;
    published(
        &app,
        &editor,
        json!({"title": "Government backs new trade corridor", "body": "Exporters in Inner Mongolia welcome the corridor."}),
    )
    .await;
    published(
        &app,
        &editor,
        json!({"title": "草原旅游季开幕", "body": "游客骑马。"}),
    )
    .await;
    for query in [
        "government",
        "GOVERNMENT",
        "exporters",
        "goverment",
        "govern",
        "草原",
        "旅",
    ] {
        let list = search(&app, &format!("q={}", encode(query))).await;
        assert_eq!(list["meta"]["total"], 1, "{query}: {list}");
    }
    let misspelt = search(&app, "q=goverment").await;
    assert_eq!(titles(&misspelt), ["Government backs new trade corridor"]);
    let none = search(&app, "q=zebra").await;
    assert_eq!(none["meta"]["total"], 0);
}

#[actix_web::test]
async fn the_index_follows_edits_revision_restores_and_tag_renames() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let editor = app.user(&admin, "editor").await;
    let tag = app
        .post("/api/v1/tags")
        .as_user(&editor)
        .json(&json!({"name": "那达慕"}))
        .send()
        .await
        .json();
    let id = published(
        &app,
        &editor,
        json!({"title": "草原旅游季开幕", "body": "游客骑马。", "tags": [tag["id"]]}),
    )
    .await;
    let total = |q: &'static str| {
        let app = &app;
        async move { search(app, &format!("q={}", encode(q))).await["meta"]["total"].clone() }
    };
    assert_eq!(total("那达慕").await, 1);

    // Another person's edit: a revision of its own rather than one folded into the first.
    let edited = app
        .patch(&format!("/api/v1/articles/{id}"))
        .as_user(&admin)
        .json(&json!({"title": "口岸通关提速", "body": "进出口货物通关时间缩短。"}))
        .send()
        .await;
    assert_eq!(edited.status, StatusCode::OK, "{}", edited.text());
    assert_eq!(total("草原").await, 0);
    assert_eq!(total("通关").await, 1);

    let restored = app
        .post(&format!("/api/v1/articles/{id}/revisions/1/restore"))
        .as_user(&editor)
        .send()
        .await;
    assert_eq!(restored.status, StatusCode::OK, "{}", restored.text());
    assert_eq!(total("草原").await, 1);
    assert_eq!(total("通关").await, 0);

    let renamed = app
        .patch(&format!("/api/v1/tags/{}", tag["id"].as_str().expect("id")))
        .as_user(&editor)
        .json(&json!({"name": "赛马节"}))
        .send()
        .await;
    assert_eq!(renamed.status, StatusCode::OK, "{}", renamed.text());
    assert_eq!(total("赛马节").await, 1);
    assert_eq!(total("那达慕").await, 0);
}

#[actix_web::test]
async fn the_article_list_filters_by_the_same_index() {
    let app = TestApp::spawn().await;
    let editor = app.editor().await;
    published(
        &app,
        &editor,
        json!({"title": "今日要闻", "body": "社区养老服务中心开业。"}),
    )
    .await;
    published(
        &app,
        &editor,
        json!({"title": "口岸通关提速", "body": "货物通关更快。"}),
    )
    .await;
    let list = app
        .get(&format!("/api/v1/articles?q={}", encode("养老服务")))
        .send()
        .await
        .json();
    assert_eq!(list["meta"]["total"], 1, "a body word is found: {list}");
    assert_eq!(list["data"][0]["title"], "今日要闻");
    app.get(&format!("/api/v1/articles?q={}", encode("，，")))
        .send()
        .await
        .problem(400);
}

#[actix_web::test]
async fn staff_search_the_trash_by_word_and_the_rest_of_the_list_without_it() {
    let app = TestApp::spawn().await;
    let editor = app.editor().await;
    let id = published(
        &app,
        &editor,
        json!({"title": "撤下的稿件", "body": "湿地保护区候鸟迁徙。"}),
    )
    .await;
    published(
        &app,
        &editor,
        json!({"title": "候鸟回来了", "body": "湿地保护区迎来候鸟。"}),
    )
    .await;
    let removed = app
        .delete(&format!("/api/v1/articles/{id}"))
        .as_user(&editor)
        .send()
        .await;
    assert_eq!(removed.status, 204);

    let titles = |list: &Value| -> Vec<String> {
        list["data"]
            .as_array()
            .expect("a list")
            .iter()
            .filter_map(|a| a["title"].as_str().map(str::to_owned))
            .collect()
    };
    let word = encode("候鸟");
    let trash = app
        .get(&format!("/api/v1/articles?status=trashed&q={word}"))
        .as_user(&editor)
        .send()
        .await;
    assert_eq!(trash.status, 200, "{}", trash.text());
    assert_eq!(titles(&trash.json()), ["撤下的稿件"]);
    let rest = app
        .get(&format!("/api/v1/articles?q={word}"))
        .as_user(&editor)
        .send()
        .await;
    assert_eq!(titles(&rest.json()), ["候鸟回来了"]);
    let anonymous = app.get(&format!("/api/v1/search?q={word}")).send().await;
    assert_eq!(anonymous.json()["meta"]["total"], 1);
}

#[actix_web::test]
async fn a_search_costs_the_same_few_statements_whatever_it_finds() {
    let app = TestApp::spawn().await;
    let editor = app.editor().await;
    for n in 0..5 {
        published(
            &app,
            &editor,
            json!({"title": format!("旅游新闻 {n}"), "body": "游客很多。"}),
        )
        .await;
    }
    // The first search after a write waits for the index to hold it (one statement more).
    search(&app, "q=prime").await;
    let mut costs = Vec::new();
    for query in ["q=3", &format!("q={}", encode("旅游"))] {
        let before = app.statements();
        let list = search(&app, query).await;
        costs.push((list["meta"]["total"].clone(), app.statements() - before));
    }
    assert_eq!(costs[0].0, 1);
    assert_eq!(costs[1].0, 5);
    assert_eq!(costs[0].1, costs[1].1, "{costs:?}");
    assert!(costs[0].1 <= 4, "{costs:?}");
}

#[actix_web::test]
async fn anonymous_callers_never_find_scheduled_trashed_or_taken_down_articles() {
    let app = TestApp::spawn().await;
    let editor = app.editor().await;
    let live = published(
        &app,
        &editor,
        json!({"title": "边境口岸夜市开张", "body": "夜市热闹。"}),
    )
    .await;
    let scheduled = create(
        &app,
        &editor,
        json!({"title": "口岸夜市预告", "body": "夜市将开。"}),
    )
    .await;
    let response = app
        .post(&format!("/api/v1/articles/{scheduled}/publish"))
        .as_user(&editor)
        .json(&json!({"published_at": "2999-01-01T00:00:00Z"}))
        .send()
        .await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.text());
    let trashed = published(
        &app,
        &editor,
        json!({"title": "夜市旧闻", "body": "夜市关闭。"}),
    )
    .await;
    let response = app
        .delete(&format!("/api/v1/articles/{trashed}"))
        .as_user(&editor)
        .send()
        .await;
    assert_eq!(response.status, StatusCode::NO_CONTENT);
    let taken_down = published(
        &app,
        &editor,
        json!({"title": "夜市限时活动", "body": "夜市活动。"}),
    )
    .await;
    let response = app
        .patch(&format!("/api/v1/articles/{taken_down}"))
        .as_user(&editor)
        .json(&json!({"unpublish_at": (chrono::Utc::now() + chrono::TimeDelta::seconds(1)).to_rfc3339()}))
        .send()
        .await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.text());
    tokio_sleep(1_200).await;

    let q = format!("q={}", encode("夜市"));
    let anonymous = search(&app, &q).await;
    assert_eq!(titles(&anonymous), ["边境口岸夜市开张"], "{anonymous}");
    // Neither through the loose fallback nor the article list's q.
    let loose = search(&app, &format!("q={}", encode("夜"))).await;
    assert_eq!(titles(&loose), ["边境口岸夜市开张"], "{loose}");
    let list = app
        .get(&format!("/api/v1/articles?{q}"))
        .send()
        .await
        .json();
    assert_eq!(list["meta"]["total"], 1, "{list}");
    // Related never shows them either.
    let related = app
        .get(&format!("/api/v1/articles/{live}/related"))
        .send()
        .await
        .json();
    let ids: Vec<&str> = related["data"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|i| i["article"]["id"].as_str())
        .collect();
    for hidden in [&scheduled, &trashed, &taken_down] {
        assert!(!ids.contains(&hidden.as_str()), "{related}");
    }
    // Staff see what is out of the trash.
    let staff = app
        .get(&format!("/api/v1/search?{q}"))
        .as_user(&editor)
        .send()
        .await
        .json();
    assert_eq!(staff["meta"]["total"], 3, "{staff}");
}

async fn tokio_sleep(ms: u64) {
    actix_web::rt::time::sleep(std::time::Duration::from_millis(ms)).await;
}

#[actix_web::test]
async fn search_filters_by_category_tag_kind_locale_and_time() {
    let app = TestApp::spawn().await;
    let editor = app.editor().await;
    let category = app
        .post("/api/v1/categories")
        .as_user(&editor)
        .json(&json!({"name": "经济", "slug": "jing-ji"}))
        .send()
        .await;
    assert_eq!(category.status, StatusCode::CREATED, "{}", category.text());
    let category = category.json()["id"].as_str().expect("an id").to_owned();
    let tag = app
        .post("/api/v1/tags")
        .as_user(&editor)
        .json(&json!({"name": "口岸", "slug": "kou-an"}))
        .send()
        .await;
    assert_eq!(tag.status, StatusCode::CREATED, "{}", tag.text());
    let tag = tag.json()["id"].as_str().expect("an id").to_owned();
    published(
        &app,
        &editor,
        json!({"title": "口岸贸易增长", "body": "贸易增长。", "category": category, "tags": [tag]}),
    )
    .await;
    published(
        &app,
        &editor,
        json!({"title": "贸易展览会", "body": "贸易往来。", "locale": "en", "kind": "page"}),
    )
    .await;
    let q = format!("q={}", encode("贸易"));
    assert_eq!(search(&app, &q).await["meta"]["total"], 2);
    for (filter, expected) in [
        ("category=jing-ji".to_owned(), vec!["口岸贸易增长"]),
        (format!("category={category}"), vec!["口岸贸易增长"]),
        ("tag=kou-an".to_owned(), vec!["口岸贸易增长"]),
        ("locale=en".to_owned(), vec!["贸易展览会"]),
        ("kind=page".to_owned(), vec!["贸易展览会"]),
        ("kind=post".to_owned(), vec!["口岸贸易增长"]),
        ("category=no-such-category".to_owned(), vec![]),
        ("published_after=2999-01-01T00:00:00Z".to_owned(), vec![]),
        (
            "published_before=2999-01-01T00:00:00Z".to_owned(),
            vec!["口岸贸易增长", "贸易展览会"],
        ),
    ] {
        let list = search(&app, &format!("{q}&{filter}")).await;
        let mut found = titles(&list);
        found.sort_unstable();
        assert_eq!(found, expected, "{filter}: {list}");
    }
    for bad in [
        "kind=poem",
        "published_after=yesterday",
        "published_before=2026-13-01",
    ] {
        let response = app.get(&format!("/api/v1/search?{q}&{bad}")).send().await;
        response.problem(400);
    }
}

#[actix_web::test]
async fn traditional_characters_and_pinyin_find_simplified_articles() {
    let app = TestApp::spawn().await;
    let editor = app.editor().await;
    published(
        &app,
        &editor,
        json!({"title": "社区养老服务中心开业", "body": "老人助餐。"}),
    )
    .await;
    published(
        &app,
        &editor,
        json!({"title": "護理員技能比賽", "body": "養老機構護理員參賽。"}),
    )
    .await;
    published(
        &app,
        &editor,
        json!({"title": "Yanglao policy explained", "body": "An English brief."}),
    )
    .await;

    // A traditional query finds simplified text, and a simplified one traditional text.
    let traditional = search(&app, &format!("q={}", encode("養老"))).await;
    assert_eq!(traditional["meta"]["total"], 2, "{traditional}");
    let simplified = search(&app, &format!("q={}", encode("护理员"))).await;
    assert_eq!(titles(&simplified), ["護理員技能比賽"], "{simplified}");
    assert!(
        simplified["data"][0]["snippet"]
            .as_str()
            .is_some_and(|s| s.contains("<mark>護理員</mark>")),
        "{simplified}"
    );
    // Pinyin finds 养老, below the article that has the word itself.
    for query in ["yanglao", "yang%20lao"] {
        let list = search(&app, &format!("q={query}")).await;
        let found = titles(&list);
        assert_eq!(
            found.first(),
            Some(&"Yanglao policy explained"),
            "{query}: {list}"
        );
        assert!(found.contains(&"社区养老服务中心开业"), "{query}: {list}");
        // The words the pinyin spelled are marked, as written.
        for (title, marked) in [
            ("社区养老服务中心开业", "<mark>养老</mark>"),
            ("護理員技能比賽", "<mark>養老</mark>"),
        ] {
            let hit = list["data"]
                .as_array()
                .and_then(|hits| hits.iter().find(|h| h["article"]["title"] == title))
                .unwrap_or_else(|| panic!("{query}: {title} in {list}"));
            let snippet = hit["snippet"].as_str().unwrap_or_default();
            assert!(snippet.contains(marked), "{query}: {snippet}");
        }
    }
}

#[actix_web::test]
async fn until_the_index_has_caught_up_search_and_readiness_answer_503() {
    let app = TestApp::spawn_unindexed(|_| {}).await;
    for path in ["/readyz", "/api/v1/search?q=x", "/api/v1/articles?q=x"] {
        let response = app.get(path).send().await;
        response.problem(503);
        assert!(response.header("retry-after").is_some(), "{path}");
    }
    masthead::search::indexer::start(app.state()).expect("the index opens");
    app.search_ready().await;
    assert_eq!(app.get("/readyz").send().await.status, StatusCode::OK);
    assert_eq!(search(&app, "q=x").await["meta"]["total"], 0);
}
