//! The OpenAPI document: its info, security scheme, tags and the shared error responses.
//! Paths are collected from the route table, so a route and its documentation cannot drift.

use actix_web::App;
use utoipa::{
    Modify, OpenApi, ToResponse,
    openapi::security::{Http, HttpAuthScheme, SecurityScheme},
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

macro_rules! problem_responses {
    ($($name:ident => $description:literal,)+) => {$(
        #[derive(ToResponse)]
        #[response(description = $description, content_type = "application/problem+json")]
        #[expect(dead_code, reason = "describes a response in the document; never built")]
        pub struct $name(Problem);
    )+};
}

problem_responses! {
    BadRequest => "Malformed JSON, or a bad query parameter",
    Unauthorized => "No credentials, or credentials that are wrong, expired or revoked",
    Forbidden => "The caller's role does not allow this",
    NotFound => "No such resource",
    Conflict => "A unique value is taken, or the resource is in use",
    PreconditionFailed => "`If-Match` does not match the current version; nothing was changed",
    PayloadTooLarge => "The body is larger than allowed",
    UnsupportedMediaType => "The body is not `application/json`",
    ValidationFailed => "Fields failed validation; every failing field is listed in `errors`",
    TooManyRequests => "Too many attempts; wait for `Retry-After` seconds",
    Unavailable => "The database is unavailable; retry after `Retry-After` seconds",
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
        license(name = "MIT OR Apache-2.0"),
    ),
    modifiers(&BearerScheme),
    components(
        schemas(Problem, FieldError, FieldCode),
        responses(
            BadRequest, Unauthorized, Forbidden, NotFound, Conflict, PreconditionFailed,
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
        (name = "site-files", description = "Files at the root for search engines and feed \
            readers: `/sitemap.xml` (an index of `/sitemap-{n}.xml` past 50,000 URLs), \
            `/sitemap.txt` and `/feed.xml` (RSS 2.0). URLs are built from `MASTHEAD_PUBLIC_URL`, \
            `MASTHEAD_ARTICLE_PATH` and `MASTHEAD_PAGE_PATH`; only live content appears"),
        (name = "operations", description = "Health, readiness and metrics"),
    ),
)]
pub struct ApiDoc;

/// The whole document, as served at `/openapi.json` and printed by `masthead openapi`.
pub fn document() -> utoipa::openapi::OpenApi {
    App::new()
        .into_utoipa_app()
        .openapi(ApiDoc::openapi())
        .configure(crate::routes::api)
        .split_for_parts()
        .1
}
