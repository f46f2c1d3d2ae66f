//! Webhooks against a real HTTP receiver on this machine: signatures a Standard Webhooks
//! library accepts, retries on the app's clock, 410 and a day of failures, races between
//! workers, and a scheduled article going live.

use std::time::Duration;

use actix_web::http::StatusCode;
use chrono::{TimeDelta, Utc};
use masthead::{
    db,
    state::AppState,
    webhooks::worker::{self, Outcome},
};
use serde_json::{Value, json};

use crate::helpers::{
    Session, TestApp,
    receiver::{Behaviour, Receiver},
};

/// A hook on `receiver` for `events`; the receiver then checks every signature.
async fn hook(app: &TestApp, admin: &Session, receiver: &Receiver, events: &[&str]) -> String {
    let created = app
        .post("/api/v1/webhooks")
        .as_user(admin)
        .json(&json!({
            "url": receiver.url("/hook"),
            "events": events,
            "description": "frontend revalidation",
            "headers": {"X-Revalidate-Token": "t0ken"},
        }))
        .send()
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text());
    let body = created.json();
    receiver.set_secret(body["secret"].as_str().expect("a secret").to_owned());
    body["id"].as_str().expect("an id").to_owned()
}

async fn article(app: &TestApp, editor: &Session, title: &str) -> Value {
    let created = app
        .post("/api/v1/articles")
        .as_user(editor)
        .json(&json!({"title": title, "body": "正文。"}))
        .send()
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text());
    created.json()
}

async fn publish(app: &TestApp, editor: &Session, id: &str, body: Value) -> Value {
    let published = app
        .post(&format!("/api/v1/articles/{id}/publish"))
        .as_user(editor)
        .json(&body)
        .send()
        .await;
    assert_eq!(published.status, StatusCode::OK, "{}", published.text());
    published.json()
}

/// A tag, whose creation is an event.
async fn tag(app: &TestApp, admin: &Session, name: &str) {
    let created = app
        .post("/api/v1/tags")
        .as_user(admin)
        .json(&json!({"name": name}))
        .send()
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text());
}

async fn deliveries(app: &TestApp, admin: &Session, hook: &str) -> Vec<Value> {
    let list = app
        .get(&format!("/api/v1/webhooks/{hook}/deliveries"))
        .as_user(admin)
        .send()
        .await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.text());
    list.json()["data"].as_array().expect("a list").clone()
}

#[actix_web::test]
async fn a_hook_shows_its_secret_once_and_creating_it_contacts_nothing() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let receiver = Receiver::start(None);
    let created = app
        .post("/api/v1/webhooks")
        .as_user(&admin)
        .json(&json!({"url": receiver.url("/hook"), "events": ["article.*", "*", "article.*"]}))
        .send()
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text());
    let body = created.json();
    let id = body["id"].as_str().expect("an id");
    assert!(
        body["secret"]
            .as_str()
            .expect("a secret")
            .starts_with("whsec_")
    );
    assert_eq!(body["events"], json!(["article.*", "*"]));
    assert_eq!(
        created.header("location"),
        Some(&*format!("/api/v1/webhooks/{id}"))
    );

    let read = app
        .get(&format!("/api/v1/webhooks/{id}"))
        .as_user(&admin)
        .send()
        .await;
    assert_eq!(read.status, StatusCode::OK);
    assert!(
        read.json().get("secret").is_none(),
        "the secret is shown once"
    );
    assert!(receiver.received().is_empty());

    let rotated = app
        .post(&format!("/api/v1/webhooks/{id}/rotate-secret"))
        .as_user(&admin)
        .send()
        .await;
    assert_eq!(rotated.status, StatusCode::OK);
    assert_ne!(rotated.json()["secret"], body["secret"]);
}

