//! Where Masthead may call out to: the guard against server-side request forgery for webhooks
//! and image imports.
//!
//! A URL is checked twice. [`Outbound::check_url`] runs when a webhook is saved and contacts
//! nothing, so it can only judge IP literals and `localhost`. The agent from [`Outbound::agent`]
//! checks again at call time, on the addresses the name actually resolves to, because DNS
//! can answer differently on every lookup.

mod call;

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::str::FromStr;

use url::{Host, Url};

pub use call::{Reply, SendError, get, post};

/// Longest URL accepted, in bytes.
const MAX_URL_LEN: usize = 2048;

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

#[cfg(test)]
mod tests {
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
}
