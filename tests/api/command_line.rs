//! The real binary, over a real socket.

use std::{
    io::{BufRead, BufReader, Read, Write},
    net::TcpStream,
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use actix_web::http::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{SECRET, TestApp, TestDatabase, database};

fn masthead() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_masthead"));
    for name in [
        "MASTHEAD_JWT_SECRET",
        "MASTHEAD_BIND",
        "DATABASE_URL",
        "MASTHEAD_LOG_FORMAT",
    ] {
        command.env_remove(name);
    }
    command.env("RUST_LOG", "info");
    command
}

/// Starts `serve` on a free port and returns the process, its address and its log reader.
/// A process a test started, killed when the test lets go of it, whether it passed or failed: a
/// failed assertion must not leave servers or browsers running.
pub(crate) struct Owned(pub(crate) Child);

impl std::ops::Deref for Owned {
    type Target = Child;

    fn deref(&self) -> &Child {
        &self.0
    }
}

impl std::ops::DerefMut for Owned {
    fn deref_mut(&mut self) -> &mut Child {
        &mut self.0
    }
}

impl Drop for Owned {
    fn drop(&mut self) {
        // Already gone when the test stopped it itself; then there is nothing to do.
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

pub(crate) fn serve(
    db: &TestDatabase,
    extra_env: &[(&str, &str)],
) -> (Owned, String, BufReader<std::process::ChildStdout>) {
    let mut command = masthead();
    command
        .args(["serve", "--bind", "127.0.0.1:0"])
        .env("DATABASE_URL", &db.url)
        .env("MASTHEAD_JWT_SECRET", SECRET)
        // Each process its own search index, unless the test names one.
        .env("MASTHEAD_SEARCH_DIR", search_dir())
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    for (name, value) in extra_env {
        command.env(name, value);
    }
    let mut child = Owned(command.spawn().expect("the binary starts"));
    let mut logs = BufReader::new(child.stdout.take().expect("stdout"));
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut line = String::new();
    while Instant::now() < deadline {
        line.clear();
        if logs.read_line(&mut line).unwrap_or(0) == 0 {
            break;
        }
        let address = line
            .contains("Masthead is listening")
            .then(|| {
                line.split(|c: char| c.is_whitespace() || c == '"' || c == '=')
                    .find(|word| word.starts_with("127.0.0.1:"))
            })
            .flatten();
        if let Some(address) = address {
            return (child, address.to_owned(), logs);
        }
    }
    drop(child);
    panic!("serve did not start: last line {line:?}");
}

/// A fresh search index directory under Cargo's temporary directory for tests.
pub(crate) fn search_dir() -> String {
    format!(
        "{}/search-{}",
        env!("CARGO_TARGET_TMPDIR"),
        uuid::Uuid::now_v7().simple()
    )
}

fn http(address: &str, request: &str) -> String {
    let mut stream = TcpStream::connect(address).expect("connect");
    stream.write_all(request.as_bytes()).expect("send");
    let mut response = String::new();
    stream.read_to_string(&mut response).expect("read");
    response
}

/// Reads a response head, up to the blank line, leaving the connection open.
fn read_head(stream: &mut TcpStream) -> String {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        stream.read_exact(&mut byte).expect("read the head");
        head.push(byte[0]);
    }
    String::from_utf8_lossy(&head).into_owned()
}

pub(crate) fn terminate(child: &Child) {
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(status.success());
}

pub(crate) fn wait_for_exit(child: &mut Child) -> std::process::ExitStatus {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Some(status) = child.try_wait().expect("wait") {
            return status;
        }
        assert!(Instant::now() < deadline, "the server did not stop");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn serve_refuses_to_start_without_a_good_secret() {
    let db = TestDatabase::new();
    let missing = masthead()
        .args(["serve"])
        .env("DATABASE_URL", &db.url)
        .output()
        .expect("runs");
    assert!(!missing.status.success());
    assert!(String::from_utf8_lossy(&missing.stderr).contains("MASTHEAD_JWT_SECRET is not set"));

    let short = masthead()
        .args(["serve"])
        .env("DATABASE_URL", &db.url)
        .env("MASTHEAD_JWT_SECRET", "too short")
        .output()
        .expect("runs");
    assert!(!short.status.success());
    assert!(String::from_utf8_lossy(&short.stderr).contains("at least 32 bytes"));
}

#[test]
fn serve_refuses_an_article_path_without_a_slug() {
    let db = TestDatabase::new();
    let refused = masthead()
        .args(["serve"])
        .env("DATABASE_URL", &db.url)
        .env("MASTHEAD_JWT_SECRET", SECRET)
        .env("MASTHEAD_ARTICLE_PATH", "/articles/")
        .output()
        .expect("runs");
    assert!(!refused.status.success());
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(
        stderr.contains("MASTHEAD_ARTICLE_PATH") && stderr.contains("{slug}"),
        "{stderr}"
    );
}

#[test]
fn serve_answers_over_a_socket_logs_json_and_drains_on_sigterm() {
    let db = TestDatabase::new();
    let (mut child, address, mut logs) = serve(&db, &[("MASTHEAD_LOG_FORMAT", "json")]);

    let response = http(
        &address,
        "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    );
    assert!(response.starts_with("HTTP/1.1 200 OK"), "{response}");
    let access_line = (0..50)
        .filter_map(|_| {
            let mut line = String::new();
            logs.read_line(&mut line).ok()?;
            serde_json::from_str::<Value>(&line).ok()
        })
        .find(|entry| entry["path"] == "/healthz")
        .expect("a JSON access log line");
    assert_eq!(access_line["status"], 200);
    assert_eq!(access_line["method"], "GET");

    // A preview link's token is a credential: it never reaches the log.
    let response = http(
        &address,
        "GET /api/v1/preview/mhp_secret-token HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    );
    assert!(response.starts_with("HTTP/1.1 404"), "{response}");
    let logged = (0..50)
        .filter_map(|_| {
            let mut line = String::new();
            logs.read_line(&mut line).ok()?;
            Some(line)
        })
        .find(|line| line.contains("/api/v1/preview"))
        .expect("the preview request is logged");
    assert!(logged.contains("/api/v1/preview/[token]"), "{logged}");
    assert!(!logged.contains("secret-token"), "{logged}");

    // A request in flight when SIGTERM arrives is still answered. `Expect: 100-continue` makes
    // the server say when it has taken the request up; the body follows the signal.
    let mut stream = TcpStream::connect(&address).expect("connect");
    let body = json!({"email": "nobody@example.com", "password": "wrong password!"}).to_string();
    let head = format!(
        "POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).expect("send the head");
    let interim = read_head(&mut stream);
    assert!(interim.starts_with("HTTP/1.1 100"), "{interim}");
    terminate(&child);
    std::thread::sleep(Duration::from_millis(300));
    // Stopping: a new connection is not served (it may be refused or left waiting).
    let refused = TcpStream::connect(&address).map(|mut late| {
        let _ = late.set_read_timeout(Some(Duration::from_millis(300)));
        let _ = late.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        let mut reply = String::new();
        let _ = late.read_to_string(&mut reply);
        reply
    });
    assert!(
        refused.is_err() || refused.as_deref().is_ok_and(str::is_empty),
        "{refused:?}"
    );
    stream.write_all(body.as_bytes()).expect("send the body");
    let mut answer = String::new();
    stream.read_to_string(&mut answer).expect("read the answer");
    assert!(answer.starts_with("HTTP/1.1 401"), "{answer}");
    assert!(wait_for_exit(&mut child).success());
}

#[actix_web::test]
async fn user_create_makes_an_account_that_can_sign_in() {
    let app = TestApp::spawn().await;
    let mut child = masthead()
        .args([
            "user",
            "create",
            "--email",
            "Chief@Example.com",
            "--role",
            "editor",
            "--password-stdin",
        ])
        .env("DATABASE_URL", &app.db.url)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("runs");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(b"a long passphrase\n")
        .expect("write the password");
    let output = child.wait_with_output().expect("finishes");
    assert!(output.status.success());
    assert!(String::from_utf8_lossy(&output.stdout).contains("created editor chief@example.com"));
    let session = app.login("chief@example.com", "a long passphrase").await;
    let me = app.get("/api/v1/auth/me").as_user(&session).send().await;
    assert_eq!(me.status, StatusCode::OK);
    assert_eq!(me.json()["role"], "editor");

    let short = masthead()
        .args([
            "user",
            "create",
            "--email",
            "x@example.com",
            "--role",
            "admin",
            "--password-stdin",
        ])
        .env("DATABASE_URL", &app.db.url)
        .stdin(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            child.stdin.take().expect("stdin").write_all(b"short\n")?;
            child.wait_with_output()
        })
        .expect("runs");
    assert!(!short.status.success());
    assert!(String::from_utf8_lossy(&short.stderr).contains("at least 10 characters"));
}

#[test]
fn migrate_creates_a_missing_database() {
    let name = format!("masthead_test_{}_cli", uuid::Uuid::now_v7().simple());
    let url = database::url_of(&name);
    let output = masthead()
        .args(["migrate"])
        .env("DATABASE_URL", &url)
        .output()
        .expect("runs");
    let cleanup = || {
        use diesel::{Connection, PgConnection, RunQueryDsl};
        let mut conn = PgConnection::establish(&database::server_url()).expect("connect");
        diesel::sql_query(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .execute(&mut conn)
            .expect("drop");
    };
    let succeeded = output.status.success();
    let tables = {
        use diesel::{Connection, PgConnection, RunQueryDsl};
        PgConnection::establish(&url).ok().map(|mut conn| {
            diesel::sql_query("SELECT 1 FROM users")
                .execute(&mut conn)
                .is_ok()
        })
    };
    cleanup();
    assert!(succeeded, "{}", String::from_utf8_lossy(&output.stderr));
    assert_eq!(tables, Some(true), "the users table exists");
}

#[test]
fn processes_starting_together_on_a_missing_database_all_start() {
    let name = format!("masthead_test_{}_race", uuid::Uuid::now_v7().simple());
    let url = database::url_of(&name);
    let children: Vec<_> = (0..4)
        .map(|_| {
            masthead()
                .args(["migrate"])
                .env("DATABASE_URL", &url)
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .expect("runs")
        })
        .collect();
    let outputs: Vec<_> = children
        .into_iter()
        .map(|child| child.wait_with_output().expect("ends"))
        .collect();
    {
        use diesel::{Connection, PgConnection, RunQueryDsl};
        let mut conn = PgConnection::establish(&database::server_url()).expect("connect");
        diesel::sql_query(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .execute(&mut conn)
            .expect("drop");
    }
    for output in outputs {
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
}

#[test]
fn openapi_prints_the_committed_document() {
    let output = masthead().arg("openapi").output().expect("runs");
    assert!(output.status.success());
    let printed: Value = serde_json::from_slice(&output.stdout).expect("JSON");
    let committed: Value = serde_json::from_str(include_str!("../../openapi/openapi.json"))
        .expect("the committed document is JSON");
    assert!(
        printed == committed,
        "masthead openapi differs from openapi/openapi.json"
    );
}

/// A response's status line, the headers a cache or monitor reads, and the body's length.
fn head_and_length(response: &str) -> (String, Vec<String>, usize) {
    let (head, body) = response.split_once("\r\n\r\n").expect("a response head");
    let mut lines = head.lines();
    let status = lines.next().unwrap_or_default().to_owned();
    let mut headers: Vec<String> = lines
        .map(str::to_ascii_lowercase)
        .filter(|line| {
            [
                "content-type:",
                "content-length:",
                "etag:",
                "cache-control:",
                "link:",
            ]
            .iter()
            .any(|name| line.starts_with(name))
        })
        .collect();
    headers.sort();
    (status, headers, body.len())
}

#[test]
fn head_answers_every_get_route_with_its_headers_and_no_body() {
    let db = TestDatabase::new();
    let (mut child, address, _logs) = serve(&db, &[]);
    for path in [
        "/api/v1/site",
        "/api/v1/articles",
        "/api/v1/categories",
        "/openapi.json",
        "/healthz",
        "/sitemap.xml",
        "/feed.xml",
    ] {
        let ask = |method: &str| {
            http(
                &address,
                &format!("{method} {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"),
            )
        };
        let (get_status, get_headers, get_length) = head_and_length(&ask("GET"));
        let (head_status, head_headers, head_length) = head_and_length(&ask("HEAD"));
        assert!(
            get_status.starts_with("HTTP/1.1 200"),
            "GET {path}: {get_status}"
        );
        assert!(get_length > 0, "GET {path} has a body");
        assert_eq!(head_status, get_status, "HEAD {path}");
        assert_eq!(head_headers, get_headers, "HEAD {path}");
        assert_eq!(head_length, 0, "HEAD {path} sends no body");
    }
    // A path without GET does not take HEAD either.
    let (status, _, _) = head_and_length(&http(
        &address,
        "HEAD /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    ));
    assert!(status.starts_with("HTTP/1.1 405"), "{status}");
    terminate(&child);
    assert!(wait_for_exit(&mut child).success());
}
