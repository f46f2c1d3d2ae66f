//! What every response gets: a request id, an access log line, metrics, and the API's conventions
//! (problem+json errors, strong ETags with 304, cache headers for credentialed reads).

use std::{
    sync::{Arc, LazyLock, atomic::Ordering},
    time::{Duration, Instant},
};

use actix_web::{
    Error, HttpMessage, HttpResponse,
    body::{BoxBody, MessageBody},
    dev::{ResourceDef, ServiceRequest, ServiceResponse},
    http::{Method, StatusCode, header},
    middleware::Next,
    web,
};
use tracing::Instrument;

use crate::{
    actor,
    cache::{self, CachedResponse, Lookup, Turn},
    compression::{self, Encoding},
    error::{ApiError, PROBLEM_JSON},
    etag,
    state::AppState,
};

const REQUEST_ID: &str = "x-request-id";

/// The id that ties a response to its log lines; kept from the client when it sent a sane one.
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

fn acceptable_request_id(value: &str) -> bool {
    (1..=128).contains(&value.len())
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':'))
}

/// Counts a request as in flight until it is dropped, answered or not.
struct InFlight(web::Data<AppState>);

impl InFlight {
    fn start(state: web::Data<AppState>) -> Self {
        state.in_flight.fetch_add(1, Ordering::SeqCst);
        Self(state)
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::SeqCst);
    }
}