#[actix_web::test]
async fn bad_hook_input_is_refused_with_every_field_named() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let cases = [
        (
            json!({"url": "ftp://127.0.0.1/x", "events": ["nope"], "description": "长".repeat(501)}),
            vec!["url", "events", "description"],
        ),
        (
            json!({"url": "http://169.254.169.254/latest/meta-data/", "events": ["*"]}),
            vec!["url"],
        ),
        (
            json!({"url": "http://[::ffff:169.254.169.254]/", "events": ["*"]}),
            vec!["url"],
        ),
        (
            json!({"url": "http://10.0.0.7/hook", "events": ["*"]}),
            vec!["url"],
        ),
        (
            json!({"url": "http://0.0.0.0:3000/", "events": ["*"]}),
            vec!["url"],
        ),
        (
            json!({"url": "https://example.com/hook", "events": ["*"]}),
            vec!["url"],
        ),
        (
            json!({"url": "http://127.0.0.1/", "events": []}),
            vec!["events"],
        ),
        (
            json!({"url": "http://127.0.0.1/", "events": ["site.created"]}),
            vec!["events"],
        ),
        (
            json!({"url": "http://127.0.0.1/", "events": ["*"], "headers": {"Webhook-Id": "x"}}),
            vec!["headers"],
        ),
        (
            json!({"url": "http://127.0.0.1/", "events": ["*"], "headers": {"bad name": "x"}}),
            vec!["headers"],
        ),
        (
            json!({"url": "http://127.0.0.1/", "events": ["*"], "secret": "mine"}),
            vec!["secret"],
        ),
    ];
    for (body, fields) in cases {
        let response = app
            .post("/api/v1/webhooks")
            .as_user(&admin)
            .json(&body)
            .send()
            .await;
        assert_eq!(
            response.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{body}: {}",
            response.text()
        );
        let mut named: Vec<String> = response
            .field_errors()
            .into_iter()
            .map(|(f, _)| f)
            .collect();
        named.sort_unstable();
        let mut fields = fields;
        fields.sort_unstable();
        assert_eq!(named, fields, "{body}");
    }
    // Decimal and octal forms of a loopback address are loopback.
    for url in ["http://2130706433:9/", "http://0177.0.0.1:9/"] {
        let response = app
            .post("/api/v1/webhooks")
            .as_user(&admin)
            .json(&json!({"url": url, "events": ["*"]}))
            .send()
            .await;
        assert_eq!(
            response.status,
            StatusCode::CREATED,
            "{url}: {}",
            response.text()
        );
        assert_eq!(response.json()["url"], "http://127.0.0.1:9/");
    }
}

#[actix_web::test]
async fn a_public_only_server_refuses_loopback_hooks() {
    let app =
        TestApp::spawn_with(|config| config.outbound = "public".parse().expect("valid")).await;
    let admin = app.admin().await;
    let response = app
        .post("/api/v1/webhooks")
        .as_user(&admin)
        .json(&json!({"url": "http://127.0.0.1:3000/api/revalidate", "events": ["*"]}))
        .send()
        .await;
    assert_eq!(response.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(response.field_errors()[0].0, "url");
}

#[actix_web::test]
async fn only_admins_manage_hooks() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let editor = app.user(&admin, "editor").await;
    let body = json!({"url": "http://127.0.0.1:9/", "events": ["*"]});
    let anonymous = app.post("/api/v1/webhooks").json(&body).send().await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
    let as_editor = app
        .post("/api/v1/webhooks")
        .as_user(&editor)
        .json(&body)
        .send()
        .await;
    assert_eq!(as_editor.status, StatusCode::FORBIDDEN);
    let list = app.get("/api/v1/webhooks").as_user(&editor).send().await;
    assert_eq!(list.status, StatusCode::FORBIDDEN);
    let audit = app.get("/api/v1/audit").as_user(&editor).send().await;
    assert_eq!(audit.status, StatusCode::FORBIDDEN);
}

