//! A real browser on other origins: headless Chromium loads a frontend page from a port of its
//! own, and the page's script calls the API of a real `serve` process on another port. Every
//! address is 127.0.0.1, and Chromium resolves no name, so nothing leaves the machine.

use std::{
    io::{Read, Write},
    net::{SocketAddr, TcpListener, TcpStream},
    process::{Command, Stdio},
    sync::{
        Arc, Mutex,
        atomic::{AtomicBool, Ordering},
    },
    thread::JoinHandle,
    time::{Duration, Instant},
};

use serde_json::{Value, json};

use crate::{
    command_line::{Owned, serve},
    helpers::{PASSWORD, TestDatabase},
    processes::call,
};

const EMAIL: &str = "admin@example.com";

/// The frontend: reads anonymously, signs in, then writes with the token it got (or, when it
/// could not sign in, with one the test hands it), and shows what came of each step.
const PAGE: &str = r#"<!doctype html>
<html><head><meta charset="utf-8"><title>frontend</title></head>
<body><pre id="results">running</pre>
<script>
const api = "API";
const results = {};
async function attempt(name, run) {
  try { results[name] = await run(); }
  catch (error) { results[name] = "refused: " + error.name; }
}
(async () => {
  await attempt("read", async () => {
    const response = await fetch(api + "/articles?per_page=1");
    const body = await response.json();
    return {
      status: response.status,
      total: body.meta.total,
      etag: response.headers.get("etag") !== null,
      link: response.headers.get("link") !== null,
    };
  });
  let token = "TOKEN";
  await attempt("login", async () => {
    const response = await fetch(api + "/auth/login", {
      method: "POST",
      headers: {"content-type": "application/json"},
      body: JSON.stringify({email: "EMAIL", password: "PASSWORD"}),
    });
    token = (await response.json()).access_token;
    return response.status;
  });
  await attempt("write", async () => {
    const response = await fetch(api + "/articles", {
      method: "POST",
      headers: {"content-type": "application/json", "authorization": "Bearer " + token},
      body: JSON.stringify({title: "Written from a browser"}),
    });
    return {status: response.status, location: response.headers.get("location")};
  });
  document.getElementById("results").textContent = JSON.stringify(results);
})();
</script></body></html>
"#;

/// A second origin: its page at `/`, 404 elsewhere, on 127.0.0.1 and a port of its own.
struct Frontend {
    address: SocketAddr,
    /// Set once the API's address is known, which needs this origin's first.
    page: Arc<Mutex<String>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Frontend {
    fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("a free port");
        let address = listener.local_addr().expect("an address");
        let page = Arc::new(Mutex::new(String::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let (serving, stopping) = (Arc::clone(&page), Arc::clone(&stop));
        let thread = std::thread::spawn(move || {
            for stream in listener.incoming() {
                if stopping.load(Ordering::SeqCst) {
                    break;
                }
                if let Ok(stream) = stream {
                    let page = serving.lock().expect("the page").clone();
                    answer(stream, &page);
                }
            }
        });
        Self {
            address,
            page,
            stop,
            thread: Some(thread),
        }
    }

    fn origin(&self) -> String {
        format!("http://{}", self.address)
    }

    fn serve(&self, page: String) {
        *self.page.lock().expect("the page") = page;
    }
}

impl Drop for Frontend {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wakes the accepting thread so that it sees the flag.
        let _ = TcpStream::connect(self.address);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn answer(mut stream: TcpStream, page: &str) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        match stream.read(&mut byte) {
            Ok(1) => head.push(byte[0]),
            _ => return,
        }
    }
    let (status, body) = if head.starts_with(b"GET / ") {
        ("200 OK", page)
    } else {
        ("404 Not Found", "")
    };
    let response = format!(
        "HTTP/1.1 {status}\r\nContent-Type: text/html; charset=utf-8\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let _ = stream.write_all(response.as_bytes());
}

/// Debian's Chromium, or `None` with a notice; under `.ci/run`
/// (`MASTHEAD_REQUIRE_BROWSER_TEST`) its absence fails the test instead.
fn chromium() -> Option<&'static str> {
    let found = Command::new("chromium")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|status| status.success());
    match found {
        true => Some("chromium"),
        false if std::env::var_os("MASTHEAD_REQUIRE_BROWSER_TEST").is_none() => {
            eprintln!(
                "SKIPPED the browser test: chromium is not installed (apt-get install chromium)"
            );
            None
        }
        false => panic!("chromium is not installed, and MASTHEAD_REQUIRE_BROWSER_TEST is set"),
    }
}

