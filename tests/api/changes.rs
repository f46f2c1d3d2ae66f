//! The change log under everything: who did what to which fields, cascades included, read in
//! commit order even when transactions overlap; and the audit trail built on it.

use actix_web::http::StatusCode;
use chrono::{TimeDelta, Utc};
use diesel::{Connection, PgConnection, RunQueryDsl, sql_query};
use masthead::changes;
use serde_json::{Value, json};

use crate::helpers::{PASSWORD, Session, TestApp};

async fn audit(app: &TestApp, admin: &Session, query: &str) -> Value {
    let response = app
        .get(&format!("/api/v1/audit?{query}"))
        .as_user(admin)
        .send()
        .await;
    assert_eq!(
        response.status,
        StatusCode::OK,
        "{query}: {}",
        response.text()
    );
    response.json()
}

fn actions(entries: &Value) -> Vec<&str> {
    entries["data"]
        .as_array()
        .expect("a list")
        .iter()
        .map(|e| e["action"].as_str().expect("an action"))
        .collect()
}

async fn created(app: &TestApp, session: &Session, path: &str, body: Value) -> Value {
    let response = app.post(path).as_user(session).json(&body).send().await;
    assert_eq!(
        response.status,
        StatusCode::CREATED,
        "{path}: {}",
        response.text()
    );
    response.json()
}

#[actix_web::test]
async fn an_articles_whole_life_is_recorded_step_by_step_with_its_actor() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let editor = app.user(&admin, "editor").await;
    let article = created(
        &app,
        &editor,
        "/api/v1/articles",
        json!({"title": "First", "body": "一。"}),
    )
    .await;
    let id = article["id"].as_str().expect("an id");
    let step = |path: &str| format!("/api/v1/articles/{id}{path}");
    // Another hand's edit makes a revision of its own (one's own quick edits fold into one).
    let edited = app
        .patch(&step(""))
        .as_user(&admin)
        .json(&json!({"body": "二。"}))
        .send()
        .await;
    assert_eq!(edited.status, StatusCode::OK, "{}", edited.text());
    for (method, path, body) in [
        ("PATCH", "", json!({"slug": "renamed"})),
        ("POST", "/publish", json!({})),
        ("POST", "/unpublish", json!({})),
        ("POST", "/archive", json!({})),
        ("POST", "/revisions/1/restore", json!({})),
        ("DELETE", "", json!(null)),
        ("POST", "/restore", json!({})),
    ] {
        let request = match method {
            "PATCH" => app.patch(&step(path)).json(&body),
            "DELETE" => app.delete(&step(path)),
            _ => app.post(&step(path)).json(&body),
        };
        let response = request.as_user(&editor).send().await;
        assert!(
            response.status.is_success(),
            "{method} {path}: {}",
            response.text()
        );
    }
    let purged = app
        .delete(&format!("{}?purge=true", step("")))
        .as_user(&admin)
        .send()
        .await;
    assert_eq!(purged.status, StatusCode::NO_CONTENT, "{}", purged.text());

    let trail = audit(&app, &admin, &format!("resource=article:{id}&per_page=100")).await;
    let mut steps = actions(&trail);
    steps.reverse();
    assert_eq!(
        steps,
        [
            "created",
            "updated",
            "slug_changed",
            "published",
            "unpublished",
            "archived",
            "revision_restored",
            "trashed",
            "restored",
            "deleted"
        ]
    );
    let entries = trail["data"].as_array().expect("entries");
    let by: Vec<&Value> = entries.iter().rev().map(|e| &e["actor"]["id"]).collect();
    let (editor_id, admin_id) = (json!(editor.user_id), json!(admin.user_id));
    assert_eq!(by[..2], [&editor_id, &admin_id]);
    assert!(by[2..9].iter().all(|id| **id == editor_id), "{by:?}");
    assert_eq!(by[9], &admin_id, "the purge");
    let renamed = &entries[entries.len() - 3];
    assert_eq!(
        renamed["changes"]["slug"],
        json!({"before": "first", "after": "renamed"})
    );
    let edited = &entries[entries.len() - 2];
    assert_eq!(
        edited["changes"]["body"],
        json!({"before": "一。", "after": "二。"})
    );
    assert_eq!(edited["changes"]["body_html"], json!({"derived": true}));
    assert!(
        edited["changes"].get("updated_at").is_none() && edited["changes"].get("version").is_none()
    );
}

