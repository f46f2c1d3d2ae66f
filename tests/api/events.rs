//! Live events from real `serve` processes: each process feeds its own streams from the change
//! log, a stream resumes from `Last-Event-ID` without loss or duplicates, a client holds only a
//! few, and shutdown ends them without waiting.

use std::{
    collections::HashSet,
    io::{BufRead, BufReader, Read, Write},
    net::TcpStream,
    time::{Duration, Instant},
};

use serde_json::{Value, json};

use crate::{
    command_line::{serve, terminate, wait_for_exit},
    helpers::TestDatabase,
    processes::{admin_token, call},
};

/// One event as received.
#[derive(Debug, Clone)]
struct Received {
    id: i64,
    event: String,
    data: Value,
}

/// An open stream: the response head, then events as they come.
struct EventStream {
    head: String,
    reader: BufReader<TcpStream>,
    pending: String,
}

impl EventStream {
    fn open(address: &str, path: &str, headers: &[(&str, &str)]) -> Self {
        let stream = TcpStream::connect(address).expect("connect");
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .expect("a timeout");
        let mut request =
            format!("GET {path} HTTP/1.1\r\nHost: {address}\r\nAccept: text/event-stream\r\n");
        for (name, value) in headers {
            request.push_str(&format!("{name}: {value}\r\n"));
        }
        request.push_str("\r\n");
        let mut reader = BufReader::new(stream);
        reader
            .get_mut()
            .write_all(request.as_bytes())
            .expect("send");
        let mut head = String::new();
        loop {
            let mut line = String::new();
            reader.read_line(&mut line).expect("read the head");
            head.push_str(&line);
            if line == "\r\n" || line.is_empty() {
                break;
            }
        }
        Self {
            head,
            reader,
            pending: String::new(),
        }
    }

    fn status(&self) -> u16 {
        self.head[9..12].parse().expect("a status")
    }

    fn header(&self, name: &str) -> Option<String> {
        self.head.lines().find_map(|line| {
            let (key, value) = line.split_once(':')?;
            key.eq_ignore_ascii_case(name)
                .then(|| value.trim().to_owned())
        })
    }

    /// The body of a short answer (a refusal), read to its end.
    fn body(mut self) -> Value {
        let mut body = String::new();
        let length: usize = self
            .header("content-length")
            .and_then(|l| l.parse().ok())
            .unwrap_or(0);
        let mut bytes = vec![0; length];
        self.reader.read_exact(&mut bytes).expect("the body");
        body.push_str(&String::from_utf8_lossy(&bytes));
        serde_json::from_str(&body).expect("JSON")
    }

    /// The next chunk of the chunked body; `None` at its end.
    fn chunk(&mut self) -> Option<String> {
        let mut size = String::new();
        if self.reader.read_line(&mut size).ok()? == 0 {
            return None;
        }
        let size = usize::from_str_radix(size.trim(), 16).ok()?;
        let mut bytes = vec![0; size + 2];
        self.reader.read_exact(&mut bytes).ok()?;
        if size == 0 {
            return None;
        }
        bytes.truncate(size);
        Some(String::from_utf8_lossy(&bytes).into_owned())
    }

    /// The next message (event or comment block); `None` when the stream ended.
    fn message(&mut self) -> Option<String> {
        loop {
            if let Some((message, rest)) = self.pending.split_once("\n\n") {
                let message = message.to_owned();
                self.pending = rest.to_owned();
                return Some(message);
            }
            let chunk = self.chunk()?;
            self.pending.push_str(&chunk);
        }
    }

    /// The next event, skipping comments and the retry hint.
    fn event(&mut self) -> Option<Received> {
        loop {
            let message = self.message()?;
            let mut id = None;
            let mut event = None;
            let mut data = None;
            for line in message.lines() {
                if let Some(value) = line.strip_prefix("id: ") {
                    id = value.parse().ok();
                } else if let Some(value) = line.strip_prefix("event: ") {
                    event = Some(value.to_owned());
                } else if let Some(value) = line.strip_prefix("data: ") {
                    data = serde_json::from_str(value).ok();
                }
            }
            if let (Some(id), Some(event), Some(data)) = (id, event, data) {
                return Some(Received { id, event, data });
            }
        }
    }
}

pub(crate) fn article(address: &str, token: &str, title: &str) -> String {
    let (status, made) = call(
        address,
        "POST",
        "/api/v1/articles",
        Some(token),
        Some(&json!({"title": title, "body": "直播正文"})),
    );
    assert_eq!(status, 201, "{made}");
    made["id"].as_str().expect("an id").to_owned()
}

pub(crate) fn publish(address: &str, token: &str, id: &str) {
    let (status, answer) = call(
        address,
        "POST",
        &format!("/api/v1/articles/{id}/publish"),
        Some(token),
        None,
    );
    assert_eq!(status, 200, "{answer}");
}

