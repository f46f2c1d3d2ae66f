//! Where Masthead may call out to: the guard against server-side request forgery for webhooks
//! (and, later, image imports).
//!
//! A URL is checked twice. [`Outbound::check_url`] runs when a webhook is saved and contacts
//! nothing, so it can only judge IP literals and `localhost`. The agent from [`Outbound::agent`]
//! checks again at call time, on the addresses the name actually resolves to, because DNS
//! can answer differently on every lookup.

use std::fmt;
use std::io::{self, Read};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::str::FromStr;
use std::time::{Duration, Instant};

use ureq::config::Config;
use ureq::http::Uri;
use ureq::unversioned::resolver::{DefaultResolver, ResolvedSocketAddrs, Resolver};
use ureq::unversioned::transport::{Connector, NextTimeout, RustlsConnector, TcpConnector};
use url::{Host, Url};

/// Longest URL accepted, in bytes.
const MAX_URL_LEN: usize = 2048;

/// How much of a reply body is kept for the delivery log, in bytes.
const MAX_REPLY_BODY: usize = 1024;

const USER_AGENT: &str = concat!("Masthead/", env!("CARGO_PKG_VERSION"));

const LINK_LOCAL: &str = "a link-local or metadata address";

/// Where an address leads, for the addresses Masthead may call at all.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AddressClass {
    /// On the internet.
    Public,
    /// A private range (RFC 1918, carrier-grade NAT, IPv6 unique local): another machine in
    /// the same network.
    Private,
    /// This machine.
    Loopback,
}

impl AddressClass {
    fn described(self) -> &'static str {
        match self {
            Self::Public => "is on the public internet",
            Self::Private => "is a private address",
            Self::Loopback => "is a loopback address",
        }
    }

    fn allowing(self) -> &'static str {
        match self {
            Self::Public => "the public internet",
            Self::Private => "the private ranges",
            Self::Loopback => "this machine",
        }
    }
}

/// Classifies an address, or returns `None` for one Masthead never calls whatever the setting:
/// link-local and cloud metadata, unspecified, multicast, broadcast, reserved, documentation
/// and benchmarking addresses.
///
/// IPv6 addresses that carry an IPv4 address (mapped `::ffff:a.b.c.d`, compatible `::a.b.c.d`
/// and NAT64 `64:ff9b::a.b.c.d`) are classified as that IPv4 address, since that is where a
/// connection to them ends up.
pub fn classify(ip: IpAddr) -> Option<AddressClass> {
    class_of(ip).ok()
}

/// The class of `ip`, or why it is never called (completing "… is ").
fn class_of(ip: IpAddr) -> Result<AddressClass, &'static str> {
    match ip {
        IpAddr::V4(ip) => class_of_v4(ip),
        IpAddr::V6(ip) => class_of_v6(ip),
    }
}

fn class_of_v4(ip: Ipv4Addr) -> Result<AddressClass, &'static str> {
    const ALIBABA_METADATA: Ipv4Addr = Ipv4Addr::new(100, 100, 100, 200);
    // The never-called ranges come first: the Alibaba metadata address lies inside CGNAT.
    match ip.octets() {
        [169, 254, _, _] => Err(LINK_LOCAL),
        _ if ip == ALIBABA_METADATA => Err(LINK_LOCAL),
        [0, _, _, _] => Err("an unspecified (\"this network\") address"),
        [224..=239, _, _, _] => Err("a multicast address"),
        _ if ip == Ipv4Addr::BROADCAST => Err("the broadcast address"),
        [240..=255, _, _, _] => Err("a reserved address"),
        [192, 0, 2, _] | [198, 51, 100, _] | [203, 0, 113, _] => Err("a documentation address"),
        [198, 18..=19, _, _] => Err("a benchmarking address"),
        [127, _, _, _] => Ok(AddressClass::Loopback),
        [10, _, _, _] | [172, 16..=31, _, _] | [192, 168, _, _] | [100, 64..=127, _, _] => {
            Ok(AddressClass::Private)
        }
        _ => Ok(AddressClass::Public),
    }
}