#[actix_web::test]
async fn secrets_never_reach_the_log_and_keys_act_under_their_own_name() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let key = created(
        &app,
        &admin,
        "/api/v1/api-keys",
        json!({"name": "CI", "scope": "admin"}),
    )
    .await;
    let secret = key["key"].as_str().expect("the key");
    let tag = app
        .post("/api/v1/tags")
        .bearer(secret)
        .json(&json!({"name": "医保"}))
        .send()
        .await;
    assert_eq!(tag.status, StatusCode::CREATED);
    let changed = app
        .patch("/api/v1/auth/me")
        .as_user(&admin)
        .json(&json!({"current_password": PASSWORD, "password": "another long passphrase"}))
        .send()
        .await;
    assert_eq!(changed.status, StatusCode::OK, "{}", changed.text());
    let revoked = app
        .delete(&format!(
            "/api/v1/api-keys/{}",
            key["id"].as_str().expect("an id")
        ))
        .as_user(&admin)
        .send()
        .await;
    assert_eq!(revoked.status, StatusCode::NO_CONTENT);

    let by_key = audit(
        &app,
        &admin,
        &format!("actor=api_key:{}", key["id"].as_str().expect("id")),
    )
    .await;
    assert_eq!(actions(&by_key), ["created"]);
    assert_eq!(by_key["data"][0]["resource"], "tag");

    let everything = audit(&app, &admin, "per_page=100").await;
    let text = everything.to_string();
    assert!(!text.contains(secret), "the API key");
    assert!(!text.contains("argon2"), "a password hash");
    let key_entry = everything["data"]
        .as_array()
        .expect("entries")
        .iter()
        .find(|e| e["resource"] == "api_key" && e["action"] == "created")
        .expect("the key's creation");
    assert_eq!(key_entry["changes"]["key_hash"], json!({"redacted": true}));
    assert!(actions(&everything).contains(&"revoked"));
    assert!(actions(&everything).contains(&"password_changed"));
}

#[actix_web::test]
async fn what_the_database_changes_by_itself_is_recorded_with_the_actor_that_caused_it() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let editor = app.user(&admin, "editor").await;
    let source = created(
        &app,
        &editor,
        "/api/v1/articles",
        json!({"title": "Source", "body": "x"}),
    )
    .await;
    let target = created(
        &app,
        &editor,
        "/api/v1/articles",
        json!({"title": "Target", "body": "y"}),
    )
    .await;
    let pick = created(
        &app,
        &editor,
        "/api/v1/recommendations",
        json!({"slot": "related", "source_article": source["id"], "target_article": target["id"]}),
    )
    .await;
    let target_id = target["id"].as_str().expect("an id");
    app.delete(&format!("/api/v1/articles/{target_id}"))
        .as_user(&admin)
        .send()
        .await;
    let purged = app
        .delete(&format!("/api/v1/articles/{target_id}?purge=true"))
        .as_user(&admin)
        .send()
        .await;
    assert_eq!(purged.status, StatusCode::NO_CONTENT, "{}", purged.text());

    let trail = audit(
        &app,
        &admin,
        &format!(
            "resource=recommendation:{}",
            pick["id"].as_str().expect("id")
        ),
    )
    .await;
    assert_eq!(actions(&trail), ["deleted", "created"]);
    assert_eq!(
        trail["data"][0]["actor"]["id"],
        json!(admin.user_id),
        "the purge's actor"
    );
}

#[actix_web::test]
async fn a_transaction_that_commits_late_is_read_after_those_that_committed_first() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let tag = created(&app, &admin, "/api/v1/tags", json!({"name": "slow"})).await;
    let mut reader = PgConnection::establish(&app.db.url).expect("a connection");
    let start = changes::queries::latest(&mut reader).expect("the latest");

    // A long transaction writes first and holds on...
    let mut slow = PgConnection::establish(&app.db.url).expect("a connection");
    sql_query("BEGIN").execute(&mut slow).expect("begin");
    sql_query(format!(
        "UPDATE tags SET name = 'slow, renamed' WHERE id = '{}'",
        tag["id"].as_str().expect("id")
    ))
    .execute(&mut slow)
    .expect("update");

    // ...while a short one commits. Its change is readable at once: nobody waits for the long one.
    created(&app, &admin, "/api/v1/tags", json!({"name": "fast"})).await;
    let seen = changes::queries::after(&mut reader, start, 100).expect("changes");
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].action, "created");
    let fast = seen[0].number();

    sql_query("COMMIT").execute(&mut slow).expect("commit");
    let later = changes::queries::after(&mut reader, fast, 100).expect("changes");
    assert_eq!(
        later.len(),
        1,
        "the late commit comes after the cursor, not behind it"
    );
    assert_eq!(later[0].action, "updated");
    assert!(later[0].number() > fast);
    assert!(later[0].at >= seen[0].at, "numbered when it committed");
}

