//! Calls out through an agent that connects only where [`Outbound`] allows, and reads little.

use std::io::{self, Read};
use std::time::{Duration, Instant};

use ureq::config::Config;
use ureq::http::Uri;
use ureq::unversioned::resolver::{DefaultResolver, ResolvedSocketAddrs, Resolver};
use ureq::unversioned::transport::{Connector, NextTimeout, RustlsConnector, TcpConnector};

use super::Outbound;

/// How much of a reply body is kept for the delivery log, in bytes.
const MAX_REPLY_BODY: usize = 1024;

const USER_AGENT: &str = concat!("Masthead/", env!("CARGO_PKG_VERSION"));

impl Outbound {
    /// A ureq agent that only connects to addresses this setting allows, follows no redirects,
    /// treats every HTTP status as an answer and gives up after `timeout` in total.
    ///
    /// Its resolver looks the name up once and drops the addresses not allowed; IP literals go
    /// through the same filter. In ureq 3.5.2, `run::connect` calls the resolver once per
    /// request, before looking in the connection pool, and hands its output to the connector
    /// as `ConnectionDetails::addrs`; `TcpConnector` connects only to those addresses, and this
    /// connector chain has no proxy connector, so nothing resolves the name a second time (a
    /// DNS answer that changes between check and connect cannot slip through).
    pub fn agent(&self, timeout: Duration) -> ureq::Agent {
        let config = ureq::Agent::config_builder()
            .max_redirects(0)
            .http_status_as_error(false)
            .timeout_global(Some(timeout))
            // The builder starts from the environment's proxy, which would connect for us.
            .proxy(None)
            .user_agent(USER_AGENT)
            // Every call gets a fresh connection, dropped once the reply is read.
            .max_idle_connections(0)
            .build();
        let connector = ().chain(TcpConnector::default()).chain(RustlsConnector::default());
        let resolver = AllowedOnly {
            outbound: self.clone(),
            dns: DefaultResolver::default(),
        };
        ureq::Agent::with_parts(config, connector, resolver)
    }
}

/// The resolver of [`Outbound::agent`]: the default lookup, keeping only allowed addresses.
#[derive(Debug)]
struct AllowedOnly {
    outbound: Outbound,
    dns: DefaultResolver,
}

impl Resolver for AllowedOnly {
    fn resolve(
        &self,
        uri: &Uri,
        config: &Config,
        timeout: NextTimeout,
    ) -> Result<ResolvedSocketAddrs, ureq::Error> {
        let host = uri.host().unwrap_or_default();
        let resolved = self
            .dns
            .resolve(uri, config, timeout)
            .map_err(|error| match error {
                ureq::Error::Io(source) => ureq::Error::Other(Box::new(ResolveFailure::Lookup {
                    host: host.to_owned(),
                    source,
                })),
                other => other,
            })?;
        let mut allowed = self.empty();
        for addr in resolved
            .iter()
            .filter(|addr| self.outbound.allows(addr.ip()))
        {
            allowed.push(*addr);
        }
        if allowed.is_empty() {
            tracing::warn!(
                host,
                addresses = ?resolved,
                outbound = %self.outbound,
                "outbound call refused"
            );
            return Err(ureq::Error::Other(Box::new(ResolveFailure::Refused {
                host: host.to_owned(),
                setting: self.outbound.to_string(),
            })));
        }
        if allowed.len() < resolved.len() {
            tracing::debug!(
                host,
                addresses = ?resolved,
                kept = ?allowed,
                "dropped addresses MASTHEAD_OUTBOUND does not allow"
            );
        }
        Ok(allowed)
    }
}

/// Carried through ureq in `ureq::Error::Other`, so that [`post`] can tell these apart.
#[derive(Debug, thiserror::Error)]
enum ResolveFailure {
    #[error("{host} resolved only to addresses that MASTHEAD_OUTBOUND={setting} does not allow")]
    Refused { host: String, setting: String },
    #[error("{host} could not be resolved: {source}")]
    Lookup { host: String, source: io::Error },
}

/// What a receiver answered.
#[derive(Debug)]
pub struct Reply {
    /// The HTTP status; redirects are not followed, so a 3xx is returned as is.
    pub status: u16,
    /// The start of the body: at most 1024 bytes, invalid UTF-8 replaced, cut on a character
    /// boundary.
    pub body: String,
    /// From sending the request to reading the kept part of the body.
    pub duration: Duration,
}

