use actix_web::{HttpResponse, post, web};
use chrono::Utc;
use diesel::Connection;

use crate::{
    articles::{
        access,
        dto::{ArticleView, PublishArticle},
        handlers::lock_by_key,
        model::{Article, Status},
        publication::{self, Workflow},
        queries,
    },
    auth::{AuthUser, min},
    db,
    error::ApiError,
    extract,
    openapi::{Conflict, NotFound, Restricted, WithBody},
    slugs::Key,
    state::AppState,
};

/// Runs a status change on the locked article after the publish permission check.
async fn change_status(
    state: &AppState,
    user: AuthUser<min::Contributor>,
    id: &str,
    change: impl FnOnce(&Article) -> Result<Workflow, ApiError> + Send + 'static,
) -> Result<HttpResponse, ApiError> {
    let key = Key::parse(id);
    let article = db::run(&state.pool, move |conn| {
        conn.transaction(|conn| {
            let current = lock_by_key(conn, &key)?;
            access::check_publishable(conn, &user, &current)?;
            if current.deleted_at.is_some() {
                return Err(ApiError::Conflict(
                    "the article is in the trash; restore it first".into(),
                ));
            }
            let (status, published_at, unpublish_at) = change(&current)?;
            Ok(queries::set_status(
                conn,
                current.id,
                status,
                published_at,
                unpublish_at,
            )?)
        })
    })
    .await?;
    Ok(HttpResponse::Ok().json(ArticleView::full(article)))
}

/// Publish an article, or schedule it.
///
/// Authors publish their own articles, editors any; contributors may not. Without `published_at` it
/// goes live now; a past time backdates it, a future one schedules it, and scheduled articles go
/// live by themselves when their time comes. `unpublish_at` takes it down by itself later (it
/// is then `archived`); it must come after `published_at` (422). Publishing again clears an
/// `unpublish_at` already past.
#[utoipa::path(
    tag = "articles",
    params(("id" = String, Path, description = "The article's id or slug")),
    request_body(content = Option<PublishArticle>, description = "Optional; no body, `null` or `{}` publishes now"),
    responses(
        (status = 200, description = "Published or scheduled", body = ArticleView),
        Restricted, NotFound, Conflict, WithBody,
    ),
    security(("bearer" = [])),
)]
#[post("/articles/{id}/publish")]
pub async fn publish_article(
    user: AuthUser<min::Contributor>,
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    // The body is optional (none, or `null` as the document allows), so it is parsed only when
    // there is one.
    let request: PublishArticle = match body.trim_ascii() {
        b"" | b"null" => PublishArticle::default(),
        body => extract::parse(body)?,
    };
    publication::check_times(request.published_at, request.unpublish_at)?;
    change_status(&state, user, &id, move |current| {
        let now = Utc::now();
        // A take-down already past belongs to the previous publication.
        let unpublish_at = request
            .unpublish_at
            .or(current.unpublish_at.filter(|until| *until > now));
        publication::going_live(request.published_at, unpublish_at, now)
    })
    .await
}

/// Take an article off the site.
///
/// Authors unpublish their own articles, editors any. It goes back to draft; an article in the
/// trash must be restored first (409).
#[utoipa::path(
    tag = "articles",
    params(("id" = String, Path, description = "The article's id or slug")),
    responses(
        (status = 200, description = "Now a draft", body = ArticleView),
        Restricted, NotFound, Conflict,
    ),
    security(("bearer" = [])),
)]
#[post("/articles/{id}/unpublish")]
pub async fn unpublish_article(
    user: AuthUser<min::Contributor>,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    change_status(&state, user, &id, |current| {
        Ok((Status::Draft, current.published_at, current.unpublish_at))
    })
    .await
}

/// Archive an article.
///
/// Authors archive their own articles, editors any. An archived article is off the site and kept
/// out of the drafts.
#[utoipa::path(
    tag = "articles",
    params(("id" = String, Path, description = "The article's id or slug")),
    responses(
        (status = 200, description = "Archived", body = ArticleView),
        Restricted, NotFound, Conflict,
    ),
    security(("bearer" = [])),
)]
#[post("/articles/{id}/archive")]
pub async fn archive_article(
    user: AuthUser<min::Contributor>,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    change_status(&state, user, &id, |current| {
        Ok((Status::Archived, current.published_at, current.unpublish_at))
    })
    .await
}

/// Bring an article back from the trash.
///
/// Anyone who may edit the article. It comes back as it was, with its status.
#[utoipa::path(
    tag = "articles",
    params(("id" = String, Path, description = "The article's id or slug")),
    responses(
        (status = 200, description = "Restored", body = ArticleView),
        Restricted, NotFound,
    ),
    security(("bearer" = [])),
)]
#[post("/articles/{id}/restore")]
pub async fn restore_article(
    user: AuthUser<min::Contributor>,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let key = Key::parse(&id);
    let article = db::run(&state.pool, move |conn| {
        conn.transaction(|conn| {
            let current = lock_by_key(conn, &key)?;
            access::check_editable(conn, &user, &current)?;
            if current.deleted_at.is_none() {
                return Ok(current);
            }
            Ok(queries::set_trashed(conn, current.id, false)?)
        })
    })
    .await?;
    Ok(HttpResponse::Ok().json(ArticleView::full(article)))
}