#[actix_web::test]
async fn a_transactions_changes_are_numbered_together_after_the_commits_it_waited_for() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let shared = created(&app, &admin, "/api/v1/tags", json!({"name": "shared"})).await;
    let own = created(&app, &admin, "/api/v1/tags", json!({"name": "own"})).await;
    let mut reader = PgConnection::establish(&app.db.url).expect("a connection");
    let start = changes::queries::latest(&mut reader).expect("the latest");
    let rename = |conn: &mut PgConnection, tag: &Value, name: &str| {
        sql_query(format!(
            "UPDATE tags SET name = '{name}' WHERE id = '{}'",
            tag["id"].as_str().expect("id")
        ))
        .execute(conn)
        .expect("update");
    };

    // The early transaction writes first; the late one renames the shared tag and commits;
    // only then can the early one rename it too.
    let mut early = PgConnection::establish(&app.db.url).expect("a connection");
    let mut late = PgConnection::establish(&app.db.url).expect("a connection");
    sql_query("BEGIN").execute(&mut early).expect("begin");
    rename(&mut early, &own, "own, early");
    sql_query("BEGIN").execute(&mut late).expect("begin");
    rename(&mut late, &shared, "shared, late");
    sql_query("COMMIT").execute(&mut late).expect("commit");
    rename(&mut early, &shared, "shared, early");
    sql_query("COMMIT").execute(&mut early).expect("commit");

    let seen = changes::queries::after(&mut reader, start, 100).expect("changes");
    let names: Vec<&str> = seen
        .iter()
        .map(|change| {
            change
                .after("name")
                .and_then(Value::as_str)
                .unwrap_or_default()
        })
        .collect();
    assert_eq!(names, ["shared, late", "own, early", "shared, early"]);
    assert_eq!(seen[1].tx, seen[2].tx);
    assert!(seen.windows(2).all(|w| w[1].number() == w[0].number() + 1));
}

#[actix_web::test]
async fn sign_ins_are_on_the_trail_with_address_and_agent_but_never_the_password() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let failed = app
        .post("/api/v1/auth/login")
        .header("user-agent", "curl/8.5")
        .with_peer("203.0.113.9:5123")
        .json(&json!({"email": "admin@example.com", "password": "wrong guess 12345"}))
        .send()
        .await;
    assert_eq!(failed.status, StatusCode::UNAUTHORIZED);
    let signed_in = app
        .post("/api/v1/auth/login")
        .header("user-agent", "Mozilla/5.0")
        .json(&json!({"email": "admin@example.com", "password": PASSWORD}))
        .send()
        .await;
    assert_eq!(signed_in.status, StatusCode::OK);

    let trail = audit(&app, &admin, "resource=user").await;
    let text = trail.to_string();
    assert!(!text.contains("wrong guess") && !text.contains(PASSWORD));
    let entries = trail["data"].as_array().expect("entries");
    let failure = entries
        .iter()
        .find(|e| e["action"] == "sign_in_failed")
        .expect("the failure");
    assert_eq!(failure["email"], "admin@example.com");
    assert_eq!(failure["address"], "203.0.113.9");
    assert_eq!(failure["user_agent"], "curl/8.5");
    assert_eq!(failure["actor"]["type"], "anonymous");
    let success = entries
        .iter()
        .find(|e| e["action"] == "sign_in")
        .expect("the sign-in");
    assert_eq!(success["actor"]["id"], json!(admin.user_id));
    assert_eq!(success["user_agent"], "Mozilla/5.0");

    let failures = audit(&app, &admin, "action=sign_in_failed").await;
    assert_eq!(failures["meta"]["total"], 1);
}

