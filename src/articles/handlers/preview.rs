//! Preview links: a draft read on the real frontend, without credentials, as it will read once
//! published.

use actix_web::{HttpResponse, delete, get, http::header, post, web};
use chrono::{TimeDelta, Utc};
use diesel::Connection;

use crate::{
    articles::{
        access,
        dto::{ArticleFields, ArticleView, CreatePreview, PreviewView, ReadParams},
        handlers::lock_by_key,
        model::Status,
        queries,
        shape::Shape,
    },
    auth::{AuthUser, min},
    db,
    error::{ApiError, FieldCode},
    extract,
    openapi::{NotFound, Open, Restricted, WithBody},
    secret::random_token,
    slugs::Key,
    state::AppState,
};

const DEFAULT_SECONDS: i64 = 24 * 60 * 60;
const MAX_SECONDS: i64 = 7 * 24 * 60 * 60;
/// Marks a preview token, as `mh_` marks an API key.
const TOKEN_PREFIX: &str = "mhp_";
/// About 256 bits of randomness: not guessable.
const TOKEN_CHARS: usize = 43;

/// Make a preview link to an article.
///
/// Anyone who may edit the article. The link shows its current content without credentials,
/// as the public read would once it is published, until it expires (24 hours by default, at
/// most 7 days) or is revoked. The token is shown only in this answer.
#[utoipa::path(
    tag = "articles",
    params(("id" = String, Path, description = "The article's id or slug")),
    request_body(content = Option<CreatePreview>, description = "Optional; no body, `null` or `{}` makes a link for 24 hours"),
    responses(
        (status = 201, description = "The link", body = PreviewView,
            headers(("Location" = String, description = "Where the link reads the article"))),
        Restricted, NotFound, WithBody,
    ),
    security(("bearer" = [])),
)]
#[post("/articles/{id}/preview")]
pub async fn create_preview(
    user: AuthUser<min::Contributor>,
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let request: CreatePreview = match body.trim_ascii() {
        b"" | b"null" => CreatePreview::default(),
        body => extract::parse(body)?,
    };
    let seconds = request.expires_in.unwrap_or(DEFAULT_SECONDS);
    if !(1..=MAX_SECONDS).contains(&seconds) {
        return Err(ApiError::field(
            "expires_in",
            FieldCode::Invalid,
            format!("must be from 1 to {MAX_SECONDS} seconds (7 days)"),
        ));
    }
    let expires_at = Utc::now() + TimeDelta::seconds(seconds);
    let token = format!("{TOKEN_PREFIX}{}", random_token(TOKEN_CHARS));
    let key = Key::parse(&id);
    let kept = token.clone();
    db::run(&state.pool, move |conn| {
        conn.transaction(|conn| {
            let article = lock_by_key(conn, &key)?;
            access::check_editable(conn, &user, &article)?;
            queries::insert_preview(conn, article.id, &kept, expires_at, user.id)?;
            Ok(())
        })
    })
    .await?;
    let view = PreviewView {
        url: state.config.preview_url.replace("{token}", &token),
        expires_at,
        token,
    };
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/api/v1/preview/{}", view.token)))
        .json(view))
}

/// Revoke every preview link to an article.
///
/// Anyone who may edit the article. Links made before stop working at once.
#[utoipa::path(
    tag = "articles",
    params(("id" = String, Path, description = "The article's id or slug")),
    responses(
        (status = 204, description = "Revoked (also when there was none)"),
        Restricted, NotFound,
    ),
    security(("bearer" = [])),
)]
#[delete("/articles/{id}/preview")]
pub async fn delete_preview(
    user: AuthUser<min::Contributor>,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let key = Key::parse(&id);
    db::run(&state.pool, move |conn| {
        conn.transaction(|conn| {
            let article = lock_by_key(conn, &key)?;
            access::check_editable(conn, &user, &article)?;
            queries::revoke_previews(conn, article.id)?;
            Ok(())
        })
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Read an article through a preview link.
///
/// No credentials: the token is the permission. The article as the public read would show it
/// once published (`status` published, `published_at` now when it has none), with `fields` and
/// `include` as there. An unknown, expired or revoked token, or an article in the trash, is
/// 404. Never cached, never indexed.
#[utoipa::path(
    tag = "articles",
    params(("token" = String, Path, description = "The link's token"), ReadParams),
    responses(
        (status = 200, description = "The article", body = ArticleFields,
            headers(("X-Robots-Tag" = String, description = "`noindex`"))),
        (status = 304, description = "Not modified (`If-None-Match`)"),
        Open, NotFound,
    ),
    security(()),
)]
#[get("/preview/{token}")]
pub async fn find_preview(
    state: web::Data<AppState>,
    token: web::Path<String>,
    params: web::Query<ReadParams>,
) -> Result<HttpResponse, ApiError> {
    let shape = Shape::parse(params.fields.as_deref(), params.include.as_deref())?;
    let media_url = state.config.media_url.clone();
    let token = token.into_inner();
    let body = db::run(&state.pool, move |conn| {
        let article =
            queries::previewed(conn, &token)?.ok_or_else(|| ApiError::not_found("preview"))?;
        let now = Utc::now();
        let mut view = ArticleView::full(article);
        view.status = Status::Published;
        view.published_at = Some(view.published_at.unwrap_or(now));
        // Publishing again clears a take-down already past.
        view.unpublish_at = view.unpublish_at.filter(|until| *until > now);
        let mut views = [view];
        shape.embed(conn, &mut views, &media_url)?;
        let [view] = views;
        shape.project(view)
    })
    .await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "private, no-store"))
        .insert_header(("X-Robots-Tag", "noindex"))
        .insert_header((header::REFERRER_POLICY, "no-referrer"))
        .json(body))
}