#[actix_web::test]
async fn publishing_sends_signed_events_with_the_paths_to_revalidate() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let receiver = Receiver::start(None);
    let hook_id = hook(&app, &admin, &receiver, &["article.*"]).await;
    let category = app
        .post("/api/v1/categories")
        .as_user(&admin)
        .json(&json!({"name": "民生", "slug": "min-sheng"}))
        .send()
        .await
        .json();
    let draft = article(&app, &admin, "用民生温度标注幸福刻度").await;
    let id = draft["id"].as_str().expect("an id");
    let patched = app
        .patch(&format!("/api/v1/articles/{id}"))
        .as_user(&admin)
        .json(&json!({"category": category["id"]}))
        .send()
        .await;
    assert_eq!(patched.status, StatusCode::OK, "{}", patched.text());
    publish(&app, &admin, id, json!({})).await;

    let outcomes = app.deliver_webhooks().await;
    assert_eq!(outcomes, vec![Outcome::Succeeded; 3]);
    let calls = receiver.wait_for(3, Duration::from_secs(5));
    let types: Vec<Value> = calls.iter().map(|c| c.json()["type"].clone()).collect();
    assert_eq!(
        types,
        [
            json!("article.created"),
            json!("article.updated"),
            json!("article.published")
        ]
    );
    for call in &calls {
        assert_eq!(call.signature_valid, Some(true), "{:?}", call.headers);
        assert!(
            call.header("webhook-id")
                .is_some_and(|id| id.starts_with("msg_"))
        );
        assert_eq!(call.header("x-revalidate-token"), Some("t0ken"));
        assert_eq!(call.header("content-type"), Some("application/json"));
    }
    let published = calls[2].json();
    let slug = "yong-min-sheng-wen-du-biao-zhu-xing-fu-ke-du";
    assert_eq!(published["data"]["slug"], slug);
    assert_eq!(
        published["data"]["url"],
        format!("http://localhost:3000/articles/{slug}")
    );
    assert_eq!(published["data"]["object"]["status"], "published");
    assert_eq!(published["data"]["actor"]["id"], json!(admin.user_id));
    let paths = published["data"]["paths"].as_array().expect("paths");
    for path in [
        &*format!("/articles/{slug}"),
        "/categories/min-sheng",
        "/",
        "/sitemap.xml",
        "/feed.xml",
    ] {
        assert!(paths.contains(&json!(path)), "{path} in {paths:?}");
    }
    // The receiver's answer is in the log.
    let log = deliveries(&app, &admin, &hook_id).await;
    assert_eq!(log.len(), 3);
    assert_eq!(log[0]["event"], "article.published");
    assert_eq!(log[0]["state"], "succeeded");
    assert_eq!(log[0]["attempts"][0]["response_status"], 200);
    assert_eq!(
        log[0]["message_id"],
        calls[2].header("webhook-id").expect("an id")
    );
}

#[actix_web::test]
async fn a_slug_change_and_a_purge_name_the_old_paths() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let receiver = Receiver::start(None);
    let draft = article(&app, &admin, "Old title").await;
    let id = draft["id"].as_str().expect("an id");
    publish(&app, &admin, id, json!({})).await;
    hook(
        &app,
        &admin,
        &receiver,
        &["article.updated", "article.deleted"],
    )
    .await;
    let renamed = app
        .patch(&format!("/api/v1/articles/{id}"))
        .as_user(&admin)
        .json(&json!({"slug": "new-title"}))
        .send()
        .await;
    assert_eq!(renamed.status, StatusCode::OK, "{}", renamed.text());
    let trashed = app
        .delete(&format!("/api/v1/articles/{id}"))
        .as_user(&admin)
        .send()
        .await;
    assert_eq!(trashed.status, StatusCode::NO_CONTENT);
    let purged = app
        .delete(&format!("/api/v1/articles/{id}?purge=true"))
        .as_user(&admin)
        .send()
        .await;
    assert_eq!(purged.status, StatusCode::NO_CONTENT, "{}", purged.text());

    app.deliver_webhooks().await;
    let calls = receiver.wait_for(2, Duration::from_secs(5));
    let renamed = calls[0].json();
    assert_eq!(renamed["type"], "article.updated");
    assert_eq!(renamed["data"]["slug"], "new-title");
    assert_eq!(renamed["data"]["previous_slug"], "old-title");
    let paths = renamed["data"]["paths"].as_array().expect("paths");
    assert!(
        paths.contains(&json!("/articles/old-title"))
            && paths.contains(&json!("/articles/new-title"))
    );
    let deleted = calls[1].json();
    assert_eq!(deleted["type"], "article.deleted");
    assert_eq!(deleted["data"]["object"], Value::Null);
    assert_eq!(deleted["data"]["slug"], "new-title");
    assert!(
        deleted["data"]["paths"]
            .as_array()
            .expect("paths")
            .contains(&json!("/articles/new-title"))
    );
    assert_eq!(
        calls.len(),
        2,
        "trashing fires article.trashed, which the hook did not ask for"
    );
}

