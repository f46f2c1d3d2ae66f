//! The OpenAPI document: its info, security scheme, tags and the shared error responses.
//! Paths are collected from the route table, so a route and its documentation cannot drift.

use std::{collections::BTreeMap, sync::LazyLock};

use actix_web::{App, HttpResponse, http::header::ContentType, web::Bytes};
use utoipa::{
    IntoResponses, Modify, OpenApi, ToResponse,
    openapi::{
        RefOr, Response,
        schema::{ArrayItems, Ref, Schema},
        security::{Http, HttpAuthScheme, SecurityScheme},
    },
};
use utoipa_actix_web::AppExt;

use crate::error::{FieldCode, FieldError, Problem};

struct BearerScheme;

impl Modify for BearerScheme {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        let mut scheme = Http::new(HttpAuthScheme::Bearer);
        scheme.description =
            Some("An access token from `POST /api/v1/auth/login`, or an API key (`mh_…`).".into());
        components.add_security_scheme("bearer", SecurityScheme::Http(scheme));
    }
}

/// The error responses, each a component that operations refer to. Each is also a set of one,
/// so that `responses(...)` of an operation can name it beside the sets below.
macro_rules! problem_responses {
    ($($name:ident = $status:literal => $description:literal,)+) => {$(
        #[derive(ToResponse)]
        #[response(description = $description, content_type = "application/problem+json")]
        #[expect(dead_code, reason = "describes a response in the document; never built")]
        pub struct $name(Problem);

        impl IntoResponses for $name {
            fn responses() -> BTreeMap<String, RefOr<Response>> {
                BTreeMap::from([(
                    $status.to_string(),
                    RefOr::Ref(Ref::from_response_name(stringify!($name))),
                )])
            }
        }
    )+};
}

problem_responses! {
    BadRequest = 400 => "Malformed JSON, a bad query parameter or path segment, or a NUL (`%00`) in the URL",
    Unauthorized = 401 => "No credentials, or credentials that are wrong, expired or revoked",
    Forbidden = 403 => "The caller's role does not allow this",
    NotFound = 404 => "No such resource",
    Conflict = 409 => "A unique value is taken, or the resource is in use",
    Gone = 410 => "What the request resumes from (a sync token, an event id) is older than the change log keeps: start over, syncing from the start without a token",
    PreconditionFailed = 412 => "`If-Match` does not match the current version; nothing was changed",
    PayloadTooLarge = 413 => "The body is larger than allowed",
    UnsupportedMediaType = 415 => "The body is not of a type this operation takes (`application/json`, or `multipart/form-data` for uploads)",
    ValidationFailed = 422 => "Fields failed validation; every failing field is listed in `errors`",
    TooManyRequests = 429 => "Too many attempts; wait for `Retry-After` seconds",
    Unavailable = 503 => "The database is unavailable, or (search, related articles, `q`) this process's search index is still catching up; retry after `Retry-After` seconds",
}