#[test]
fn each_process_streams_changes_committed_through_any_and_a_stream_resumes_without_loss() {
    let db = TestDatabase::new();
    let env = [
        ("MASTHEAD_DB_POOL_SIZE", "3"),
        ("MASTHEAD_EVENT_STREAMS_PER_CLIENT", "2"),
    ];
    let (mut first, a, _logs_a) = serve(&db, &env);
    let (mut second, b, _logs_b) = serve(&db, &env);
    let token = admin_token(&a);

    let mut stream = EventStream::open(&b, "/api/v1/events", &[]);
    assert_eq!(stream.status(), 200, "{}", stream.head);
    assert_eq!(
        stream.header("content-type").as_deref(),
        Some("text/event-stream")
    );
    assert_eq!(
        stream.header("content-encoding").as_deref(),
        Some("identity")
    );
    assert!(
        stream
            .head
            .to_ascii_lowercase()
            .contains("transfer-encoding: chunked")
    );
    assert_eq!(stream.message().as_deref(), Some("retry: 2000"));

    // Drafts published as soon as they are written: each reaches the stream once, as the
    // article, never as the tombstone of a draft no reader saw.
    let mut flash = HashSet::new();
    for n in 0..10 {
        let id = article(&a, &token, &format!("快讯{n}"));
        publish(&a, &token, &id);
        flash.insert(id);
    }
    while !flash.is_empty() {
        let event = stream.event().expect("an event");
        assert_eq!(event.event, "upsert", "{}", event.data);
        let id = event.data["id"].as_str().expect("an id");
        assert!(flash.remove(id), "{id} came twice or was never written");
    }

    // A draft is nobody's business; its publication is everyone's, through the other process.
    let id = article(&a, &token, "直播：开幕");
    let mut latencies = Vec::new();
    let started = Instant::now();
    publish(&a, &token, &id);
    let published = stream.event().expect("an event");
    latencies.push(started.elapsed());
    assert_eq!(published.event, "upsert");
    assert_eq!(published.data["kind"], "article");
    assert_eq!(published.data["id"], id.as_str());
    assert_eq!(published.data["item"]["status"], "published");
    assert_eq!(published.data["item"]["body_html"], "<p>直播正文</p>\n");
    let mut last = published.id;
    for n in 0..5 {
        let started = Instant::now();
        let (status, _) = call(
            &a,
            "PATCH",
            &format!("/api/v1/articles/{id}"),
            Some(&token),
            Some(&json!({"title": format!("直播：第{n}条")})),
        );
        assert_eq!(status, 200);
        // An event of an earlier change of the article may still be on its way: each comes
        // once, in commit order, carrying the article as it is when the event is made.
        let wanted = format!("直播：第{n}条");
        loop {
            let event = stream.event().expect("an event");
            assert!(event.id > last);
            last = event.id;
            if event.data["item"]["title"] == wanted.as_str() {
                break;
            }
        }
        latencies.push(started.elapsed());
    }
    latencies.sort();
    eprintln!("commit to event through another process: {latencies:?}");
    assert!(latencies[latencies.len() / 2] < Duration::from_secs(1));
    drop(stream);

    // Missed while away: an edit, a new tag, the article trashed. Resumed: each once, in order.
    let (status, _) = call(
        &a,
        "PATCH",
        &format!("/api/v1/articles/{id}"),
        Some(&token),
        Some(&json!({"title": "直播：结束"})),
    );
    assert_eq!(status, 200);
    let (status, tag) = call(
        &a,
        "POST",
        "/api/v1/tags",
        Some(&token),
        Some(&json!({"name": "直播"})),
    );
    assert_eq!(status, 201);
    let (status, _) = call(
        &a,
        "DELETE",
        &format!("/api/v1/articles/{id}"),
        Some(&token),
        None,
    );
    assert_eq!(status, 204);
    let last_id = last.to_string();
    let mut resumed = EventStream::open(&b, "/api/v1/events", &[("Last-Event-ID", &last_id)]);
    assert_eq!(resumed.status(), 200);
    let tag_event = resumed.event().expect("the tag");
    assert_eq!(
        (tag_event.event.as_str(), &tag_event.data["id"]),
        ("upsert", &tag["id"])
    );
    let gone = resumed.event().expect("the tombstone");
    assert_eq!(gone.event, "delete");
    assert_eq!(gone.data["id"], id.as_str());
    assert_eq!(gone.data["slug"], "zhi-bo-kai-mu");
    assert!(tag_event.id > last && gone.id > tag_event.id);
    // Then live again, nothing repeated.
    let (status, _) = call(
        &a,
        "PATCH",
        &format!("/api/v1/tags/{}", tag["id"].as_str().expect("an id")),
        Some(&token),
        Some(&json!({"name": "现场直播"})),
    );
    assert_eq!(status, 200);
    let live = resumed.event().expect("live again");
    assert_eq!(live.data["item"]["name"], "现场直播");
    assert!(live.id > gone.id);

    // Two streams per client here: a third is refused with a problem and Retry-After.
    let _second_stream = EventStream::open(&b, "/api/v1/events", &[]);
    let refused = EventStream::open(&b, "/api/v1/events", &[]);
    assert_eq!(refused.status(), 429, "{}", refused.head);
    assert!(refused.header("retry-after").is_some());
    assert_eq!(
        refused.header("content-type").as_deref(),
        Some("application/problem+json")
    );
    assert_eq!(refused.body()["status"], 429);
    for bad in ["abc", "-1"] {
        let refused = EventStream::open(&b, "/api/v1/events", &[("Last-Event-ID", bad)]);
        assert_eq!(refused.status(), 400, "{bad}");
    }

    // Shutdown ends open streams at once instead of waiting for them.
    let stopping = Instant::now();
    terminate(&second);
    while resumed.message().is_some() {}
    assert!(wait_for_exit(&mut second).success());
    assert!(
        stopping.elapsed() < Duration::from_secs(5),
        "{:?}",
        stopping.elapsed()
    );
    terminate(&first);
    assert!(wait_for_exit(&mut first).success());
}

