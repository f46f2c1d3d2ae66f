//! A file server on 127.0.0.1 for import tests: each path answers with a status, headers and a
//! body set by the test, and every request is recorded.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread;
use std::time::Duration;

#[derive(Clone)]
struct Answer {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    /// Waits this long before answering.
    delay: Duration,
}

#[derive(Default)]
struct Shared {
    answers: HashMap<String, Answer>,
    requested: Vec<String>,
}

/// Stops with the test: the accepting thread ends when the listener's last handle goes.
pub struct FileServer {
    addr: SocketAddr,
    shared: Arc<Mutex<Shared>>,
}

impl FileServer {
    pub fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        let addr = listener.local_addr().expect("the listener's address");
        let shared = Arc::new(Mutex::new(Shared::default()));
        let accepting = Arc::clone(&shared);
        thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let shared = Arc::clone(&accepting);
                thread::spawn(move || {
                    // The client may hang up first (a refused size); nothing to do then.
                    let _ = answer(stream, &shared);
                });
            }
        });
        Self { addr, shared }
    }

    /// `http://127.0.0.1:PORT{path}`.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// Serves `body` at `path` with a `Content-Type`.
    pub fn serve(&self, path: &str, content_type: &str, body: &[u8]) {
        self.set(
            path,
            200,
            vec![("content-type".into(), content_type.into())],
            body,
        );
    }

    /// Answers `path` with a redirect to `location`.
    pub fn redirect(&self, path: &str, location: &str) {
        self.set(path, 302, vec![("location".into(), location.into())], b"");
    }

    pub fn set(&self, path: &str, status: u16, headers: Vec<(String, String)>, body: &[u8]) {
        self.lock().answers.insert(
            path.into(),
            Answer {
                status,
                headers,
                body: body.to_vec(),
                delay: Duration::ZERO,
            },
        );
    }

    /// Answers `path` only after `delay`.
    pub fn slow(&self, path: &str, delay: Duration) {
        self.lock().answers.insert(
            path.into(),
            Answer {
                status: 200,
                headers: vec![("content-type".into(), "image/jpeg".into())],
                body: Vec::new(),
                delay,
            },
        );
    }

    /// The paths requested so far, in order.
    pub fn requested(&self) -> Vec<String> {
        self.lock().requested.clone()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Shared> {
        self.shared.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

fn answer(stream: TcpStream, shared: &Mutex<Shared>) -> std::io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    let mut reader = BufReader::new(&stream);
    let mut line = String::new();
    reader.read_line(&mut line)?;
    let path = line.split(' ').nth(1).unwrap_or_default().to_owned();
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header)? == 0 || header.trim().is_empty() {
            break;
        }
    }
    let found = {
        let mut shared = shared.lock().unwrap_or_else(PoisonError::into_inner);
        shared.requested.push(path.clone());
        shared.answers.get(&path).cloned()
    };
    let answer = found.unwrap_or(Answer {
        status: 404,
        headers: Vec::new(),
        body: Vec::new(),
        delay: Duration::ZERO,
    });
    thread::sleep(answer.delay);
    let mut head = format!("HTTP/1.1 {} X\r\n", answer.status);
    for (name, value) in &answer.headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str(&format!(
        "content-length: {}\r\nconnection: close\r\n\r\n",
        answer.body.len()
    ));
    (&stream).write_all(head.as_bytes())?;
    (&stream).write_all(&answer.body)
}
