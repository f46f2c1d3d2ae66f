//! Browsers on other origins (CORS), through actix-cors.
//!
//! Anonymous reads are the same for everyone, so every origin gets `Access-Control-Allow-Origin:
//! *` for them, and one copy serves every frontend. Requests with credentials (an
//! `Authorization` header) and writes (any method but GET and HEAD) are another matter: only
//! the frontends named in `MASTHEAD_CORS_ORIGINS`, and the API's own pages, may make them from
//! a browser; they get their origin echoed, and any other origin is refused before a handler
//! runs. actix-cors takes one policy per middleware, so each request goes to one of two.

use std::{future::Future, pin::Pin, rc::Rc, str::FromStr};

use actix_cors::{Cors, CorsError, CorsMiddleware};
use actix_web::{
    Error, ResponseError,
    body::{EitherBody, MessageBody},
    dev::{RequestHead, Service, ServiceRequest, ServiceResponse, Transform, forward_ready},
    http::{Method, header},
};

use crate::error::ApiError;

/// Chromium's ceiling; Firefox would keep a preflight for a day. The policy changes only with
/// a restart.
const PREFLIGHT_MAX_AGE_SECONDS: usize = 7200;

/// Headers a script may read beyond the safelisted ones: validators, pagination, where a
/// created resource lives, and when to retry.
const EXPOSED: [header::HeaderName; 4] = [
    header::ETAG,
    header::LINK,
    header::LOCATION,
    header::RETRY_AFTER,
];

/// Stands for the `*` of a pattern while the rest is parsed as a URL.
const WILDCARD_LABEL: &str = "cors-wildcard-label";

/// The origins that may send credentials and write (`MASTHEAD_CORS_ORIGINS`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CorsOrigins(Vec<Allowed>);

#[derive(Debug, Clone, PartialEq, Eq)]
enum Allowed {
    /// Serialised as browsers send it: lower case, punycode, no default port, no slash.
    Origin(String),
    /// `https://*.example.com:8443` as `https://` and `.example.com:8443`: any one DNS label
    /// may stand between them, as in a wildcard certificate.
    Subdomains { scheme: String, rest: String },
}

impl CorsOrigins {
    pub fn admits(&self, origin: &str) -> bool {
        self.0.iter().any(|allowed| match allowed {
            Allowed::Origin(exact) => exact == origin,
            Allowed::Subdomains { scheme, rest } => origin
                .strip_prefix(scheme.as_str())
                .and_then(|origin| origin.strip_suffix(rest.as_str()))
                .is_some_and(|label| {
                    !label.is_empty()
                        && label
                            .bytes()
                            .all(|b| b.is_ascii_alphanumeric() || b == b'-')
                }),
        })
    }
}

impl FromStr for CorsOrigins {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        if s.trim().is_empty() {
            return Ok(Self::default());
        }
        s.split(',')
            .map(|entry| allowed(entry.trim()))
            .collect::<Result<_, _>>()
            .map(Self)
    }
}

fn allowed(entry: &str) -> Result<Allowed, String> {
    let refuse = |why: &str| {
        Err(format!(
            "MASTHEAD_CORS_ORIGINS: {entry:?} {why}; list origins such as \
             https://app.example.com or https://*.example.com, separated by commas"
        ))
    };
    if entry == "*" {
        return refuse(
            "would let every site send credentials and write (every site may already read \
             anonymously)",
        );
    }
    let (text, wildcard) = match entry.split_once("://*.") {
        Some((scheme, rest)) => (format!("{scheme}://{WILDCARD_LABEL}.{rest}"), true),
        None => (entry.to_owned(), false),
    };
    if text.contains('*') {
        return refuse("may have `*` only as the whole first label of the host");
    }
    let Ok(url) = url::Url::parse(&text) else {
        return refuse("is not an origin");
    };
    if !matches!(url.scheme(), "http" | "https") || url.host().is_none() {
        return refuse("is not an http or https origin");
    }
    if url.path() != "/"
        || url.query().is_some()
        || url.fragment().is_some()
        || !url.username().is_empty()
        || url.password().is_some()
    {
        return refuse("has more than a scheme, a host and a port");
    }
    let origin = url.origin().ascii_serialization();
    if !wildcard {
        return Ok(Allowed::Origin(origin));
    }
    let Some((scheme, rest)) = origin.split_once(WILDCARD_LABEL) else {
        return refuse("is not an origin");
    };
    let domain = rest
        .trim_start_matches('.')
        .split(':')
        .next()
        .unwrap_or_default();
    if !domain.contains('.') {
        return refuse("would admit every site of a top-level domain");
    }
    Ok(Allowed::Subdomains {
        scheme: scheme.to_owned(),
        rest: rest.to_owned(),
    })
}

