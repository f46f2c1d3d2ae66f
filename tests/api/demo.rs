//! `masthead demo`, run as the real binary, then read back through the API.

use std::process::Command;

use serde_json::Value;

use crate::helpers::TestApp;

fn demo(app: &TestApp) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_masthead"))
        .arg("demo")
        .env_remove("MASTHEAD_JWT_SECRET")
        .env("DATABASE_URL", &app.db.url)
        .env("MASTHEAD_MEDIA_DIR", app.media.path())
        .env_remove("RUST_LOG")
        .output()
        .expect("the demo runs")
}

/// The password printed after `who` (`admin` or `editor`).
fn password(stdout: &str, who: &str) -> String {
    stdout
        .lines()
        .find_map(|line| {
            let mut words = line.split_whitespace();
            (words.next() == Some(who)).then(|| words.nth(1).map(str::to_owned))?
        })
        .unwrap_or_else(|| panic!("no {who} password in: {stdout}"))
}

#[actix_web::test]
async fn the_demo_portal_loads_once_and_reads_back_through_the_api() {
    let app = TestApp::spawn().await;
    let output = demo(&app);
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let everything = format!("{stdout}{}", String::from_utf8_lossy(&output.stderr));
    assert!(
        !everything.contains("POST /api/v1") && !everything.contains('\u{1b}'),
        "the summary alone, without access-log lines or terminal colours: {everything}"
    );
    let admin = app
        .login("admin@example.com", &password(&stdout, "admin"))
        .await;
    app.login("editor@example.com", &password(&stdout, "editor"))
        .await;

    // The seed article, with its four photos, their captions and credits.
    let seed = app
        .get("/api/v1/articles/yong-min-sheng-wen-du-biao-zhu-xing-fu-ke-du")
        .send()
        .await;
    assert_eq!(seed.status, 200, "{}", seed.text());
    let seed = seed.json();
    assert_eq!(seed["title"], "用民生“温度”标注幸福“刻度”");
    assert_eq!(seed["published_at"], "2023-11-16T06:48:00Z");
    assert_eq!(seed["tags"].as_array().map(Vec::len), Some(4));
    let html = seed["body_html"].as_str().expect("html");
    assert_eq!(html.matches("<figure>").count(), 4);
    for credit in ["朝鲁门 摄", "胡建华 摄", "美丽 摄", "王点石 摄"] {
        assert!(
            html.contains(&format!(r#"<span class="credit">{credit}</span>"#)),
            "{credit}"
        );
    }
    assert!(html.contains("“故事妈妈”志愿者"));
    let photo = html
        .split(r#"<img src=""#)
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("a photo URL");
    let served = app.get(photo).send().await;
    assert_eq!(
        (served.status.as_u16(), served.header("content-type")),
        (200, Some("image/jpeg"))
    );

    // A dozen more articles and a page, in at least four categories, with covers and teasers.
    let list = app
        .get("/api/v1/articles?per_page=100&include=category")
        .send()
        .await
        .json();
    let articles = list["data"].as_array().expect("articles");
    assert!(
        list["meta"]["total"].as_i64().is_some_and(|n| n >= 14),
        "{}",
        list["meta"]
    );
    let mut categories: Vec<&str> = articles
        .iter()
        .filter_map(|a| a["category"]["name"].as_str())
        .collect();
    categories.sort_unstable();
    categories.dedup();
    assert!(categories.len() >= 4, "{categories:?}");
    assert!(
        articles
            .iter()
            .all(|a| !a["excerpt"].as_str().unwrap_or_default().is_empty())
    );
    assert!(
        articles
            .iter()
            .filter(|a| a["kind"] == "post")
            .all(|a| a["cover_image"].is_string())
    );
    assert!(
        articles
            .iter()
            .any(|a| a["kind"] == "page" && a["title"] == "加入我们")
    );

    // The carousel and the ad.
    let hero = app.get("/api/v1/carousels/home-hero").send().await.json();
    assert_eq!(hero["slides"].as_array().map(Vec::len), Some(3));
    assert_eq!(hero["slides"][0]["article"]["id"], seed["id"]);
    assert!(
        hero["slides"][0]["image"]["variants"]
            .as_array()
            .is_some_and(|v| !v.is_empty())
    );
    let ad = app.get("/api/v1/carousels/sidebar-ad").send().await.json();
    assert_eq!(ad["slides"].as_array().map(Vec::len), Some(1));
    assert!(ad["fallback_slide"].is_string());

    // 相关推荐: curated first.
    let related = app
        .get(&format!(
            "/api/v1/articles/{}/related",
            seed["id"].as_str().unwrap_or_default()
        ))
        .send()
        .await
        .json();
    let reasons: Vec<&str> = related["data"]
        .as_array()
        .expect("related")
        .iter()
        .filter_map(|r| r["reason"].as_str())
        .collect();
    assert_eq!(&reasons[..3], &["curated", "curated", "curated"]);
    let picks = app
        .get("/api/v1/recommendations?slot=editors-picks")
        .send()
        .await
        .json();
    assert_eq!(picks["data"].as_array().map(Vec::len), Some(3));

    // Friend links and the site's own settings.
    let links = app.get("/api/v1/links").send().await.json();
    assert_eq!(
        crate::helpers::names(&links),
        vec!["中国扶贫网", "一带一路"]
    );
    let site = app.get("/api/v1/site").send().await.json();
    assert_eq!(site["title"], "三牛平台");
    assert!(
        site["copyright"]
            .as_str()
            .is_some_and(|c| c.contains("Copyright(C)2018-2025"))
    );
    assert_eq!(site["timezone"], "Asia/Shanghai");
    let me = app
        .get("/api/v1/auth/me")
        .as_user(&admin)
        .send()
        .await
        .json();
    assert_eq!(me["role"], "admin");

    // Only into an empty database.
    let again = demo(&app);
    assert!(!again.status.success());
    assert!(
        String::from_utf8_lossy(&again.stderr).contains("already has content"),
        "{}",
        String::from_utf8_lossy(&again.stderr)
    );
    let total: Value = app.get("/api/v1/articles").send().await.json()["meta"]["total"].clone();
    assert_eq!(
        total, list["meta"]["total"],
        "nothing was added the second time"
    );
}