fn class_of_v6(ip: Ipv6Addr) -> Result<AddressClass, &'static str> {
    const AWS_METADATA: Ipv6Addr = Ipv6Addr::new(0xfd00, 0xec2, 0, 0, 0, 0, 0, 0x254);
    if let Some(v4) = embedded_v4(ip) {
        return class_of_v4(v4);
    }
    if ip.is_unspecified() {
        return Err("an unspecified address");
    }
    if ip.is_loopback() {
        return Ok(AddressClass::Loopback);
    }
    // Before the unique local range, which holds the AWS metadata address.
    if ip == AWS_METADATA {
        return Err(LINK_LOCAL);
    }
    match ip.segments() {
        [0xfe80..=0xfebf, ..] => Err(LINK_LOCAL),
        [0xff00..=0xffff, ..] => Err("a multicast address"),
        [0x2001, 0x0db8, ..] => Err("a documentation address"),
        [0xfc00..=0xfdff, ..] => Ok(AddressClass::Private),
        _ => Ok(AddressClass::Public),
    }
}

/// The IPv4 address inside an IPv4-mapped, IPv4-compatible or NAT64 (`64:ff9b::/96`) address.
fn embedded_v4(ip: Ipv6Addr) -> Option<Ipv4Addr> {
    let v4 = |high: u16, low: u16| Ipv4Addr::from((u32::from(high) << 16) | u32::from(low));
    match ip.segments() {
        [0, 0, 0, 0, 0, 0xffff, high, low] | [0x64, 0xff9b, 0, 0, 0, 0, high, low] => {
            Some(v4(high, low))
        }
        // `::` and `::1` share the compatible prefix but are IPv6's own unspecified and loopback.
        [0, 0, 0, 0, 0, 0, 0, 0..=1] => None,
        [0, 0, 0, 0, 0, 0, high, low] => Some(v4(high, low)),
        _ => None,
    }
}

/// Which classes of address Masthead may call: the `MASTHEAD_OUTBOUND` setting.
///
/// Parsed from a comma-separated list of `public`, `private` (public and the private ranges,
/// for a frontend in the same network) and `loopback` (this machine), or `none`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outbound {
    public: bool,
    private: bool,
    loopback: bool,
}

impl Outbound {
    const NONE: Self = Self {
        public: false,
        private: false,
        loopback: false,
    };

    /// Whether a call to `ip` is allowed.
    pub fn allows(&self, ip: IpAddr) -> bool {
        classify(ip).is_some_and(|class| self.allows_class(class))
    }

    fn allows_class(&self, class: AddressClass) -> bool {
        match class {
            AddressClass::Public => self.public,
            AddressClass::Private => self.private,
            AddressClass::Loopback => self.loopback,
        }
    }

    /// Adds `class` the way its setting word does: `private` brings `public` along.
    fn allow(&mut self, class: AddressClass) {
        match class {
            AddressClass::Public => self.public = true,
            AddressClass::Private => {
                self.public = true;
                self.private = true;
            }
            AddressClass::Loopback => self.loopback = true,
        }
    }

    /// Checks a URL given for a webhook when it is saved, without contacting anything (no DNS
    /// lookup), and returns it parsed and normalised.
    ///
    /// The WHATWG parser turns decimal, octal and hexadecimal IPv4 forms into dotted quads, so
    /// `http://2130706433/` is judged as `127.0.0.1`. A host name other than `localhost` is
    /// presumed public here; the agent checks what it resolves to at call time.
    pub fn check_url(&self, raw: &str) -> Result<Url, OutboundError> {
        if *self == Self::NONE {
            return Err(OutboundError::TurnedOff);
        }
        // Checked before parsing too, so that a huge input costs nothing.
        if raw.len() > MAX_URL_LEN {
            return Err(OutboundError::TooLong);
        }
        let url = Url::parse(raw).map_err(|e| OutboundError::Invalid(e.to_string()))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(OutboundError::Scheme);
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(OutboundError::Credentials);
        }
        // Normalising percent-encodes, which can make the stored form longer than the input.
        if url.as_str().len() > MAX_URL_LEN {
            return Err(OutboundError::TooLong);
        }
        let class = match url.host() {
            None => return Err(OutboundError::Invalid("the URL has no host".to_owned())),
            Some(Host::Ipv4(ip)) => class_of(ip.into()),
            Some(Host::Ipv6(ip)) => class_of(ip.into()),
            Some(Host::Domain(name)) if is_localhost(name) => Ok(AddressClass::Loopback),
            Some(Host::Domain(_)) => Ok(AddressClass::Public),
        };
        let class = class.map_err(|kind| OutboundError::NeverCalled {
            url: url.to_string(),
            kind,
        })?;
        if !self.allows_class(class) {
            let mut wider = self.clone();
            wider.allow(class);
            return Err(OutboundError::NotAllowed {
                url: url.to_string(),
                class,
                setting: self.to_string(),
                wider: wider.to_string(),
            });
        }
        Ok(url)
    }

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