#[actix_web::test]
async fn failed_calls_are_retried_with_backoff_sending_the_same_bytes() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let receiver = Receiver::start(None);
    receiver.set_behaviour(Behaviour::Status(500));
    let hook_id = hook(&app, &admin, &receiver, &["tag.created"]).await;
    tag(&app, &admin, "医保").await;

    let start = Utc::now();
    app.set_clock(start);
    let first = app.deliver_webhooks().await;
    let [Outcome::Retry(next)] = first[..] else {
        panic!("one retry, not {first:?}");
    };
    let wait = (next - start).num_milliseconds();
    assert!(
        (27_000..=33_000).contains(&wait),
        "first retry after 30 s ± 10%, not {wait} ms"
    );
    assert!(
        app.deliver_webhooks().await.is_empty(),
        "nothing is due before the retry"
    );

    app.set_clock(next + TimeDelta::seconds(1));
    let second = app.deliver_webhooks().await;
    let [Outcome::Retry(after_second)] = second[..] else {
        panic!("a second retry, not {second:?}");
    };
    let wait = (after_second - next).num_seconds();
    assert!(
        (100..=135).contains(&wait),
        "second retry after 2 min ± 10%, not {wait} s"
    );

    receiver.set_behaviour(Behaviour::Ok);
    app.set_clock(after_second + TimeDelta::seconds(1));
    assert_eq!(app.deliver_webhooks().await, [Outcome::Succeeded]);

    let calls = receiver.wait_for(3, Duration::from_secs(5));
    assert_eq!(calls.len(), 3);
    assert!(
        calls.iter().all(|c| c.body == calls[0].body),
        "every attempt sends the same bytes"
    );
    assert!(
        calls
            .iter()
            .all(|c| c.header("webhook-id") == calls[0].header("webhook-id"))
    );
    assert!(calls.iter().all(|c| c.signature_valid == Some(true)));

    let log = deliveries(&app, &admin, &hook_id).await;
    let statuses: Vec<Value> = log[0]["attempts"]
        .as_array()
        .expect("attempts")
        .iter()
        .map(|a| a["response_status"].clone())
        .collect();
    assert_eq!(statuses, [json!(500), json!(500), json!(200)]);
    assert_eq!(log[0]["state"], "succeeded");
    let hook = app
        .get(&format!("/api/v1/webhooks/{hook_id}"))
        .as_user(&admin)
        .send()
        .await
        .json();
    assert_eq!(
        hook["consecutive_failures"], 0,
        "a success ends the run of failures"
    );
}

#[actix_web::test]
async fn a_gone_receiver_turns_the_hook_off_and_the_audit_trail_says_so() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let receiver = Receiver::start(None);
    receiver.set_behaviour(Behaviour::Status(410));
    let hook_id = hook(&app, &admin, &receiver, &["tag.*"]).await;
    tag(&app, &admin, "医保").await;
    tag(&app, &admin, "养老").await;

    // The first call turns the hook off; the delivery claimed with it is given back untried.
    assert_eq!(
        app.deliver_webhooks().await,
        [Outcome::Disabled, Outcome::HookOff]
    );
    let hook = app
        .get(&format!("/api/v1/webhooks/{hook_id}"))
        .as_user(&admin)
        .send()
        .await
        .json();
    assert_eq!(hook["active"], false);
    assert_eq!(hook["disabled_reason"], "the receiver answered 410 Gone");
    assert_eq!(
        receiver.received().len(),
        1,
        "nothing more goes to a disabled hook"
    );

    let audit = app
        .get(&format!(
            "/api/v1/audit?resource=webhook:{hook_id}&action=disabled"
        ))
        .as_user(&admin)
        .send()
        .await;
    assert_eq!(audit.status, StatusCode::OK, "{}", audit.text());
    let entries = audit.json();
    assert_eq!(entries["meta"]["total"], 1);
    assert_eq!(entries["data"][0]["actor"]["type"], "system");
    assert_eq!(
        entries["data"][0]["changes"]["active"],
        json!({"before": true, "after": false})
    );

    // Turned on again, it gets what is still pending.
    receiver.set_behaviour(Behaviour::Ok);
    let enabled = app
        .patch(&format!("/api/v1/webhooks/{hook_id}"))
        .as_user(&admin)
        .json(&json!({"active": true}))
        .send()
        .await;
    assert_eq!(enabled.status, StatusCode::OK);
    assert_eq!(enabled.json()["disabled_reason"], Value::Null);
    assert_eq!(app.deliver_webhooks().await, [Outcome::Succeeded]);
    let log = deliveries(&app, &admin, &hook_id).await;
    assert_eq!(log.len(), 2);
    assert!(
        log.iter()
            .all(|d| d["attempts"].as_array().expect("attempts").len() == 1)
    );
}

