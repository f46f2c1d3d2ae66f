//! Compressed answers: which encoding a client takes, the bytes in it, and the entity tag of
//! each encoding.
//!
//! A representation in another encoding is another set of bytes, so it gets its own strong
//! ETag (RFC 9110, section 8.8.3): the identity tag with the encoding's name appended. A client
//! that sends back any of them names the same content, so preconditions compare the tags
//! without that suffix.

use std::io::Write;

use actix_web::{http::header::HeaderValue, web::Bytes};

/// Bodies smaller than this are sent as they are: the saving would not pay for the work.
const MIN_BYTES: usize = 1024;

/// Brotli's quality for answers made per request: most of the size gain at a small part of
/// the cost of its highest setting.
const BROTLI_QUALITY: u32 = 5;
const BROTLI_WINDOW: u32 = 22;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Identity,
    Gzip,
    Brotli,
}

impl Encoding {
    /// The `Content-Encoding` token, for the encodings that have one.
    pub fn token(self) -> Option<&'static str> {
        match self {
            Self::Identity => None,
            Self::Gzip => Some("gzip"),
            Self::Brotli => Some("br"),
        }
    }

    /// The encoding a client's `Accept-Encoding` prefers among those offered here: the highest
    /// weight wins, brotli on a tie; `q=0` refuses one; without the header, none.
    pub fn negotiate(accept_encoding: Option<&HeaderValue>) -> Self {
        let Some(accepted) = accept_encoding.and_then(|v| v.to_str().ok()) else {
            return Self::Identity;
        };
        let mut weights: Vec<(&str, f32)> = accepted
            .split(',')
            .filter_map(|item| {
                let mut parts = item.split(';');
                let coding = parts.next()?.trim();
                let weight = parts
                    .find_map(|p| p.trim().strip_prefix("q="))
                    .map_or(Some(1.0), |q| q.trim().parse::<f32>().ok())?;
                (!coding.is_empty()).then_some((coding, weight))
            })
            .collect();
        weights.sort_by(|a, b| b.1.total_cmp(&a.1));
        let weight_of = |token: &str| {
            weights
                .iter()
                .find(|(coding, _)| coding.eq_ignore_ascii_case(token))
                .or_else(|| weights.iter().find(|(coding, _)| *coding == "*"))
                .map_or(0.0, |(_, weight)| *weight)
        };
        let (brotli, gzip) = (weight_of("br"), weight_of("gzip"));
        match (brotli > 0.0, gzip > 0.0) {
            (true, true) if gzip > brotli => Self::Gzip,
            (true, _) => Self::Brotli,
            (false, true) => Self::Gzip,
            (false, false) => Self::Identity,
        }
    }

    /// `body` in this encoding.
    pub fn encode(self, body: &[u8]) -> std::io::Result<Bytes> {
        match self {
            Self::Identity => Ok(Bytes::copy_from_slice(body)),
            Self::Gzip => {
                let mut encoder =
                    flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
                encoder.write_all(body)?;
                encoder.finish().map(Bytes::from)
            }
            Self::Brotli => {
                let mut out = Vec::with_capacity(body.len() / 4);
                {
                    let mut encoder = brotli::CompressorWriter::new(
                        &mut out,
                        4096,
                        BROTLI_QUALITY,
                        BROTLI_WINDOW,
                    );
                    encoder.write_all(body)?;
                }
                Ok(Bytes::from(out))
            }
        }
    }

    /// `body` in this encoding when that is worth sending: a text type, at least
    /// [`MIN_BYTES`], and an encoding other than identity.
    pub fn encode_if_worth(self, content_type: &str, body: &[u8]) -> Option<Bytes> {
        let worth = self != Self::Identity && body.len() >= MIN_BYTES && compressible(content_type);
        worth.then(|| self.encode(body).ok()).flatten()
    }

    /// The entity tag of this encoding of the representation whose identity tag is `etag`.
    pub fn etag(self, etag: &str) -> String {
        match self.token() {
            None => etag.to_owned(),
            Some(token) => match etag.strip_suffix('"') {
                Some(open) => format!("{open}-{token}\""),
                None => etag.to_owned(),
            },
        }
    }
}