/// Why a call got no answer. The messages are short and shown in the delivery log.
#[derive(Debug, thiserror::Error)]
pub enum SendError {
    /// The host resolved only to addresses `MASTHEAD_OUTBOUND` does not allow; nothing was sent.
    #[error("{0}")]
    Refused(String),
    /// No complete answer within the agent's timeout; carries the time spent.
    #[error("no answer within {} ms", .0.as_millis())]
    Timeout(Duration),
    /// The host could not be resolved or reached, or the TLS handshake failed.
    #[error("could not connect: {0}")]
    Connect(String),
    /// Anything else, such as a malformed answer.
    #[error("the call failed: {0}")]
    Other(String),
}

impl SendError {
    fn from_ureq(error: ureq::Error, elapsed: Duration) -> Self {
        match error {
            ureq::Error::Timeout(_) => Self::Timeout(elapsed),
            ureq::Error::Other(inner) => match inner.downcast::<ResolveFailure>() {
                Ok(failure) => match *failure {
                    refused @ ResolveFailure::Refused { .. } => Self::Refused(refused.to_string()),
                    lookup @ ResolveFailure::Lookup { .. } => Self::Connect(lookup.to_string()),
                },
                Err(other) => Self::Other(other.to_string()),
            },
            ureq::Error::Io(e) if is_connect_failure(e.kind()) => Self::Connect(e.to_string()),
            ureq::Error::HostNotFound => {
                Self::Connect("the host name did not resolve to any address".to_owned())
            }
            ureq::Error::ConnectionFailed => Self::Connect("connection failed".to_owned()),
            ureq::Error::Rustls(e) => Self::Connect(format!("TLS: {e}")),
            ureq::Error::Tls(e) => Self::Connect(format!("TLS: {e}")),
            ureq::Error::Io(e) => Self::Other(e.to_string()),
            other => Self::Other(other.to_string()),
        }
    }
}

fn is_connect_failure(kind: io::ErrorKind) -> bool {
    matches!(
        kind,
        io::ErrorKind::ConnectionRefused
            | io::ErrorKind::HostUnreachable
            | io::ErrorKind::NetworkUnreachable
            | io::ErrorKind::NetworkDown
            | io::ErrorKind::AddrNotAvailable
    )
}

/// POSTs `body` as `application/json` with `headers` added, through an agent from
/// [`Outbound::agent`], and reads at most the first 1024 bytes of the answer before dropping
/// the connection, so that a receiver sending megabytes costs nothing.
pub fn post(
    agent: &ureq::Agent,
    url: &str,
    headers: &[(String, String)],
    body: &[u8],
) -> Result<Reply, SendError> {
    let started = Instant::now();
    let mut request = agent.post(url).header("content-type", "application/json");
    for (name, value) in headers {
        request = request.header(name.as_str(), value.as_str());
    }
    let mut response = request
        .send(body)
        .map_err(|error| SendError::from_ureq(error, started.elapsed()))?;
    let status = response.status().as_u16();
    let mut kept = Vec::with_capacity(MAX_REPLY_BODY);
    // The status is the receiver's answer; a body that breaks off does not undo it.
    if let Err(error) = response
        .body_mut()
        .as_reader()
        .take(MAX_REPLY_BODY as u64)
        .read_to_end(&mut kept)
    {
        tracing::debug!(url, status, %error, "reply body broke off");
    }
    Ok(Reply {
        status,
        body: lossy_prefix(&kept),
        duration: started.elapsed(),
    })
}

/// GETs `url` through an agent from [`Outbound::agent`], giving up after `timeout` (at most the
/// agent's own), and returns the response unread: redirects are the caller's to check and follow.
pub fn get(
    agent: &ureq::Agent,
    url: &str,
    timeout: Duration,
) -> Result<ureq::http::Response<ureq::Body>, SendError> {
    let started = Instant::now();
    agent
        .get(url)
        .config()
        .timeout_global(Some(timeout))
        .build()
        .call()
        .map_err(|error| SendError::from_ureq(error, started.elapsed()))
}