pub async fn observe(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let request_id = req
        .headers()
        .get(REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .filter(|v| acceptable_request_id(v))
        .map_or_else(|| uuid::Uuid::now_v7().to_string(), str::to_owned);
    req.extensions_mut().insert(RequestId(request_id.clone()));
    let started = Instant::now();
    let method = req.method().clone();
    // HEAD is GET without the body (RFC 9110), so CDNs, link checkers and monitors see the same
    // status and headers: routed as a GET, the body is left out by the HTTP layer, which
    // remembers the request's own method and still sends the length.
    if method == Method::HEAD {
        req.head_mut().method = Method::GET;
    }
    // A preview link's token is its credential: logs keep only that one was used.
    let path = match req.path().strip_prefix("/api/v1/preview/") {
        Some(_) => "/api/v1/preview/[token]".to_owned(),
        None => req.path().to_owned(),
    };
    let route = req
        .match_pattern()
        .unwrap_or_else(|| "unmatched".to_owned());
    let state = req.app_data::<web::Data<AppState>>().cloned();
    let _in_flight = state.clone().map(InFlight::start);
    let span = tracing::info_span!("request", id = %request_id);

    let read_only = matches!(method, Method::GET | Method::HEAD);
    // Handlers' errors arrive here as responses; an `Err` means the service itself failed.
    let mut response = actor::scope(read_only, next.call(req).instrument(span.clone()))
        .await
        .inspect_err(|error| span.in_scope(|| tracing::error!(%error, "service failed")))?
        .map_into_boxed_body();
    if let Ok(value) = header::HeaderValue::from_str(&request_id) {
        response
            .headers_mut()
            .insert(header::HeaderName::from_static(REQUEST_ID), value);
    }

    let elapsed = started.elapsed();
    let status = response.status();
    if let Some(state) = state {
        state
            .metrics
            .observe(method.as_str(), &route, status.as_u16(), elapsed);
        // This process's next search waits for the index to hold what it just wrote.
        if !read_only && status.is_success() {
            state.search.wrote();
        }
    }
    span.in_scope(|| {
        tracing::info!(
            target: "access",
            method = %method,
            path = %path,
            status = status.as_u16(),
            duration_ms = elapsed.as_secs_f64() * 1000.0,
        );
    });
    Ok(response)
}

/// The longest path segment or query value taken, in characters once decoded: longer than
/// any id, slug, key or search the API knows.
pub const MAX_URL_VALUE_CHARS: usize = 1000;

/// Why a URL is refused before any handler sees it, if it is.
///
/// PostgreSQL refuses NUL in text, so a `%00` would reach it as a server error (`%00` can only
/// be an encoded NUL: a literal `%` is `%25`). Bytes that are not UTF-8 would be decoded into
/// replacement characters, and an endless value would be matched against the database: each
/// would find nothing, silently, where the client made a mistake.
fn refused_url(path_and_query: &str) -> Option<ApiError> {
    if path_and_query.contains("%00") {
        return Some(ApiError::BadRequest(
            "the URL must not contain NUL characters (%00)".into(),
        ));
    }
    let (path, query) = path_and_query
        .split_once('?')
        .unwrap_or((path_and_query, ""));
    let values = path.split('/').chain(
        query
            .split('&')
            .map(|pair| pair.split_once('=').map_or(pair, |(_, v)| v)),
    );
    for value in values {
        let Ok(decoded) = percent_encoding::percent_decode_str(value).decode_utf8() else {
            return Some(ApiError::BadRequest(
                "the URL must be UTF-8 once percent-decoded".into(),
            ));
        };
        if decoded.chars().count() > MAX_URL_VALUE_CHARS {
            return Some(ApiError::BadRequest(format!(
                "a path segment or query value may be at most {MAX_URL_VALUE_CHARS} characters"
            )));
        }
    }
    None
}

/// Makes every response follow the contract, whichever part of the stack produced it, and
/// serves anonymous public reads from the cache when it can.
pub async fn conventions(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    if let Some(refused) = req
        .uri()
        .path_and_query()
        .and_then(|p| refused_url(p.as_str()))
    {
        return Ok(req.error_response(refused));
    }
    let credentialed = req.headers().contains_key(header::AUTHORIZATION);
    let is_get = matches!(*req.method(), Method::GET | Method::HEAD);
    let if_none_match = req.headers().get(header::IF_NONE_MATCH).cloned();
    let encoding = Encoding::negotiate(req.headers().get(header::ACCEPT_ENCODING));
    let state = req.app_data::<web::Data<AppState>>().cloned();
    let api_path = req.path().starts_with("/api/v1/");
    let keeps_answers = state.as_ref().is_some_and(|s| s.config.response_cache);
    let cache_key =
        (is_get && !credentialed && api_path && keeps_answers).then(|| match req.query_string() {
            "" => req.path().to_owned(),
            query => format!("{}?{query}", req.path()),
        });
    // Held while this request computes an answer others may be waiting for.
    let mut flight = None;
    if let (Some(state), Some(key)) = (&state, &cache_key) {
        let servable = match state.cache.lookup(key, state.clock.now()) {
            Lookup::Fresh(cached) => Some(cached),
            Lookup::Stale(cached) => match state.cache.take_turn(key) {
                Turn::Computing(_) => Some(cached),
                Turn::Compute(mine) => {
                    flight = Some(mine);
                    None
                }
            },
            Lookup::Missing => match state.cache.take_turn(key) {
                Turn::Computing(computing) => {
                    cache::wait_for(computing).await;
                    state.cache.response(key, state.clock.now())
                }
                Turn::Compute(mine) => {
                    flight = Some(mine);
                    None
                }
            },
        };
        if let Some(cached) = servable {
            let response = req.into_response(from_cache(&cached, encoding));
            return Ok(not_modified_if(response, if_none_match.as_ref()));
        }
    }
    let generation = state.as_ref().map_or(0, |s| s.cache.generation());
    // Writes that succeed change what readers may see; sign-ins do not.
    let clears_cache = !is_get && api_path && changes_content(req.path());
    let response = next.call(req).await?.map_into_boxed_body();
    let status = response.status();
    if clears_cache
        && status.is_success()
        && let Some(state) = &state
    {
        state.cache.clear();
    }

    let mut response = if status.is_client_error() || status.is_server_error() {
        as_problem(response)
    } else if is_get && status == StatusCode::OK {
        let response = with_etag(response);
        let response = match (&state, cache_key) {
            (Some(state), Some(key)) => keep_if_public(state, key, generation, response, encoding),
            _ => encoded(response, encoding),
        };
        not_modified_if(response, if_none_match.as_ref())
    } else {
        response
    };
    let private = credentialed || status.is_client_error() || status.is_server_error();
    if private && !response.headers().contains_key(header::CACHE_CONTROL) {
        response.headers_mut().insert(
            header::CACHE_CONTROL,
            header::HeaderValue::from_static("private, no-store"),
        );
    }
    // Kept (or not keepable) by now: the readers waiting for this answer may look again.
    drop(flight);
    Ok(response)
}

/// Whether a successful write to `path` may change what readers see. Sign-ins, counted clicks
/// and link applications (unapproved until an editor acts) do not, and must not empty the cache
/// on every click.
fn changes_content(path: &str) -> bool {
    !(path.starts_with("/api/v1/auth/")
        || path.ends_with("/click")
        || path == "/api/v1/links/applications")
}

/// A kept answer in the encoding the client prefers, compressed at most once.
fn from_cache(cached: &CachedResponse, encoding: Encoding) -> HttpResponse {
    let mut response = HttpResponse::Ok();
    response
        .content_type(cached.content_type.as_str())
        .insert_header((header::CACHE_CONTROL, cached.cache_control.as_str()));
    if compression::compressible(&cached.content_type) {
        response.insert_header((header::VARY, "Accept-Encoding"));
    }
    if let Some(link) = &cached.link {
        response.insert_header((header::LINK, link.as_str()));
    }
    match (cached.body_in(encoding), encoding.token()) {
        (Some(body), Some(token)) => response
            .insert_header((header::CONTENT_ENCODING, token))
            .insert_header((header::ETAG, encoding.etag(&cached.etag)))
            .body(body),
        _ => response
            .insert_header((header::ETAG, cached.etag.as_str()))
            .body(cached.body.clone()),
    }
}

/// A whole text body in the encoding the client prefers, with that encoding's ETag; pictures,
/// small bodies and streams (site maps, events) go as they are.
fn encoded(response: ServiceResponse<BoxBody>, encoding: Encoding) -> ServiceResponse<BoxBody> {
    let Some(content_type) = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .filter(|t| compression::compressible(t))
        .map(str::to_owned)
    else {
        return response;
    };
    let (req, mut res) = response.into_parts();
    res.headers_mut().append(
        header::VARY,
        header::HeaderValue::from_static("Accept-Encoding"),
    );
    let Some(token) = encoding.token() else {
        return ServiceResponse::new(req, res);
    };
    let etag = res
        .headers()
        .get(header::ETAG)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let (head, body) = res.into_parts();
    let bytes = match body.try_into_bytes() {
        Ok(bytes) => bytes,
        Err(body) => return ServiceResponse::new(req, head.set_body(body)),
    };
    let Some(compressed) = encoding.encode_if_worth(&content_type, &bytes) else {
        return ServiceResponse::new(req, head.set_body(BoxBody::new(bytes)));
    };
    let mut res = head.set_body(BoxBody::new(compressed));
    res.headers_mut().insert(
        header::CONTENT_ENCODING,
        header::HeaderValue::from_static(token),
    );
    if let Some(value) = etag.and_then(|e| header::HeaderValue::from_str(&encoding.etag(&e)).ok()) {
        res.headers_mut().insert(header::ETAG, value);
    }
    ServiceResponse::new(req, res)
}

/// Keeps a copy of a response that its handler marked as public, and answers from that copy
/// in the client's encoding (so the compressed bytes made now are kept too).
fn keep_if_public(
    state: &AppState,
    key: String,
    generation: u64,
    response: ServiceResponse<BoxBody>,
    encoding: Encoding,
) -> ServiceResponse<BoxBody> {
    let text = |name: header::HeaderName| {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let (Some(cache_control), Some(etag), Some(content_type)) = (
        text(header::CACHE_CONTROL),
        text(header::ETAG),
        text(header::CONTENT_TYPE),
    ) else {
        return encoded(response, encoding);
    };
    // An answer that changes by itself (a carousel window about to open) is kept only as long
    // as its own `max-age`.
    let max_age = cache_control
        .split("max-age=")
        .nth(1)
        .and_then(|rest| rest.split(',').next())
        .and_then(|seconds| seconds.trim().parse::<u64>().ok())
        .unwrap_or(0);
    if response.status() != StatusCode::OK || !cache_control.starts_with("public") || max_age == 0 {
        return encoded(response, encoding);
    }
    let link = text(header::LINK);
    let (req, res) = response.into_parts();
    let (head, body) = res.into_parts();
    match body.try_into_bytes() {
        Ok(bytes) => {
            let kept = CachedResponse {
                content_type,
                cache_control,
                etag,
                link,
                body: bytes,
                max_age: Duration::from_secs(max_age),
                cut_short: max_age < u64::from(state.config.cache_max_age),
                encoded: Arc::default(),
            };
            let response = from_cache(&kept, encoding);
            state
                .cache
                .keep_response(key, kept, generation, state.clock.now());
            ServiceResponse::new(req, response)
        }
        Err(body) => encoded(ServiceResponse::new(req, head.set_body(body)), encoding),
    }
}

/// Errors that did not come from `ApiError` (actix's own 404 and 405 among them) get the same body.
fn as_problem(response: ServiceResponse<BoxBody>) -> ServiceResponse<BoxBody> {
    let is_problem = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(PROBLEM_JSON.as_bytes()));
    if is_problem {
        return response;
    }
    let error = match response.status() {
        StatusCode::NOT_FOUND => ApiError::NotFound("nothing is served at this path".into()),
        StatusCode::METHOD_NOT_ALLOWED => ApiError::MethodNotAllowed,
        StatusCode::PAYLOAD_TOO_LARGE => ApiError::PayloadTooLarge("the body is too large".into()),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => {
            ApiError::UnsupportedMediaType("this content type is not accepted here".into())
        }
        status if status.is_client_error() => ApiError::BadRequest(
            status
                .canonical_reason()
                .unwrap_or("the request cannot be served")
                .to_owned(),
        ),
        _ => ApiError::internal("a response failed without an ApiError"),
    };
    // actix's own 405 names the methods the path takes (RFC 9110 requires that `Allow`), but
    // not the HEAD that every GET route answers here.
    let allow = response
        .headers()
        .get(header::ALLOW)
        .and_then(|v| v.to_str().ok())
        .map(|methods| {
            allow_header(
                METHODS
                    .into_iter()
                    .filter(|method| methods.split(',').any(|m| m.trim() == *method)),
            )
        })
        .and_then(|allow| header::HeaderValue::from_str(&allow).ok());
    let mut problem = actix_web::ResponseError::error_response(&error);
    if let Some(allow) = allow {
        problem.headers_mut().insert(header::ALLOW, allow);
    }
    response.into_response(problem)
}

/// Adds a strong ETag over a whole body that has none.
fn with_etag(response: ServiceResponse<BoxBody>) -> ServiceResponse<BoxBody> {
    if response.headers().contains_key(header::ETAG) {
        return response;
    }
    let (req, res) = response.into_parts();
    let (head, body) = res.into_parts();
    // Streamed bodies (site maps, media) set their own validators; only whole bodies are hashed.
    let bytes = match body.try_into_bytes() {
        Ok(bytes) => bytes,
        Err(body) => return ServiceResponse::new(req, head.set_body(body)),
    };
    let etag = etag::of_bytes(&bytes);
    let mut res = head.set_body(BoxBody::new(bytes));
    if let Ok(value) = header::HeaderValue::from_str(&etag) {
        res.headers_mut().insert(header::ETAG, value);
    }
    ServiceResponse::new(req, res)
}

fn not_modified_if(
    response: ServiceResponse<BoxBody>,
    if_none_match: Option<&header::HeaderValue>,
) -> ServiceResponse<BoxBody> {
    let etag = response
        .headers()
        .get(header::ETAG)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    match (etag, if_none_match) {
        (Some(etag), Some(if_none_match))
            if if_none_match.to_str().is_ok_and(|v| etag::listed(v, &etag)) =>
        {
            let mut not_modified = HttpResponse::NotModified();
            for name in [header::ETAG, header::CACHE_CONTROL, header::VARY] {
                if let Some(value) = response.headers().get(&name) {
                    not_modified.insert_header((name, value.clone()));
                }
            }
            response.into_response(not_modified.finish())
        }
        (_, _) => response,
    }
}

/// The methods a documented path may take, in the order `Allow` lists them.
const METHODS: [&str; 5] = ["GET", "POST", "PUT", "PATCH", "DELETE"];

/// `Allow` for the given methods: a path that takes GET takes HEAD too.
fn allow_header(methods: impl IntoIterator<Item = &'static str>) -> String {
    methods
        .into_iter()
        .flat_map(|method| match method {
            "GET" => vec!["GET", "HEAD"],
            other => vec![other],
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Every documented path, how many of its segments are parameters, and the methods it takes.
static DOCUMENTED_METHODS: LazyLock<Vec<(ResourceDef, usize, Vec<&'static str>)>> =
    LazyLock::new(|| {
        crate::openapi::document()
            .paths
            .paths
            .iter()
            .map(|(path, item)| {
                let operations = [&item.get, &item.post, &item.put, &item.patch, &item.delete];
                let methods = METHODS
                    .into_iter()
                    .zip(operations)
                    .filter_map(|(method, operation)| operation.as_ref().map(|_| method))
                    .collect();
                let parameters = path.matches('{').count();
                (ResourceDef::new(path.as_str()), parameters, methods)
            })
            .collect()
    });

/// What a path takes, for `Allow`: the methods of the documented paths it matches with the
/// fewest parameters (`/links/applications` rather than `/links/{id}`, whose route takes ids
/// only). The routes outside the document (operations, the reference page, `/openapi.json`)
/// take `GET` alone.
fn allowed_methods(path: &str) -> String {
    let matching: Vec<_> = DOCUMENTED_METHODS
        .iter()
        .filter(|(pattern, _, _)| pattern.is_match(path))
        .collect();
    let Some(fewest) = matching.iter().map(|(_, parameters, _)| *parameters).min() else {
        return allow_header(["GET"]);
    };
    allow_header(METHODS.into_iter().filter(|method| {
        matching
            .iter()
            .any(|(_, parameters, methods)| *parameters == fewest && methods.contains(method))
    }))
}

/// Unmatched requests: 405 when the path exists with other methods, 404 otherwise.
pub async fn no_route(req: actix_web::HttpRequest) -> Result<HttpResponse, ApiError> {
    if !req.resource_map().has_resource(req.path()) {
        return Err(ApiError::NotFound("nothing is served at this path".into()));
    }
    let mut response = actix_web::ResponseError::error_response(&ApiError::MethodNotAllowed);
    if let Ok(allow) = header::HeaderValue::from_str(&allowed_methods(req.path())) {
        response.headers_mut().insert(header::ALLOW, allow);
    }
    Ok(response)
}
