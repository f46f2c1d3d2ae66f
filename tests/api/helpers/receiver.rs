//! A real HTTP receiver for webhook tests, listening on 127.0.0.1 at a port of its own.
//!
//! It speaks just enough HTTP/1.1 for Masthead's deliveries: one request per connection, a
//! `Content-Length` body, and an empty answer with `Connection: close`. With a secret set it
//! verifies the Standard Webhooks signature of each request the way a real receiver would.

use std::io::{self, BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use http::{HeaderMap, HeaderName, HeaderValue};
use standardwebhooks::Webhook;

/// How long a connection may take to send its request before the receiver gives up on it.
const READ_TIMEOUT: Duration = Duration::from_secs(10);

/// How the receiver answers requests.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Behaviour {
    /// Answers 200.
    Ok,
    /// Answers with this status.
    Status(u16),
    /// Reads the request, then answers nothing until the behaviour changes (and answers as the
    /// new behaviour says) or the receiver is dropped (and closes the connection).
    Hang,
}

/// A request as it arrived.
#[derive(Clone, Debug)]
pub struct Received {
    /// The request target, such as `/hooks/1?x=2`.
    pub path: String,
    /// In arrival order, names lower-cased.
    pub headers: Vec<(String, String)>,
    /// The body, as sent.
    pub body: Vec<u8>,
    /// When the whole request had been read.
    pub at: Instant,
    /// Whether the Standard Webhooks signature verified, when the receiver has a secret.
    pub signature_valid: Option<bool>,
}

impl Received {
    /// The first value of the header `name`, in any case.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(candidate, _)| candidate.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }

    /// The body parsed as JSON; panics when it is not JSON.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).expect("the request body is JSON")
    }
}

/// A webhook receiver on 127.0.0.1; dropping it stops it and releases hanging requests.
pub struct Receiver {
    addr: SocketAddr,
    shared: Arc<Shared>,
    accept: Option<JoinHandle<()>>,
}

/// What the accept thread, the connection threads and the test share.
struct Shared {
    state: Mutex<State>,
    /// Signalled on every change: a request received, a new behaviour, stopping.
    changed: Condvar,
}

struct State {
    behaviour: Behaviour,
    webhook: Option<Webhook>,
    received: Vec<Received>,
    stopping: bool,
}

impl Shared {
    fn state(&self) -> MutexGuard<'_, State> {
        // A panicking connection thread must not hide what was received from the test.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn wait_while<'a>(
        &self,
        state: MutexGuard<'a, State>,
        timeout: Duration,
        condition: impl FnMut(&mut State) -> bool,
    ) -> MutexGuard<'a, State> {
        self.changed
            .wait_timeout_while(state, timeout, condition)
            .unwrap_or_else(PoisonError::into_inner)
            .0
    }
}

impl Receiver {
    /// Starts a receiver that answers 200; with a secret (`whsec_…`), it verifies signatures.
    pub fn start(secret: Option<String>) -> Receiver {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        let addr = listener.local_addr().expect("the listener's address");
        let shared = Arc::new(Shared {
            state: Mutex::new(State {
                behaviour: Behaviour::Ok,
                webhook: secret.as_deref().map(webhook),
                received: Vec::new(),
                stopping: false,
            }),
            changed: Condvar::new(),
        });
        let accept = thread::spawn({
            let shared = Arc::clone(&shared);
            move || accept_until_stopped(&listener, &shared)
        });
        Receiver {
            addr,
            shared,
            accept: Some(accept),
        }
    }

    /// `http://127.0.0.1:PORT{path}`; `path` starts with `/`.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// Changes how requests arriving from now on are answered, and releases hanging ones.
    pub fn set_behaviour(&self, behaviour: Behaviour) {
        self.shared.state().behaviour = behaviour;
        self.shared.changed.notify_all();
    }

    /// Verifies requests arriving from now on with this secret (`whsec_…`).
    pub fn set_secret(&self, secret: String) {
        self.shared.state().webhook = Some(webhook(&secret));
    }

    /// Every request received so far, in arrival order.
    pub fn received(&self) -> Vec<Received> {
        self.shared.state().received.clone()
    }