/// Sets of error responses that operations share, named in their `responses(...)`.
macro_rules! response_sets {
    ($($(#[doc = $doc:literal])+ $set:ident = $($member:ident)|+;)+) => {$(
        $(#[doc = $doc])+
        pub struct $set;

        impl IntoResponses for $set {
            fn responses() -> BTreeMap<String, RefOr<Response>> {
                let mut responses = BTreeMap::new();
                $(responses.extend($member::responses());)+
                responses
            }
        }
    )+};
}

response_sets! {
    /// What any operation may answer: a NUL in the URL or a malformed parameter is refused, and
    /// the database may be away.
    Open = BadRequest | Unavailable;
    /// Operations open to anonymous callers that still check a token when one is sent (a bad one
    /// is refused, never taken as anonymous), and that need a `content` key for published
    /// content when `MASTHEAD_PUBLIC_READ=false`.
    Public = BadRequest | Unauthorized | Unavailable;
    /// Operations that need credentials whose role (or key scope) allows them.
    Restricted = BadRequest | Unauthorized | Forbidden | Unavailable;
    /// Operations that read a body: malformed, too large, of another type, or invalid.
    WithBody = BadRequest | PayloadTooLarge | UnsupportedMediaType | ValidationFailed;
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Masthead",
        description = "A headless CMS for news sites. Every error is `application/problem+json` \
            (RFC 9457); lists come as `{data, meta}`; every GET carries a strong `ETag`. \
            Browsers on any origin may read anonymously (`Access-Control-Allow-Origin: *`); \
            requests with credentials, and writes, only from the origins the server lists in \
            `MASTHEAD_CORS_ORIGINS`.",
        license(name = "MIT OR Apache-2.0", identifier = "MIT OR Apache-2.0"),
    ),
    servers((
        url = "/",
        description = "The server that serves this document: paths start at its root",
    )),
    modifiers(&BearerScheme),
    components(
        schemas(Problem, FieldError, FieldCode),
        responses(
            BadRequest, Unauthorized, Forbidden, NotFound, Conflict, Gone, PreconditionFailed,
            PayloadTooLarge, UnsupportedMediaType, ValidationFailed, TooManyRequests, Unavailable,
        ),
    ),
    tags(
        (name = "auth", description = "Signing in, tokens and the caller's own account"),
        (name = "users", description = "Accounts and their roles (admin only)"),
        (name = "api-keys", description = "Keys for integrations (admin only)"),
        (name = "articles", description = "Articles and pages, their workflow and revisions"),
        (name = "authors", description = "Bylines, optionally linked to accounts"),
        (name = "categories", description = "A tree of sections"),
        (name = "tags", description = "Free keywords"),
        (name = "images", description = "Uploads, responsive variants and the media library. \
            Files are served under `/media/{sha256}/{name}` with immutable caching, `ETag` and `Range`"),
        (name = "carousels", description = "Hero banners and ad slots: slides with time windows, a fallback, click counts"),
        (name = "links", description = "Friend links (友情链接) and applications for a link exchange"),
        (name = "search", description = "Full-text search that understands Chinese: ranked \
            articles with highlighted snippets"),
        (name = "recommendations", description = "Curated picks (the `related` slot of an \
            article, site-wide slots such as `editors-picks`) and automatic related articles"),
        (name = "site", description = "The site's settings: title, logo, footer, ICP record number, locale, timezone"),
        (name = "audit", description = "Who changed what and when, and who signed in (admin only)"),
        (name = "webhooks", description = "Signed calls to your systems when content changes \
            (Standard Webhooks: `webhook-id`, `webhook-timestamp`, `webhook-signature`), retried \
            with backoff for about a day, with a delivery log (admin only)"),
        (name = "sync", description = "Following content from a frontend or an app: a delta \
            sync from a token, and Server-Sent Events of each change as it commits"),
        (name = "site-files", description = "Files at the root for search engines and feed \
            readers: `/sitemap.xml` (an index of `/sitemap-{n}.xml` past 50,000 URLs), \
            `/sitemap.txt` and `/feed.xml` (RSS 2.0). URLs are built from `MASTHEAD_PUBLIC_URL`, \
            `MASTHEAD_ARTICLE_PATH` and `MASTHEAD_PAGE_PATH`; only live content appears"),
        (name = "operations", description = "Health, readiness and metrics"),
    ),
)]
pub struct ApiDoc;

/// The document as served, serialized once for the process: the document itself takes a few
/// MiB, too much to keep a copy of in every worker (or to serialize again on every request).
static SERVED: LazyLock<Bytes> = LazyLock::new(|| {
    serde_json::to_vec(&document())
        .expect("the OpenAPI document is plain data, which always serializes")
        .into()
});

/// Serializes the served document before any request needs it.
pub fn prepare() {
    LazyLock::force(&SERVED);
}

/// `GET /openapi.json`.
pub async fn served() -> HttpResponse {
    HttpResponse::Ok()
        .content_type(ContentType::json())
        .body(SERVED.clone())
}

/// The whole document, as served at `/openapi.json` and printed by `masthead openapi`.
pub fn document() -> utoipa::openapi::OpenApi {
    let mut document = App::new()
        .into_utoipa_app()
        .openapi(ApiDoc::openapi())
        .configure(crate::routes::api)
        .split_for_parts()
        .1;
    if let Some(components) = &mut document.components {
        refer_to_generic_arguments(&mut components.schemas);
    }
    document
}

/// utoipa copies the schema of a generic argument into the generic type, so each `List_X` and
/// `Embedded_X` carried its own copy of `X` and left `X` itself unused: they refer to `X`
/// instead.
fn refer_to_generic_arguments(schemas: &mut BTreeMap<String, RefOr<Schema>>) {
    let originals = schemas.clone();
    for (name, schema) in schemas.iter_mut() {
        let Some((_, argument)) = name.split_once('_') else {
            continue;
        };
        let Some(original) = originals.get(argument) else {
            continue;
        };
        let reference = || Box::new(RefOr::Ref(Ref::from_schema_name(argument)));
        match schema {
            RefOr::T(Schema::Object(list)) => {
                if let Some(RefOr::T(Schema::Array(data))) = list.properties.get_mut("data")
                    && matches!(&data.items, ArrayItems::RefOrSchema(item) if **item == *original)
                {
                    data.items = ArrayItems::RefOrSchema(reference());
                }
            }
            RefOr::T(Schema::OneOf(one_of)) => {
                for item in &mut one_of.items {
                    if *item == *original {
                        *item = *reference();
                    }
                }
            }
            _ => {}
        }
    }
}