#[actix_web::test]
async fn a_day_of_failures_ends_the_delivery_and_turns_the_hook_off() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let receiver = Receiver::start(None);
    receiver.set_behaviour(Behaviour::Status(503));
    let hook_id = hook(&app, &admin, &receiver, &["tag.*"]).await;
    tag(&app, &admin, "医保").await;

    let mut now = Utc::now();
    let mut outcomes = Vec::new();
    for _ in 0..worker::MAX_ATTEMPTS {
        app.set_clock(now);
        let outcome = app.deliver_webhooks().await;
        assert_eq!(outcome.len(), 1, "{outcome:?}");
        if let Outcome::Retry(next) = outcome[0] {
            now = next + TimeDelta::seconds(1);
        }
        outcomes.push(outcome[0]);
    }
    assert_eq!(outcomes.last(), Some(&Outcome::Disabled), "{outcomes:?}");
    assert_eq!(receiver.received().len(), 7);
    let log = deliveries(&app, &admin, &hook_id).await;
    assert_eq!(log[0]["state"], "failed");
    assert_eq!(log[0]["next_attempt_at"], Value::Null);
    let hook = app
        .get(&format!("/api/v1/webhooks/{hook_id}"))
        .as_user(&admin)
        .send()
        .await
        .json();
    assert_eq!(hook["active"], false);
}

#[actix_web::test]
async fn redeliver_and_ping_send_now() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let receiver = Receiver::start(None);
    let hook_id = hook(&app, &admin, &receiver, &["tag.created"]).await;
    let ping = app
        .post(&format!("/api/v1/webhooks/{hook_id}/ping"))
        .as_user(&admin)
        .send()
        .await;
    assert_eq!(ping.status, StatusCode::ACCEPTED, "{}", ping.text());
    tag(&app, &admin, "医保").await;
    assert_eq!(
        app.deliver_webhooks().await,
        [Outcome::Succeeded, Outcome::Succeeded]
    );

    let log = deliveries(&app, &admin, &hook_id).await;
    let tag_delivery = log
        .iter()
        .find(|d| d["event"] == "tag.created")
        .expect("a delivery");
    let again = app
        .post(&format!(
            "/api/v1/webhooks/{hook_id}/deliveries/{}/redeliver",
            tag_delivery["id"].as_str().expect("an id")
        ))
        .as_user(&admin)
        .send()
        .await;
    assert_eq!(again.status, StatusCode::ACCEPTED, "{}", again.text());
    assert_eq!(app.deliver_webhooks().await, [Outcome::Succeeded]);
    let calls = receiver.wait_for(3, Duration::from_secs(5));
    assert_eq!(calls[0].json()["type"], "ping");
    assert_eq!(calls[1].body, calls[2].body);
    assert_eq!(calls[1].header("webhook-id"), calls[2].header("webhook-id"));

    let unknown = app
        .post(&format!(
            "/api/v1/webhooks/{hook_id}/deliveries/{}/redeliver",
            uuid::Uuid::now_v7()
        ))
        .as_user(&admin)
        .send()
        .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
}