#[test]
fn where_public_reading_is_off_a_content_key_opens_the_stream_even_in_the_url() {
    let db = TestDatabase::new();
    let (mut server, address, _logs) = serve(&db, &[("MASTHEAD_PUBLIC_READ", "false")]);
    let token = admin_token(&address);
    let (status, key) = call(
        &address,
        "POST",
        "/api/v1/api-keys",
        Some(&token),
        Some(&json!({"name": "live page", "scope": "content"})),
    );
    assert_eq!(status, 201, "{key}");
    let key = key["key"].as_str().expect("the key");
    let (status, admin_key) = call(
        &address,
        "POST",
        "/api/v1/api-keys",
        Some(&token),
        Some(&json!({"name": "ops", "scope": "admin"})),
    );
    assert_eq!(status, 201);
    let admin_key = admin_key["key"].as_str().expect("the key");

    let anonymous = EventStream::open(&address, "/api/v1/events", &[]);
    assert_eq!(anonymous.status(), 401);
    for bad in ["nonsense", admin_key] {
        let refused = EventStream::open(&address, &format!("/api/v1/events?key={bad}"), &[]);
        assert_eq!(refused.status(), 401, "{bad}");
    }
    let both = EventStream::open(
        &address,
        &format!("/api/v1/events?key={key}"),
        &[("Authorization", &format!("Bearer {key}"))],
    );
    assert_eq!(both.status(), 400);
    let mut in_url = EventStream::open(&address, &format!("/api/v1/events?key={key}"), &[]);
    assert_eq!(in_url.status(), 200, "{}", in_url.head);
    let in_header = EventStream::open(
        &address,
        "/api/v1/events",
        &[("Authorization", &format!("Bearer {key}"))],
    );
    assert_eq!(in_header.status(), 200);
    let id = article(&address, &token, "内部直播");
    publish(&address, &token, &id);
    let event = in_url.event().expect("an event");
    assert_eq!(event.data["id"], id.as_str());
    terminate(&server);
    assert!(wait_for_exit(&mut server).success());
}

#[actix_web::test]
async fn resuming_after_what_the_change_log_no_longer_keeps_is_410() {
    use diesel::{RunQueryDsl, sql_query};

    let app = crate::helpers::TestApp::spawn().await;
    let editor = app.editor().await;
    for name in ["养老", "医疗", "教育"] {
        let created = app
            .post("/api/v1/tags")
            .as_user(&editor)
            .json(&json!({"name": name}))
            .send()
            .await;
        assert_eq!(created.status, 201, "{}", created.text());
    }
    let mut conn = app.db.connect();
    let latest = masthead::changes::queries::latest(&mut conn).expect("the latest");
    let resume = |id: i64| {
        app.get("/api/v1/events")
            .header("last-event-id", &id.to_string())
    };
    // Nothing pruned yet: a stream opens.
    assert_eq!(resume(1).status_of_stream().await, 200);

    // Pruning takes the oldest changes away.
    sql_query(format!("DELETE FROM change_log WHERE seq < {latest}"))
        .execute(&mut conn)
        .expect("pruned");
    // Checked before reading the body: a stream opened by mistake would never end.
    assert_eq!(resume(1).status_of_stream().await, 410);
    let gone = resume(1).send().await;
    let problem = gone.problem(410);
    assert!(
        problem["detail"]
            .as_str()
            .is_some_and(|d| d.contains("/sync")),
        "{problem}"
    );
    assert_eq!(
        resume(latest - 1).status_of_stream().await,
        200,
        "nothing missed after the last event received"
    );
}