/// `bytes` as text of at most [`MAX_REPLY_BODY`] bytes.
fn lossy_prefix(bytes: &[u8]) -> String {
    // A character cut in half by the read limit is dropped rather than shown as U+FFFD.
    let complete = match std::str::from_utf8(bytes) {
        Err(e) if e.error_len().is_none() => &bytes[..e.valid_up_to()],
        _ => bytes,
    };
    let mut text = String::from_utf8_lossy(complete).into_owned();
    // Each replacement character takes three bytes, so invalid input can grow past the limit.
    let mut end = text.len().min(MAX_REPLY_BODY);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text.truncate(end);
    text
}

#[cfg(test)]
mod tests {
    use std::io::{ErrorKind, Write};
    use std::net::{SocketAddr, TcpListener};
    use std::thread;

    use super::*;

    fn outbound(s: &str) -> Outbound {
        s.parse().expect("a valid setting in the test")
    }

    /// Resolves IP literals only, which the default resolver parses without a DNS lookup.
    fn resolve(setting: &str, uri: &str) -> Result<Vec<SocketAddr>, ureq::Error> {
        let resolver = AllowedOnly {
            outbound: outbound(setting),
            dns: DefaultResolver::default(),
        };
        let uri: Uri = uri.parse().expect("a valid URI in the test");
        let config = ureq::Agent::config_builder().proxy(None).build();
        let resolved = resolver.resolve(&uri, &config, NextTimeout::default())?;
        Ok(resolved.to_vec())
    }

    #[test]
    fn the_resolver_refuses_addresses_the_setting_does_not_allow() {
        for (setting, uri) in [
            ("private", "http://169.254.169.254/latest/meta-data/"),
            ("private", "http://[::ffff:169.254.169.254]/"),
            ("private", "http://[fd00:ec2::254]/"),
            ("private", "http://0.0.0.0:8080/"),
            ("public", "http://10.0.0.1/"),
            ("public", "http://127.0.0.1:8080/"),
            ("public", "http://[::1]/"),
            ("loopback", "http://8.8.8.8/"),
            ("none", "http://8.8.8.8/"),
        ] {
            let error = resolve(setting, uri).expect_err(uri);
            let refused = SendError::from_ureq(error, Duration::ZERO);
            assert!(
                matches!(&refused, SendError::Refused(message)
                    if message.ends_with(&format!("resolved only to addresses that MASTHEAD_OUTBOUND={setting} does not allow"))),
                "{uri} under {setting}: {refused:?}"
            );
        }
        assert_eq!(
            resolve("private", "http://10.0.0.1/").expect("allowed"),
            [SocketAddr::from(([10, 0, 0, 1], 80))]
        );
    }

    #[test]
    fn lossy_prefix_cuts_on_a_character_boundary() {
        let text = format!("a{}", "é".repeat(1000));
        let kept = lossy_prefix(&text.as_bytes()[..MAX_REPLY_BODY]);
        assert_eq!(kept.len(), MAX_REPLY_BODY - 1);
        assert!(text.starts_with(&kept));

        let invalid = [0xff_u8; MAX_REPLY_BODY];
        let kept = lossy_prefix(&invalid);
        assert!(kept.len() <= MAX_REPLY_BODY);
        assert!(kept.chars().all(|c| c == char::REPLACEMENT_CHARACTER));
    }

    /// A listener on 127.0.0.1:0 that reads each request, writes `answer` and keeps the
    /// connection open until the client hangs up; an empty `answer` never answers.
    fn serve(answer: Vec<u8>) -> SocketAddr {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        let addr = listener.local_addr().expect("local address");
        thread::spawn(move || {
            for mut stream in listener.incoming().flatten() {
                // One read holds the small requests these tests send; the rest is drained below.
                let _ = stream.read(&mut [0; 4096]);
                // The client may hang up before the answer is written; some tests check that.
                let _ = stream.write_all(&answer);
                let _ = stream.read_to_end(&mut Vec::new());
            }
        });
        addr
    }

    fn answer(status: &str, headers: &str, body: &[u8]) -> Vec<u8> {
        let head = format!(
            "HTTP/1.1 {status}\r\n{headers}content-length: {}\r\nconnection: close\r\n\r\n",
            body.len()
        );
        [head.as_bytes(), body].concat()
    }

    /// A listener that accepts nothing: a connection attempt would wait in its backlog.
    fn unserved() -> (TcpListener, String) {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        let url = format!("http://{}/", listener.local_addr().expect("local address"));
        (listener, url)
    }

