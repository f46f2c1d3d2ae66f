//! Two real `serve` processes on one database: what one commits, the other learns at once.

use std::{
    io::{Read, Write},
    net::TcpStream,
    time::{Duration, Instant},
};

use diesel::{Connection, PgConnection, RunQueryDsl, sql_query};
use serde_json::{Value, json};

use crate::{
    command_line::{search_dir, serve, terminate, wait_for_exit},
    helpers::{PASSWORD, TestDatabase, receiver::Receiver},
};

/// One HTTP/1.1 exchange: status and JSON body (null when empty).
pub(crate) fn call(
    address: &str,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<&Value>,
) -> (u16, Value) {
    let mut stream = TcpStream::connect(address).expect("connect");
    let body = body.map(Value::to_string).unwrap_or_default();
    let auth = token
        .map(|t| format!("Authorization: Bearer {t}\r\n"))
        .unwrap_or_default();
    let request = format!(
        "{method} {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n{auth}\
         Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).expect("send");
    let mut response = String::new();
    stream.read_to_string(&mut response).expect("read");
    let status = response[9..12].parse().expect("a status");
    let json = response
        .split_once("\r\n\r\n")
        .map(|(_, b)| b)
        .filter(|b| !b.is_empty())
        .map_or(Value::Null, |b| {
            serde_json::from_str(b).unwrap_or(Value::Null)
        });
    (status, json)
}

#[test]
fn a_write_through_one_process_reaches_the_others_cache_and_hooks_fire_once() {
    let db = TestDatabase::new();
    let env = [
        ("MASTHEAD_OUTBOUND", "loopback"),
        ("MASTHEAD_DB_POOL_SIZE", "3"),
        ("MASTHEAD_LOG_FORMAT", "json"),
    ];
    let (mut first, a, _logs_a) = serve(&db, &env);
    let (mut second, b, _logs_b) = serve(&db, &env);

    let token = admin_token(&a);
    let token = Some(token.as_str());

    // The second process caches the tag for up to a minute now that it follows changes.
    let (status, _) = call(
        &a,
        "POST",
        "/api/v1/tags",
        token,
        Some(&json!({"name": "医保", "slug": "yi-bao"})),
    );
    assert_eq!(status, 201);
    for _ in 0..2 {
        let (status, tag) = call(&b, "GET", "/api/v1/tags/yi-bao", None, None);
        assert_eq!((status, &tag["name"]), (200, &json!("医保")));
    }
    let (status, _) = call(
        &a,
        "PATCH",
        "/api/v1/tags/yi-bao",
        token,
        Some(&json!({"name": "医疗保险"})),
    );
    assert_eq!(status, 200);
    let changed = Instant::now();
    loop {
        let (_, tag) = call(&b, "GET", "/api/v1/tags/yi-bao", None, None);
        if tag["name"] == "医疗保险" {
            break;
        }
        assert!(
            changed.elapsed() < Duration::from_secs(1),
            "the other process still serves the old name"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    eprintln!(
        "the other process saw the change after {:?}",
        changed.elapsed()
    );

    // A change committed outside Masthead (a raw SQL session) is announced all the same: the
    // change log's trigger does it, not Masthead's code.
    let mut outside = PgConnection::establish(&db.url).expect("a connection");
    sql_query("UPDATE tags SET name = '医保改革' WHERE slug = 'yi-bao'")
        .execute(&mut outside)
        .expect("renamed");
    let heard = within(
        Duration::from_secs(2),
        "the raw change reaches the cache",
        || call(&b, "GET", "/api/v1/tags/yi-bao", None, None).1["name"] == "医保改革",
    );
    eprintln!("a change made outside Masthead was heard after {heard:?}");

    // A hook made through one process; an article published through the other. Both workers
    // run; the receiver gets each event once.
    let receiver = Receiver::start(None);
    let (status, hook) = call(
        &a,
        "POST",
        "/api/v1/webhooks",
        token,
        Some(&json!({"url": receiver.url("/revalidate"), "events": ["article.published"]})),
    );
    assert_eq!(status, 201, "{hook}");
    receiver.set_secret(hook["secret"].as_str().expect("a secret").to_owned());
    let mut latencies = Vec::new();
    for n in 0..5 {
        let (status, article) = call(
            &b,
            "POST",
            "/api/v1/articles",
            token,
            Some(&json!({"title": format!("稿件 {n}"), "body": "x"})),
        );
        assert_eq!(status, 201);
        let path = format!(
            "/api/v1/articles/{}/publish",
            article["id"].as_str().expect("an id")
        );
        let (status, _) = call(&b, "POST", &path, token, Some(&json!({})));
        let committed = Instant::now();
        assert_eq!(status, 200);
        let calls = receiver.wait_for(n + 1, Duration::from_secs(5));
        assert_eq!(calls.len(), n + 1, "delivered within 5 s");
        latencies.push(calls[n].at.saturating_duration_since(committed));
        assert_eq!(calls[n].path, "/revalidate");
        assert_eq!(calls[n].signature_valid, Some(true));
    }
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(receiver.received().len(), 5, "no event was sent twice");
    eprintln!("commit to receiver: {latencies:?}");

    for child in [&mut first, &mut second] {
        terminate(child);
        assert!(wait_for_exit(child).success());
    }
}

/// The first admin, made through `address`: their access token.
pub(crate) fn admin_token(address: &str) -> String {
    let (status, tokens) = call(
        address,
        "POST",
        "/api/v1/auth/setup",
        None,
        Some(&json!({"email": "admin@example.com", "password": PASSWORD, "name": "管理员"})),
    );
    assert_eq!(status, 201, "{tokens}");
    tokens["access_token"].as_str().expect("a token").to_owned()
}

/// Anonymous search through `address` for `word`: the titles found.
fn found_titles(address: &str, word: &str) -> Vec<String> {
    let (status, list) = call(
        address,
        "GET",
        &format!("/api/v1/search?q={word}"),
        None,
        None,
    );
    assert_eq!(status, 200, "{list}");
    list["data"]
        .as_array()
        .expect("hits")
        .iter()
        .map(|hit| {
            hit["article"]["title"]
                .as_str()
                .unwrap_or_default()
                .to_owned()
        })
        .collect()
}

/// Waits up to `limit` for `done`; how long it took.
fn within(limit: Duration, what: &str, mut done: impl FnMut() -> bool) -> Duration {
    let started = Instant::now();
    while !done() {
        assert!(started.elapsed() < limit, "{what} within {limit:?}");
        std::thread::sleep(Duration::from_millis(20));
    }
    started.elapsed()
}

#[test]
fn each_process_keeps_its_own_search_index_current_from_the_change_log() {
    let db = TestDatabase::new();
    let dir_a = search_dir();
    let dir_b = search_dir();
    let env_a = [("MASTHEAD_SEARCH_DIR", dir_a.as_str())];
    let env_b = [("MASTHEAD_SEARCH_DIR", dir_b.as_str())];
    let (mut first, a, _logs_a) = serve(&db, &env_a);
    let (mut second, b, _logs_b) = serve(&db, &env_b);

    // A second process on a directory in use refuses to start, naming the setting.
    let refused = std::process::Command::new(env!("CARGO_BIN_EXE_masthead"))
        .args(["serve", "--bind", "127.0.0.1:0"])
        .env("DATABASE_URL", &db.url)
        .env("MASTHEAD_JWT_SECRET", crate::helpers::SECRET)
        .env("MASTHEAD_SEARCH_DIR", &dir_a)
        .output()
        .expect("runs");
    assert!(!refused.status.success());
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(
        stderr.contains("MASTHEAD_SEARCH_DIR") && stderr.contains(&dir_a),
        "{stderr}"
    );

    let token = admin_token(&a);
    let token = Some(token.as_str());

    // Published through one process, found through the other within 2 s.
    let (status, article) = call(
        &a,
        "POST",
        "/api/v1/articles",
        token,
        Some(&json!({"title": "Grassland festival opens", "body": "Horse racing and wrestling."})),
    );
    assert_eq!(status, 201, "{article}");
    let id = article["id"].as_str().expect("an id").to_owned();
    assert!(
        found_titles(&b, "grassland").is_empty(),
        "a draft is not found"
    );
    let (status, _) = call(
        &a,
        "POST",
        &format!("/api/v1/articles/{id}/publish"),
        token,
        Some(&json!({})),
    );
    assert_eq!(status, 200);
    let seen = within(Duration::from_secs(2), "the other process finds it", || {
        found_titles(&b, "grassland") == ["Grassland festival opens"]
    });
    eprintln!("published through one process, found through the other after {seen:?}");
    assert_eq!(found_titles(&a, "grassland"), ["Grassland festival opens"]);

    // Trashed through the second: gone from both.
    let (status, _) = call(&b, "DELETE", &format!("/api/v1/articles/{id}"), token, None);
    assert_eq!(status, 204);
    assert!(
        found_titles(&b, "grassland").is_empty(),
        "the writer's own next search"
    );
    let gone = within(Duration::from_secs(2), "gone from the first", || {
        found_titles(&a, "grassland").is_empty()
    });
    eprintln!("trashed through one process, gone from the other after {gone:?}");

    // A process that was stopped catches up from the change log when it starts again.
    terminate(&second);
    assert!(wait_for_exit(&mut second).success());
    let (status, _) = call(
        &a,
        "POST",
        &format!("/api/v1/articles/{id}/restore"),
        token,
        None,
    );
    assert_eq!(status, 200);
    let (mut second, b, _logs_b) = serve(&db, &env_b);
    within(
        Duration::from_secs(5),
        "the restarted process is ready",
        || call(&b, "GET", "/readyz", None, None).0 == 200,
    );
    assert_eq!(found_titles(&b, "grassland"), ["Grassland festival opens"]);

    for child in [&mut first, &mut second] {
        terminate(child);
        assert!(wait_for_exit(child).success());
    }
    for dir in [dir_a, dir_b] {
        let _ = std::fs::remove_dir_all(dir);
    }
}

#[test]
fn an_index_kept_from_another_database_is_built_anew_from_this_one() {
    let kept = search_dir();
    // The same steps on two databases: their change logs end at the same number, so only which
    // database wrote it tells the kept index apart.
    let publish_one = |db: &TestDatabase, dir: &str, title: &str, word: &str| {
        let (mut process, address, _logs) = serve(db, &[("MASTHEAD_SEARCH_DIR", dir)]);
        let token = admin_token(&address);
        let id = crate::events::article(&address, &token, title);
        crate::events::publish(&address, &token, &id);
        within(Duration::from_secs(2), "the article is found", || {
            found_titles(&address, word) == [title]
        });
        terminate(&process);
        assert!(wait_for_exit(&mut process).success());
    };
    let first = TestDatabase::new();
    publish_one(&first, &kept, "Grassland festival opens", "grassland");
    let second = TestDatabase::new();
    let elsewhere = search_dir();
    publish_one(&second, &elsewhere, "Desert marathon starts", "desert");

    let (mut process, address, _logs) = serve(&second, &[("MASTHEAD_SEARCH_DIR", kept.as_str())]);
    within(Duration::from_secs(5), "ready", || {
        call(&address, "GET", "/readyz", None, None).0 == 200
    });
    assert!(
        found_titles(&address, "grassland").is_empty(),
        "nothing of the other database is served"
    );
    assert_eq!(found_titles(&address, "desert"), ["Desert marathon starts"]);
    terminate(&process);
    assert!(wait_for_exit(&mut process).success());
    for dir in [kept, elsewhere] {
        let _ = std::fs::remove_dir_all(dir);
    }
}