#[actix_web::test]
async fn the_trail_pages_by_cursor_filters_by_time_and_refuses_bad_filters() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    for n in 0..7 {
        created(
            &app,
            &admin,
            "/api/v1/tags",
            json!({"name": format!("tag {n}")}),
        )
        .await;
    }
    let whole = audit(&app, &admin, "resource=tag&per_page=100").await;
    assert_eq!(whole["meta"]["total"], 7);
    let mut paged = Vec::new();
    let mut query = "resource=tag&per_page=3".to_owned();
    loop {
        let page = audit(&app, &admin, &query).await;
        paged.extend(
            page["data"]
                .as_array()
                .expect("entries")
                .iter()
                .map(|e| e["id"].clone()),
        );
        match page["meta"]["next_cursor"].as_str() {
            Some(cursor) => query = format!("resource=tag&per_page=3&after={cursor}"),
            None => break,
        }
    }
    let all: Vec<Value> = whole["data"]
        .as_array()
        .expect("entries")
        .iter()
        .map(|e| e["id"].clone())
        .collect();
    assert_eq!(
        paged, all,
        "pages add up to the whole, newest first, nothing twice"
    );

    let future = (Utc::now() + TimeDelta::hours(1))
        .to_rfc3339()
        .replace('+', "%2B");
    assert_eq!(
        audit(&app, &admin, &format!("since={future}")).await["meta"]["total"],
        0
    );
    assert_eq!(
        audit(&app, &admin, &format!("until={future}&resource=tag")).await["meta"]["total"],
        7
    );

    for bad in [
        "actor=emperor",
        "resource=planet",
        "resource=tag:not-a-uuid",
        "after=garbage",
        "per_page=0",
        "since=yesterday",
    ] {
        let response = app
            .get(&format!("/api/v1/audit?{bad}"))
            .as_user(&admin)
            .send()
            .await;
        assert_eq!(response.status, StatusCode::BAD_REQUEST, "{bad}");
    }
}

#[actix_web::test]
async fn the_log_forgets_what_is_older_than_its_retention() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    created(&app, &admin, "/api/v1/tags", json!({"name": "old news"})).await;
    app.set_clock(Utc::now() + TimeDelta::days(30));
    let (changes, _, _) = changes::prune::prune(app.state()).await.expect("pruned");
    assert_eq!(changes, 0, "a month is within the default year");
    app.set_clock(Utc::now() + TimeDelta::days(366));
    let (changes, _, _) = changes::prune::prune(app.state()).await.expect("pruned");
    assert_eq!(changes, 0, "the webhook dispatcher has not read them yet");
    let state = app.state().clone();
    actix_web::rt::task::spawn_blocking(move || masthead::webhooks::worker::dispatch(&state))
        .await
        .expect("ran")
        .expect("dispatched");
    let (changes, sign_ins, _) = changes::prune::prune(app.state()).await.expect("pruned");
    assert!(changes >= 2, "the admin and the tag: {changes}");
    assert_eq!(sign_ins, 0);
    assert_eq!(
        audit(&app, &admin, "resource=tag").await["meta"]["total"],
        0
    );
}

#[actix_web::test]
async fn commits_are_announced_as_content_or_private() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let mut listener = PgConnection::establish(&app.db.url).expect("a connection");
    sql_query("LISTEN masthead_changes")
        .execute(&mut listener)
        .expect("listen");
    let heard = |listener: &mut PgConnection| -> Vec<String> {
        sql_query("SELECT 1")
            .execute(listener)
            .expect("a round trip");
        listener
            .notifications_iter()
            .map(|n| n.expect("a notification").payload)
            .collect()
    };
    heard(&mut listener);
    created(&app, &admin, "/api/v1/tags", json!({"name": "医保"})).await;
    assert_eq!(heard(&mut listener), ["content"]);
    created(
        &app,
        &admin,
        "/api/v1/api-keys",
        json!({"name": "CI", "scope": "content"}),
    )
    .await;
    assert_eq!(
        heard(&mut listener),
        ["private"],
        "readers see nothing new: caches stay"
    );
    let application = app
        .post("/api/v1/links/applications")
        .json(&json!({"name": "科尔沁旅游网", "url": "https://www.example.com", "contact_email": "webmaster@example.com"}))
        .send()
        .await;
    assert_eq!(
        application.status,
        StatusCode::ACCEPTED,
        "{}",
        application.text()
    );
    assert_eq!(heard(&mut listener), ["private"]);
}