    fn assert_never_connected(listener: &TcpListener) {
        listener.set_nonblocking(true).expect("non-blocking");
        let accepted = listener.accept();
        assert!(
            matches!(&accepted, Err(e) if e.kind() == ErrorKind::WouldBlock),
            "a connection arrived: {accepted:?}"
        );
    }

    const TIMEOUT: Duration = Duration::from_secs(5);

    #[test]
    fn post_keeps_only_the_first_kibibyte_of_a_large_reply() {
        let addr = serve(answer("200 OK", "", &[b'x'; 100 * 1024]));
        let agent = outbound("loopback").agent(TIMEOUT);

        let reply = post(&agent, &format!("http://{addr}/hook"), &[], b"{}").expect("answered");

        assert_eq!(reply.status, 200);
        assert_eq!(reply.body, "x".repeat(MAX_REPLY_BODY));
        assert!(reply.duration < TIMEOUT);
    }

    #[test]
    fn post_does_not_wait_for_the_rest_of_a_huge_reply() {
        let head = "HTTP/1.1 200 OK\r\ncontent-length: 10485760\r\n\r\n";
        // Only 2 KiB of the promised 10 MB ever come: reading on would wait for the timeout.
        let addr = serve([head.as_bytes(), &[b'x'; 2048]].concat());
        let agent = outbound("loopback").agent(TIMEOUT);

        let reply = post(&agent, &format!("http://{addr}/"), &[], b"{}").expect("answered");

        assert_eq!(reply.status, 200);
        assert_eq!(reply.body.len(), MAX_REPLY_BODY);
        assert!(reply.duration < TIMEOUT / 2, "{:?}", reply.duration);
    }

    #[test]
    fn post_returns_error_statuses_and_does_not_follow_redirects() {
        let (elsewhere, elsewhere_url) = unserved();
        let location = format!("location: {elsewhere_url}\r\n");
        let redirect = serve(answer("302 Found", &location, b""));
        let failure = serve(answer("500 Internal Server Error", "", b"boom"));
        let agent = outbound("loopback").agent(TIMEOUT);

        let reply = post(&agent, &format!("http://{redirect}/"), &[], b"{}").expect("answered");
        assert_eq!(reply.status, 302);
        assert_never_connected(&elsewhere);

        let reply = post(&agent, &format!("http://{failure}/"), &[], b"{}").expect("answered");
        assert_eq!((reply.status, reply.body.as_str()), (500, "boom"));
    }

    #[test]
    fn post_times_out_on_a_receiver_that_never_answers() {
        let addr = serve(Vec::new());
        let timeout = Duration::from_millis(500);
        let agent = outbound("loopback").agent(timeout);

        let error = post(&agent, &format!("http://{addr}/"), &[], b"{}").expect_err("no answer");

        let SendError::Timeout(after) = error else {
            panic!("expected a timeout, got {error:?}");
        };
        assert!(
            after >= timeout && after < timeout + Duration::from_secs(1),
            "{after:?}"
        );
    }

    #[test]
    fn a_public_agent_refuses_loopback_before_connecting() {
        let (listener, url) = unserved();
        let agent = outbound("public").agent(TIMEOUT);

        let error = post(&agent, &url, &[], b"{}").expect_err("refused");

        assert_eq!(
            error.to_string(),
            "127.0.0.1 resolved only to addresses that MASTHEAD_OUTBOUND=public does not allow"
        );
        assert!(matches!(error, SendError::Refused(_)));
        assert_never_connected(&listener);
    }

    #[test]
    fn a_loopback_agent_calls_this_machine() {
        let addr = serve(answer("204 No Content", "", b""));
        let agent = outbound("loopback").agent(TIMEOUT);

        let reply = post(&agent, &format!("http://{addr}/"), &[], b"{}").expect("answered");

        assert_eq!((reply.status, reply.body.as_str()), (204, ""));
    }

    #[test]
    fn a_closed_port_is_a_connect_error() {
        let (listener, url) = unserved();
        drop(listener);
        let agent = outbound("loopback").agent(TIMEOUT);

        let error = post(&agent, &url, &[], b"{}").expect_err("nobody listens");

        assert!(matches!(error, SendError::Connect(_)), "{error:?}");
    }
}