/// Loads `url` in a fresh headless Chromium and returns what its page reported.
fn results_of(chromium: &str, url: &str) -> Value {
    let profile = tempfile::tempdir().expect("a profile directory");
    let started = Instant::now();
    let child = Command::new(chromium)
        .args([
            "--headless",
            // Chromium's sandbox refuses to run as root, as CI does.
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-extensions",
            // No name resolves, and whatever is not for 127.0.0.1 goes to a closed port (the
            // proxy is bypassed for loopback): Chromium's own background calls go nowhere.
            "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
            "--proxy-server=127.0.0.1:9",
            "--virtual-time-budget=10000",
            "--dump-dom",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg(url)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromium starts");
    let mut chromium = Owned(child);
    while chromium.0.try_wait().expect("wait").is_none() {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "chromium did not finish within 60 s"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let mut dom = String::new();
    chromium
        .0
        .stdout
        .take()
        .expect("stdout")
        .read_to_string(&mut dom)
        .expect("the DOM");
    let results = dom
        .split_once(r#"<pre id="results">"#)
        .and_then(|(_, rest)| rest.split_once("</pre>"))
        .map(|(results, _)| results.replace("&amp;", "&"))
        .unwrap_or_else(|| panic!("no results in the page: {dom}"));
    eprintln!(
        "chromium loaded {url} in {:?}: {results}",
        started.elapsed()
    );
    serde_json::from_str(&results).unwrap_or_else(|_| panic!("the page reported {results:?}"))
}

#[test]
fn a_browser_reads_from_any_origin_and_writes_only_from_an_allowed_one() {
    let Some(chromium) = chromium() else { return };
    let started = Instant::now();
    let page = |api: &str, token: &str| {
        PAGE.replace("EMAIL", EMAIL)
            .replace("PASSWORD", PASSWORD)
            .replace("API", &format!("http://{api}/api/v1"))
            .replace("TOKEN", token)
    };
    let (allowed, other) = (Frontend::start(), Frontend::start());
    let db = TestDatabase::new();
    let env = [
        ("MASTHEAD_CORS_ORIGINS", allowed.origin()),
        ("MASTHEAD_LOG_FORMAT", "json".to_owned()),
    ];
    let env = env.each_ref().map(|(name, value)| (*name, value.as_str()));
    let (child, api, _logs) = serve(&db, &env);
    let _server = child;
    let (status, tokens) = call(
        &api,
        "POST",
        "/api/v1/auth/setup",
        None,
        Some(&json!({"email": EMAIL, "password": PASSWORD, "name": "管理员"})),
    );
    assert_eq!(status, 201, "{tokens}");
    let token = tokens["access_token"].as_str().expect("a token").to_owned();
    for title in ["民生", "医保"] {
        let (status, article) = call(
            &api,
            "POST",
            "/api/v1/articles",
            Some(&token),
            Some(&json!({"title": title})),
        );
        assert_eq!(status, 201, "{article}");
        let path = format!(
            "/api/v1/articles/{}/publish",
            article["id"].as_str().expect("id")
        );
        assert_eq!(call(&api, "POST", &path, Some(&token), None).0, 200);
    }

    allowed.serve(page(&api, ""));
    other.serve(page(&api, &token));
    let read = json!({"status": 200, "total": 2, "etag": true, "link": true});

    let from_allowed = results_of(chromium, &format!("{}/", allowed.origin()));
    assert_eq!(from_allowed["read"], read, "{from_allowed}");
    assert_eq!(from_allowed["login"], 200, "{from_allowed}");
    assert_eq!(from_allowed["write"]["status"], 201, "{from_allowed}");
    assert!(
        from_allowed["write"]["location"]
            .as_str()
            .is_some_and(|l| l.starts_with("/api/v1/articles/")),
        "{from_allowed}"
    );

    let from_other = results_of(chromium, &format!("{}/", other.origin()));
    assert_eq!(from_other["read"], read, "{from_other}");
    assert_eq!(from_other["login"], "refused: TypeError", "{from_other}");
    assert_eq!(from_other["write"], "refused: TypeError", "{from_other}");

    let (_, articles) = call(&api, "GET", "/api/v1/articles", Some(&token), None);
    assert_eq!(
        articles["meta"]["total"], 3,
        "only the allowed origin wrote: {articles}"
    );
    eprintln!("the browser test took {:?}", started.elapsed());
}