/// Whether the request, or the one a preflight announces, reads without credentials.
fn anonymous_read(head: &RequestHead) -> bool {
    let reads = |method: &Method| matches!(*method, Method::GET | Method::HEAD);
    let announced = head
        .headers
        .get(header::ACCESS_CONTROL_REQUEST_METHOD)
        .filter(|_| head.method == Method::OPTIONS);
    match announced {
        Some(method) => {
            let sends_credentials = head
                .headers
                .get(header::ACCESS_CONTROL_REQUEST_HEADERS)
                .and_then(|names| names.to_str().ok())
                .is_some_and(|names| {
                    names
                        .split(',')
                        .any(|name| name.trim().eq_ignore_ascii_case("authorization"))
                });
            method
                .to_str()
                .ok()
                .and_then(|method| Method::from_str(method).ok())
                .is_some_and(|method| reads(&method))
                && !sends_credentials
        }
        None => reads(&head.method) && !head.headers.contains_key(header::AUTHORIZATION),
    }
}

/// Whether `origin` is the API's own: the reference page at `/docs/` writes from there, and
/// browsers send `Origin` with same-origin writes too.
fn same_origin(origin: &str, head: &RequestHead) -> bool {
    let host = head
        .headers
        .get(header::HOST)
        .and_then(|host| host.to_str().ok())
        .or_else(|| head.uri.authority().map(|authority| authority.as_str()));
    match (origin.split_once("://"), host) {
        (Some((_, authority)), Some(host)) => authority.eq_ignore_ascii_case(host),
        _ => false,
    }
}

/// Health, readiness, metrics and the reference page are for the operator's tools; no page
/// elsewhere needs to read them.
fn served_across_origins(path: &str) -> bool {
    ["/api/", "/media/", "/sitemap", "/feed.xml", "/openapi.json"]
        .iter()
        .any(|prefix| path.starts_with(prefix))
}

/// The CORS middleware. It must wrap the response cache, so that every answer, cached or not,
/// gets the CORS headers of its own request and the cache never keeps them.
pub struct CrossOrigin {
    reads: Cors,
    credentialed: Cors,
}

impl CrossOrigin {
    pub fn new(origins: &CorsOrigins) -> Self {
        let origins = origins.clone();
        let admitted = move |origin: &header::HeaderValue, head: &RequestHead| {
            origin
                .to_str()
                .is_ok_and(|origin| origins.admits(origin) || same_origin(origin, head))
        };
        Self {
            reads: Cors::default()
                .allow_any_origin()
                .send_wildcard()
                .allowed_methods([Method::GET, Method::HEAD])
                .allow_any_header()
                .expose_headers(EXPOSED)
                .max_age(PREFLIGHT_MAX_AGE_SECONDS),
            // No `Access-Control-Allow-Credentials`: Masthead sets no cookies, and a bearer
            // token in `Authorization` does not need it.
            credentialed: Cors::default()
                .allowed_origin_fn(admitted)
                .allowed_methods([
                    Method::GET,
                    Method::HEAD,
                    Method::POST,
                    Method::PUT,
                    Method::PATCH,
                    Method::DELETE,
                ])
                .allow_any_header()
                .expose_headers(EXPOSED)
                .max_age(PREFLIGHT_MAX_AGE_SECONDS)
                // A write that needs no preflight (a plain form post) must not run either.
                .block_on_origin_mismatch(true),
        }
    }
}

impl<S, B> Transform<S, ServiceRequest> for CrossOrigin
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error> + 'static,
    B: MessageBody + 'static,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = Error;
    type Transform = CrossOriginMiddleware<S>;
    type InitError = ();
    type Future = Pin<Box<dyn Future<Output = Result<Self::Transform, ()>>>>;

    fn new_transform(&self, service: S) -> Self::Future {
        let service = Rc::new(service);
        let reads = self.reads.new_transform(Rc::clone(&service));
        let credentialed = self.credentialed.new_transform(Rc::clone(&service));
        Box::pin(async move {
            Ok(CrossOriginMiddleware {
                reads: reads.await?,
                credentialed: credentialed.await?,
                service,
            })
        })
    }
}