#[actix_web::test]
async fn two_workers_racing_for_deliveries_send_each_once() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let receiver = Receiver::start(None);
    hook(&app, &admin, &receiver, &["tag.created"]).await;
    for n in 0..12 {
        tag(&app, &admin, &format!("tag {n}")).await;
    }
    // A second process's worker: its own state and pool on the same database.
    let mut config = app.state().config.as_ref().clone();
    config.db_pool_size = 2;
    let other = actix_web::web::Data::new(AppState::new(config).expect("a state"));
    let mine = app.state().clone();
    worker::dispatch(&mine).expect("deliveries recorded");
    let workers = [mine, other].map(|state| {
        std::thread::spawn(move || {
            let mut sent = 0;
            // Small claims, so the two interleave.
            loop {
                let claimed = worker::claim(&state, 1).expect("claims");
                if claimed.is_empty() {
                    return sent;
                }
                for delivery in &claimed {
                    assert_eq!(
                        worker::deliver(&state, delivery).expect("recorded"),
                        Outcome::Succeeded
                    );
                    sent += 1;
                }
            }
        })
    });
    let sent: Vec<usize> = workers
        .into_iter()
        .map(|w| w.join().expect("a worker"))
        .collect();
    assert_eq!(sent.iter().sum::<usize>(), 12, "{sent:?}");
    let calls = receiver.wait_for(12, Duration::from_secs(5));
    let mut ids: Vec<&str> = calls
        .iter()
        .filter_map(|c| c.header("webhook-id"))
        .collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 12, "no delivery was sent twice");
}

#[actix_web::test]
async fn a_hanging_receiver_holds_up_no_other_hook() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let hanging = Receiver::start(None);
    hanging.set_behaviour(Behaviour::Hang);
    let healthy = Receiver::start(None);
    hook(&app, &admin, &hanging, &["tag.created"]).await;
    hook(&app, &admin, &healthy, &["tag.created"]).await;
    let worker = worker::spawn(app.state().clone()).expect("a worker");
    for n in 0..5 {
        tag(&app, &admin, &format!("tag {n}")).await;
        app.state().changes.heard_change();
    }
    let calls = healthy.wait_for(5, Duration::from_secs(5));
    assert_eq!(
        calls.len(),
        5,
        "the healthy hook got every event while the other hung"
    );
    assert!(
        hanging.received().len() <= 4,
        "at most four calls in flight to one hook"
    );
    app.state().changes.stop();
    hanging.set_behaviour(Behaviour::Ok);
    worker.join().expect("the worker stops");
}

#[actix_web::test]
async fn a_scheduled_article_fires_published_when_its_time_comes() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let receiver = Receiver::start(None);
    hook(&app, &admin, &receiver, &["article.published"]).await;
    let draft = article(&app, &admin, "Embargoed").await;
    let id = draft["id"].as_str().expect("an id");
    let at = Utc::now() + TimeDelta::milliseconds(1500);
    let scheduled = publish(&app, &admin, id, json!({"published_at": at})).await;
    assert_eq!(scheduled["status"], "scheduled");
    assert!(
        app.deliver_webhooks().await.is_empty(),
        "scheduling is not publishing"
    );

    actix_web::rt::time::sleep(Duration::from_millis(1600)).await;
    let published = db::run(&app.state().pool, |conn| {
        Ok(masthead::articles::queries::publish_due(conn)?)
    })
    .await
    .expect("the job ran");
    assert_eq!(published.len(), 1);
    assert_eq!(app.deliver_webhooks().await, [Outcome::Succeeded]);
    let call = &receiver.wait_for(1, Duration::from_secs(5))[0];
    let body = call.json();
    assert_eq!(body["type"], "article.published");
    assert_eq!(body["data"]["actor"]["type"], "system");
    assert_eq!(body["data"]["object"]["status"], "published");
}

#[actix_web::test]
async fn an_article_created_published_fires_created_and_published() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let live_only = Receiver::start(None);
    hook(&app, &admin, &live_only, &["article.published"]).await;
    let every_article_event = Receiver::start(None);
    hook(&app, &admin, &every_article_event, &["article.*"]).await;
    let created = app
        .post("/api/v1/articles")
        .as_user(&admin)
        .json(&json!({"title": "即时发布", "body": "正文。", "status": "published"}))
        .send()
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text());
    let draft = article(&app, &admin, "草稿").await;

    assert_eq!(app.deliver_webhooks().await, [Outcome::Succeeded; 4]);
    let heard = live_only.wait_for(1, Duration::from_secs(5));
    assert_eq!(heard.len(), 1, "the draft is not published");
    let body = heard[0].json();
    assert_eq!(body["type"], "article.published");
    assert_eq!(body["data"]["id"], created.json()["id"]);
    assert_eq!(body["data"]["object"]["status"], "published");
    let mut events: Vec<(String, String)> = every_article_event
        .wait_for(3, Duration::from_secs(5))
        .iter()
        .map(|call| {
            let body = call.json();
            (body["type"].to_string(), body["data"]["id"].to_string())
        })
        .collect();
    events.sort();
    let (live_id, draft_id) = (created.json()["id"].to_string(), draft["id"].to_string());
    let mut expected = vec![
        ("\"article.created\"".to_owned(), live_id.clone()),
        ("\"article.published\"".to_owned(), live_id),
        ("\"article.created\"".to_owned(), draft_id),
    ];
    expected.sort();
    assert_eq!(events, expected);
}