    /// Waits until at least `n` requests have arrived or `timeout` has passed, and returns
    /// every request received by then.
    pub fn wait_for(&self, n: usize, timeout: Duration) -> Vec<Received> {
        let state = self.shared.state();
        let state = self
            .shared
            .wait_while(state, timeout, |state| state.received.len() < n);
        state.received.clone()
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.shared.state().stopping = true;
        self.shared.changed.notify_all();
        // `accept` blocks until a connection arrives, so one is made to let it see the flag.
        let _ = TcpStream::connect(self.addr);
        if let Some(accept) = self.accept.take() {
            let _ = accept.join();
        }
    }
}

fn webhook(secret: &str) -> Webhook {
    Webhook::new(secret).expect("a Standard Webhooks secret: whsec_ and base64")
}

fn accept_until_stopped(listener: &TcpListener, shared: &Arc<Shared>) {
    for stream in listener.incoming() {
        if shared.state().stopping {
            return;
        }
        // A connection that failed before it was accepted concerns no test.
        let Ok(stream) = stream else { continue };
        let shared = Arc::clone(shared);
        thread::spawn(move || {
            // The client may give up (a timeout under test) before the answer; nothing to do.
            let _ = serve(stream, &shared);
        });
    }
}

fn serve(stream: TcpStream, shared: &Shared) -> io::Result<()> {
    stream.set_read_timeout(Some(READ_TIMEOUT))?;
    let mut reader = BufReader::new(&stream);
    let (path, headers, body) = read_request(&mut reader)?;
    let behaviour = record(shared, path, headers, body);
    if let Some(status) = answer_for(shared, behaviour) {
        (&stream).write_all(
            format!("HTTP/1.1 {status} \r\ncontent-length: 0\r\nconnection: close\r\n\r\n")
                .as_bytes(),
        )?;
    }
    Ok(())
}

type Request = (String, Vec<(String, String)>, Vec<u8>);

fn read_request(reader: &mut impl BufRead) -> io::Result<Request> {
    let request_line = read_line(reader)?;
    let path = request_line
        .split(' ')
        .nth(1)
        .ok_or_else(|| invalid(format!("bad request line {request_line:?}")))?
        .to_owned();
    let mut headers = Vec::new();
    loop {
        let line = read_line(reader)?;
        if line.is_empty() {
            break;
        }
        let (name, value) = line
            .split_once(':')
            .ok_or_else(|| invalid(format!("bad header line {line:?}")))?;
        headers.push((name.trim().to_ascii_lowercase(), value.trim().to_owned()));
    }
    let length = headers
        .iter()
        .find(|(name, _)| name == "content-length")
        .map_or(Ok(0), |(_, value)| value.parse::<usize>())
        .map_err(|e| invalid(format!("bad content-length: {e}")))?;
    let mut body = vec![0; length];
    reader.read_exact(&mut body)?;
    Ok((path, headers, body))
}

fn read_line(reader: &mut impl BufRead) -> io::Result<String> {
    let mut line = String::new();
    if reader.read_line(&mut line)? == 0 {
        return Err(io::ErrorKind::UnexpectedEof.into());
    }
    Ok(line.trim_end_matches(['\r', '\n']).to_owned())
}

fn invalid(message: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, message)
}

/// Stores the request and returns the behaviour in force when it arrived.
fn record(
    shared: &Shared,
    path: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
) -> Behaviour {
    let mut state = shared.state();
    let signature_valid = state
        .webhook
        .as_ref()
        .map(|webhook| webhook.verify(&body, &header_map(&headers)).is_ok());
    state.received.push(Received {
        path,
        headers,
        body,
        at: Instant::now(),
        signature_valid,
    });
    shared.changed.notify_all();
    state.behaviour
}

/// The headers as a receiver's framework would hand them to the Standard Webhooks library.
fn header_map(headers: &[(String, String)]) -> HeaderMap {
    let mut map = HeaderMap::new();
    for (name, value) in headers {
        // A framework rejects such headers before the application sees them.
        if let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(value),
        ) {
            map.append(name, value);
        }
    }
    map
}

/// The status to answer with, once the behaviour allows; `None` when the receiver stops first.
fn answer_for(shared: &Shared, mut behaviour: Behaviour) -> Option<u16> {
    let mut state = shared.state();
    loop {
        if state.stopping {
            return None;
        }
        match behaviour {
            Behaviour::Ok => return Some(200),
            Behaviour::Status(status) => return Some(status),
            Behaviour::Hang => {
                state = shared
                    .changed
                    .wait_while(state, |state| {
                        state.behaviour == Behaviour::Hang && !state.stopping
                    })
                    .unwrap_or_else(PoisonError::into_inner);
                behaviour = state.behaviour;
            }
        }
    }
}