pub struct CrossOriginMiddleware<S> {
    service: Rc<S>,
    reads: CorsMiddleware<Rc<S>>,
    credentialed: CorsMiddleware<Rc<S>>,
}

impl<S, B> Service<ServiceRequest> for CrossOriginMiddleware<S>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error> + 'static,
    B: MessageBody + 'static,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, Error>>>>;

    forward_ready!(service);

    fn call(&self, req: ServiceRequest) -> Self::Future {
        if !served_across_origins(req.path()) {
            let response = self.service.call(req);
            return Box::pin(async move { Ok(response.await?.map_into_left_body()) });
        }
        let response = if anonymous_read(req.head()) {
            self.reads.call(req)
        } else {
            self.credentialed.call(req)
        };
        Box::pin(async move { Ok(explain_refusal(response.await?)) })
    }
}

/// actix-cors refuses with a bare `400`; the API answers with a problem that says what to do.
fn explain_refusal<B>(response: ServiceResponse<EitherBody<B>>) -> ServiceResponse<EitherBody<B>> {
    let Some(refusal) = response
        .response()
        .error()
        .and_then(|error| error.as_error::<CorsError>())
    else {
        return response;
    };
    let origin = response
        .request()
        .headers()
        .get(header::ORIGIN)
        .and_then(|origin| origin.to_str().ok())
        .unwrap_or_default();
    let error = match refusal {
        CorsError::OriginNotAllowed => ApiError::Forbidden(format!(
            "the origin {origin} may not send credentials (an Authorization header) or write \
             here; only the origins in MASTHEAD_CORS_ORIGINS may (every origin may read \
             anonymously)"
        )),
        CorsError::MethodNotAllowed => ApiError::BadRequest(
            "Access-Control-Request-Method names a method the API does not take".into(),
        ),
        other => ApiError::BadRequest(other.to_string()),
    };
    let vary = response.headers().get(header::VARY).cloned();
    let mut response = response
        .into_response(error.error_response())
        .map_into_right_body();
    if let Some(vary) = vary {
        response.headers_mut().insert(header::VARY, vary);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_are_read_as_browsers_send_them() {
        let origins: CorsOrigins = " https://App.Example.com/, http://localhost:3000,\
             https://*.preview.example.com, https://example.org:443, https://*.example.net:8443"
            .parse()
            .expect("valid origins");
        for (origin, admitted) in [
            ("https://app.example.com", true),
            ("http://app.example.com", false),
            ("https://app.example.com:8443", false),
            ("http://localhost:3000", true),
            ("http://localhost:3001", false),
            ("https://pr-12.preview.example.com", true),
            ("https://a.b.preview.example.com", false),
            ("https://preview.example.com", false),
            ("https://pr-12.preview.example.com.evil.com", false),
            ("http://pr-12.preview.example.com", false),
            ("https://example.org", true),
            ("https://x.example.net:8443", true),
            ("https://x.example.net", false),
            ("null", false),
        ] {
            assert_eq!(origins.admits(origin), admitted, "{origin}");
        }
    }

    #[test]
    fn no_origins_by_default_and_none_for_an_empty_setting() {
        assert_eq!("".parse(), Ok(CorsOrigins::default()));
        assert_eq!("  ".parse(), Ok(CorsOrigins::default()));
        assert!(!CorsOrigins::default().admits("https://app.example.com"));
    }

    #[test]
    fn settings_that_are_not_origins_are_refused() {
        for (setting, reason) in [
            ("*", "every site"),
            ("https://app.example.com,", "not an origin"),
            ("app.example.com", "not an origin"),
            ("ftp://files.example.com", "http or https"),
            ("https://app.example.com/path", "more than"),
            ("https://app.example.com?x=1", "more than"),
            ("https://user@app.example.com", "more than"),
            ("https://app-*.example.com", "whole first label"),
            ("https://*.*.example.com", "whole first label"),
            ("https://*.com", "top-level domain"),
        ] {
            let error = setting
                .parse::<CorsOrigins>()
                .expect_err(setting)
                .to_string();
            assert!(
                error.contains(reason) && error.contains("MASTHEAD_CORS_ORIGINS"),
                "{setting}: {error}"
            );
        }
    }
}