/// `public`: calls go to the internet only.
impl Default for Outbound {
    fn default() -> Self {
        Self {
            public: true,
            private: false,
            loopback: false,
        }
    }
}

const ALLOWED_WORDS: &str =
    "MASTHEAD_OUTBOUND takes a comma-separated list of public, private and loopback, or none";

impl FromStr for Outbound {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let mut outbound = Self::NONE;
        let mut none = false;
        for word in s.split(',') {
            match word.trim().to_ascii_lowercase().as_str() {
                "public" => outbound.allow(AddressClass::Public),
                "private" => outbound.allow(AddressClass::Private),
                "loopback" => outbound.allow(AddressClass::Loopback),
                "none" => none = true,
                "" => return Err(format!("{ALLOWED_WORDS}; found an empty entry in {s:?}")),
                other => return Err(format!("{ALLOWED_WORDS}; {other:?} is not one of them")),
            }
        }
        if none && outbound != Self::NONE {
            return Err(format!(
                "{ALLOWED_WORDS}; none cannot be combined with others"
            ));
        }
        Ok(outbound)
    }
}

/// The canonical form: `none`, or `public`/`private` and `loopback` in that order (`private`
/// already includes `public`).
impl fmt::Display for Outbound {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let words = [
            (self.private, "private"),
            (self.public && !self.private, "public"),
            (self.loopback, "loopback"),
        ];
        let mut allowed = words.iter().filter(|(on, _)| *on).map(|(_, word)| *word);
        match allowed.next() {
            None => f.write_str("none"),
            Some(first) => {
                f.write_str(first)?;
                allowed.try_for_each(|word| write!(f, ",{word}"))
            }
        }
    }
}

fn is_localhost(name: &str) -> bool {
    // A fully qualified `localhost.` resolves to this machine just the same.
    let name = name.strip_suffix('.').unwrap_or(name);
    name.eq_ignore_ascii_case("localhost") || name.to_ascii_lowercase().ends_with(".localhost")
}