/// Whether a content type is text that compresses (JSON, XML, HTML, plain text).
pub fn compressible(content_type: &str) -> bool {
    let essence = content_type.split(';').next().unwrap_or_default().trim();
    essence.starts_with("text/")
        || essence.ends_with("json")
        || essence.ends_with("xml")
        || essence == "application/javascript"
}

/// An entity tag without the encoding suffix, so that every encoding's tag names the same
/// content in `If-None-Match` and `If-Match`.
pub fn identity_tag(etag: &str) -> String {
    let tag = etag.trim().trim_start_matches("W/");
    for token in ["-br\"", "-gzip\""] {
        if let Some(open) = tag.strip_suffix(token) {
            return format!("{open}\"");
        }
    }
    tag.to_owned()
}

#[cfg(test)]
mod tests {
    use std::io::Read;

    use super::*;

    fn negotiated(value: &str) -> Encoding {
        Encoding::negotiate(Some(&HeaderValue::from_str(value).expect("a header value")))
    }

    #[test]
    fn the_client_s_weights_choose_and_brotli_wins_a_tie() {
        assert_eq!(Encoding::negotiate(None), Encoding::Identity);
        assert_eq!(negotiated("gzip, deflate, br"), Encoding::Brotli);
        assert_eq!(negotiated("gzip"), Encoding::Gzip);
        assert_eq!(negotiated("br;q=0.5, gzip"), Encoding::Gzip);
        assert_eq!(negotiated("br;q=0, gzip;q=0.1"), Encoding::Gzip);
        assert_eq!(negotiated("br;q=0, gzip;q=0"), Encoding::Identity);
        assert_eq!(negotiated("*"), Encoding::Brotli);
        assert_eq!(negotiated("*;q=0.2, br;q=0"), Encoding::Gzip);
        assert_eq!(negotiated("identity"), Encoding::Identity);
        assert_eq!(negotiated("deflate, zstd"), Encoding::Identity);
        assert_eq!(negotiated("br;q=nonsense, gzip"), Encoding::Gzip);
    }

    #[test]
    fn encoded_bodies_decode_to_the_original() {
        let body = "{\"title\":\"养老服务\"}".repeat(200);
        let gzip = Encoding::Gzip.encode(body.as_bytes()).expect("gzip");
        let mut decoded = String::new();
        flate2::read::GzDecoder::new(&gzip[..])
            .read_to_string(&mut decoded)
            .expect("gunzip");
        assert_eq!(decoded, body);
        let brotli = Encoding::Brotli.encode(body.as_bytes()).expect("brotli");
        let mut decoded = String::new();
        brotli::Decompressor::new(&brotli[..], 4096)
            .read_to_string(&mut decoded)
            .expect("unbrotli");
        assert_eq!(decoded, body);
        assert!(brotli.len() < body.len() / 10 && gzip.len() < body.len() / 10);
    }

    #[test]
    fn each_encoding_has_its_own_tag_and_every_tag_names_the_content() {
        let etag = "\"0123abcd\"";
        assert_eq!(Encoding::Brotli.etag(etag), "\"0123abcd-br\"");
        assert_eq!(Encoding::Gzip.etag(etag), "\"0123abcd-gzip\"");
        assert_eq!(Encoding::Identity.etag(etag), etag);
        for encoding in [Encoding::Identity, Encoding::Gzip, Encoding::Brotli] {
            assert_eq!(identity_tag(&encoding.etag(etag)), etag);
        }
        assert_eq!(identity_tag("W/\"0123abcd-br\""), etag);
    }

    #[test]
    fn text_compresses_and_pictures_do_not() {
        assert!(compressible("application/json"));
        assert!(compressible("application/problem+json"));
        assert!(compressible("application/xml; charset=utf-8"));
        assert!(compressible("text/plain; charset=utf-8"));
        assert!(!compressible("image/jpeg"));
        assert!(!compressible("image/webp"));
    }
}