#[actix_web::test]
async fn every_call_checks_the_address_again_and_a_refused_one_is_a_failed_attempt() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let receiver = Receiver::start(None);
    let created = app
        .post("/api/v1/webhooks")
        .as_user(&admin)
        .json(&json!({"url": receiver.url("/hook").replace("127.0.0.1", "localhost"), "events": ["tag.*"]}))
        .send()
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text());
    let hook_id = created.json()["id"].as_str().expect("an id").to_owned();
    tag(&app, &admin, "医保").await;

    // The same database served by a process that may call only public addresses.
    let mut config = app.state().config.as_ref().clone();
    config.outbound = "public".parse().expect("valid");
    let public_only = actix_web::web::Data::new(AppState::new(config).expect("a state"));
    let outcomes = actix_web::rt::task::spawn_blocking(move || worker::run_due(&public_only))
        .await
        .expect("the worker ran")
        .expect("recorded");
    assert!(matches!(outcomes[..], [Outcome::Retry(_)]), "{outcomes:?}");
    assert!(
        receiver.received().is_empty(),
        "nothing reached the receiver"
    );
    let log = deliveries(&app, &admin, &hook_id).await;
    let attempt = &log[0]["attempts"][0];
    assert_eq!(attempt["response_status"], Value::Null);
    let error = attempt["error"].as_str().expect("why");
    assert!(error.contains("MASTHEAD_OUTBOUND"), "{error}");

    // The loopback process resolves `localhost` and calls it.
    app.set_clock(Utc::now() + TimeDelta::minutes(1));
    assert_eq!(app.deliver_webhooks().await, [Outcome::Succeeded]);
    assert_eq!(receiver.wait_for(1, Duration::from_secs(5)).len(), 1);
}

#[actix_web::test]
async fn a_resource_gone_before_its_event_is_sent_still_makes_its_events() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let receiver = Receiver::start(None);
    hook(
        &app,
        &admin,
        &receiver,
        &["carousel.*", "link.*", "api_key.*"],
    )
    .await;
    let carousel = app
        .post("/api/v1/carousels")
        .as_user(&admin)
        .json(&json!({"key": "home-hero", "name": "首页轮播"}))
        .send()
        .await;
    assert_eq!(carousel.status, StatusCode::CREATED, "{}", carousel.text());
    let deleted = app
        .delete("/api/v1/carousels/home-hero")
        .as_user(&admin)
        .send()
        .await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    let key = app
        .post("/api/v1/api-keys")
        .as_user(&admin)
        .json(&json!({"name": "CI", "scope": "content"}))
        .send()
        .await
        .json();
    app.delete(&format!(
        "/api/v1/api-keys/{}",
        key["id"].as_str().expect("an id")
    ))
    .as_user(&admin)
    .send()
    .await;
    app.post("/api/v1/links/applications")
        .json(&json!({"name": "科尔沁旅游网", "url": "https://www.example.com", "contact_email": "webmaster@example.com"}))
        .send()
        .await;

    assert_eq!(app.deliver_webhooks().await, [Outcome::Succeeded; 5]);
    let types: Vec<Value> = receiver
        .wait_for(5, Duration::from_secs(5))
        .iter()
        .map(|c| c.json()["type"].clone())
        .collect();
    assert_eq!(
        types,
        [
            "carousel.created",
            "carousel.deleted",
            "api_key.created",
            "api_key.deleted",
            "link.created"
        ]
    );
}