/// Why a URL cannot be used as a webhook. Each message is written for the person who gave it.
#[derive(Debug, thiserror::Error)]
pub enum OutboundError {
    /// `MASTHEAD_OUTBOUND=none`.
    #[error("outbound calls are turned off (MASTHEAD_OUTBOUND=none)")]
    TurnedOff,
    /// Longer than 2048 bytes.
    #[error("the URL is longer than 2048 bytes")]
    TooLong,
    /// Not an absolute URL with a host.
    #[error("not a valid absolute URL: {0}")]
    Invalid(String),
    /// A scheme other than http and https.
    #[error("only http and https URLs can be called")]
    Scheme,
    /// A user name or password in the URL.
    #[error("the URL must not contain a user name or password")]
    Credentials,
    /// An address Masthead never calls, whatever the setting.
    #[error("{url} is {kind}, which Masthead never calls")]
    NeverCalled {
        /// The URL, normalised.
        url: String,
        /// What the address is, e.g. "a link-local or metadata address".
        kind: &'static str,
    },
    /// An address of a class the setting does not allow.
    #[error(
        "{url} {what}; MASTHEAD_OUTBOUND={setting} does not allow it \
         (set MASTHEAD_OUTBOUND={wider} to allow {allowing})",
        what = .class.described(),
        allowing = .class.allowing()
    )]
    NotAllowed {
        /// The URL, normalised.
        url: String,
        /// Where the URL leads.
        class: AddressClass,
        /// The current setting, canonical.
        setting: String,
        /// The smallest setting that would allow the URL.
        wider: String,
    },
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

    fn ip(s: &str) -> IpAddr {
        s.parse().expect("a valid IP address in the test table")
    }

    fn outbound(s: &str) -> Outbound {
        s.parse().expect("a valid setting in the test")
    }

    #[test]
    fn classify_sorts_every_range() {
        use AddressClass::{Loopback, Private, Public};
        let cases: &[(&str, Option<AddressClass>)] = &[
            // Link-local and metadata.
            ("169.254.0.0", None),
            ("169.254.169.254", None),
            ("169.254.255.255", None),
            ("169.253.255.255", Some(Public)),
            ("169.255.0.0", Some(Public)),
            ("100.100.100.200", None),
            ("100.100.100.201", Some(Private)),
            ("fe80::1", None),
            ("febf:ffff::1", None),
            ("fec0::1", Some(Public)),
            ("fd00:ec2::254", None),
            ("fd00:ec2::253", Some(Private)),
            // Unspecified and "this network".
            ("0.0.0.0", None),
            ("0.255.255.255", None),
            ("1.0.0.0", Some(Public)),
            ("::", None),
            // Multicast, broadcast, reserved.
            ("224.0.0.1", None),
            ("239.255.255.255", None),
            ("223.255.255.255", Some(Public)),
            ("ff02::1", None),
            ("255.255.255.255", None),
            ("240.0.0.0", None),
            ("254.255.255.255", None),
            // Documentation and benchmarking.
            ("192.0.2.1", None),
            ("198.51.100.7", None),
            ("203.0.113.255", None),
            ("192.0.3.1", Some(Public)),
            ("2001:db8::1", None),
            ("2001:db9::1", Some(Public)),
            ("198.18.0.0", None),
            ("198.19.255.255", None),
            ("198.17.255.255", Some(Public)),
            ("198.20.0.0", Some(Public)),
            // Private.
            ("10.0.0.0", Some(Private)),
            ("10.255.255.255", Some(Private)),
            ("11.0.0.0", Some(Public)),
            ("172.16.0.0", Some(Private)),
            ("172.31.255.255", Some(Private)),
            ("172.15.255.255", Some(Public)),
            ("172.32.0.0", Some(Public)),
            ("192.168.0.1", Some(Private)),
            ("192.169.0.1", Some(Public)),
            ("100.64.0.0", Some(Private)),
            ("100.127.255.255", Some(Private)),
            ("100.63.255.255", Some(Public)),
            ("100.128.0.0", Some(Public)),
            ("fc00::1", Some(Private)),
            ("fdff:ffff::1", Some(Private)),
            ("fbff::1", Some(Public)),
            // Loopback.
            ("127.0.0.1", Some(Loopback)),
            ("127.255.255.254", Some(Loopback)),
            ("::1", Some(Loopback)),
            // IPv6 carrying IPv4.
            ("::ffff:127.0.0.1", Some(Loopback)),
            ("::ffff:169.254.169.254", None),
            ("::ffff:10.1.2.3", Some(Private)),
            ("::ffff:8.8.8.8", Some(Public)),
            ("::127.0.0.1", Some(Loopback)),
            ("::0.0.0.2", None),
            ("64:ff9b::169.254.169.254", None),
            ("64:ff9b::192.168.1.1", Some(Private)),
            ("64:ff9b::1.1.1.1", Some(Public)),
            // Public.
            ("8.8.8.8", Some(Public)),
            ("2606:4700::1111", Some(Public)),
        ];
        for (address, expected) in cases {
            assert_eq!(classify(ip(address)), *expected, "{address}");
        }
    }

    #[test]
    fn settings_parse_case_insensitively_and_print_canonically() {
        let cases = [
            ("public", "public"),
            (" PUBLIC ", "public"),
            ("private", "private"),
            ("public,private", "private"),
            ("loopback", "loopback"),
            ("loopback, public", "public,loopback"),
            ("Private,Loopback", "private,loopback"),
            ("public,public", "public"),
            ("none", "none"),
            (" None ", "none"),
        ];
        for (input, canonical) in cases {
            let parsed = outbound(input);
            assert_eq!(parsed.to_string(), canonical, "{input:?}");
            assert_eq!(outbound(canonical), parsed, "{input:?} round-trips");
        }
        assert_eq!(Outbound::default(), outbound("public"));
    }

    #[test]
    fn bad_settings_name_the_allowed_words() {
        for input in ["", "  ", "open", "public,", "none,public", "loopback,none"] {
            let message = input.parse::<Outbound>().expect_err(input);
            assert!(
                message.contains("public, private and loopback, or none"),
                "{input:?}: {message}"
            );
        }
    }

    #[test]
    fn settings_allow_their_classes() {
        let public = ip("8.8.8.8");
        let private = ip("10.0.0.1");
        let loopback = ip("127.0.0.1");
        let metadata = ip("169.254.169.254");
        let cases = [
            ("public", [true, false, false]),
            ("private", [true, true, false]),
            ("loopback", [false, false, true]),
            ("public,loopback", [true, false, true]),
            ("none", [false, false, false]),
        ];
        for (setting, [allows_public, allows_private, allows_loopback]) in cases {
            let outbound = outbound(setting);
            assert_eq!(outbound.allows(public), allows_public, "{setting}");
            assert_eq!(outbound.allows(private), allows_private, "{setting}");
            assert_eq!(outbound.allows(loopback), allows_loopback, "{setting}");
            assert!(!outbound.allows(metadata), "{setting}");
        }
    }

    #[test]
    fn check_url_judges_urls_without_contacting_anything() {
        let long = format!("https://example.com/{}", "a".repeat(MAX_URL_LEN));
        let cases: &[(&str, [bool; 3])] = &[
            ("https://example.com/hook", [true, true, false]),
            ("http://example.com:8080/hook?x=1", [true, true, false]),
            ("http://10.0.0.5/hook", [false, true, false]),
            ("http://[fd12::1]/", [false, true, false]),
            ("http://127.0.0.1:3000/", [false, false, true]),
            ("http://[::1]/", [false, false, true]),
            ("http://localhost:3000/x", [false, false, true]),
            ("http://LOCALHOST./x", [false, false, true]),
            ("http://api.localhost/x", [false, false, true]),
            ("http://ⓛⓞⓒⓐⓛⓗⓞⓢⓣ/x", [false, false, true]),
            ("http://notlocalhost/x", [true, true, false]),
            // Other spellings of 127.0.0.1, which the parser normalises.
            ("http://2130706433/", [false, false, true]),
            ("http://0177.0.0.1/", [false, false, true]),
            ("http://0x7f.0.0.1/", [false, false, true]),
            ("http://0x7f000001/", [false, false, true]),
            ("http://127.1/", [false, false, true]),
            ("http://[::ffff:127.0.0.1]/", [false, false, true]),
            // Never called.
            ("http://169.254.169.254/latest/meta-data/", [false; 3]),
            ("http://[::ffff:169.254.169.254]/", [false; 3]),
            ("http://[fe80::1]/", [false; 3]),
            ("http://0.0.0.0/", [false; 3]),
            ("http://0/", [false; 3]),
            ("http://100.100.100.200/", [false; 3]),
            ("http://192.0.2.1/", [false; 3]),
            // Malformed.
            ("ftp://example.com/file", [false; 3]),
            ("file:///etc/passwd", [false; 3]),
            ("http://user:pw@example.com/", [false; 3]),
            ("http://user@example.com/", [false; 3]),
            ("/relative/path", [false; 3]),
            ("not a url", [false; 3]),
            (&long, [false; 3]),
        ];
        // Each row: accepted under public, private, loopback.
        for (url, expected) in cases {
            for (setting, allowed) in ["public", "private", "loopback"].iter().zip(expected) {
                let result = outbound(setting).check_url(url);
                assert_eq!(
                    result.is_ok(),
                    *allowed,
                    "{url} under {setting}: {result:?}"
                );
            }
            let refused = outbound("none").check_url(url).expect_err(url);
            assert!(
                matches!(refused, OutboundError::TurnedOff),
                "{url}: {refused:?}"
            );
        }
    }

    #[test]
    fn check_url_returns_the_normalised_url() {
        let url = outbound("loopback").check_url("http://0x7f.1:8080/a b");
        assert_eq!(
            url.expect("accepted").as_str(),
            "http://127.0.0.1:8080/a%20b"
        );
    }

    #[test]
    fn check_url_explains_refusals() {
        let message =
            |setting: &str, url: &str| outbound(setting).check_url(url).expect_err(url).to_string();
        assert_eq!(
            message("private", "http://169.254.169.254"),
            "http://169.254.169.254/ is a link-local or metadata address, which Masthead never calls"
        );
        assert_eq!(
            message("public", "http://10.1.2.3/hook"),
            "http://10.1.2.3/hook is a private address; MASTHEAD_OUTBOUND=public does not allow it \
             (set MASTHEAD_OUTBOUND=private to allow the private ranges)"
        );
        assert_eq!(
            message("loopback", "https://example.com/"),
            "https://example.com/ is on the public internet; MASTHEAD_OUTBOUND=loopback does not \
             allow it (set MASTHEAD_OUTBOUND=public,loopback to allow the public internet)"
        );
        assert_eq!(
            message("private", "http://localhost:3000/x"),
            "http://localhost:3000/x is a loopback address; MASTHEAD_OUTBOUND=private does not \
             allow it (set MASTHEAD_OUTBOUND=private,loopback to allow this machine)"
        );
        assert_eq!(
            message("none", "https://example.com/"),
            "outbound calls are turned off (MASTHEAD_OUTBOUND=none)"
        );
        assert_eq!(
            message("public", "ftp://example.com/"),
            "only http and https URLs can be called"
        );
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
            [SocketAddr::new(ip("10.0.0.1"), 80)]
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
