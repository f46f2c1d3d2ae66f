use actix_web::{HttpResponse, delete, http::header, patch, post, web};
use chrono::Utc;
use diesel::Connection;
use uuid::Uuid;

use crate::{
    articles::{
        access,
        content::{self, Checked},
        dto::{
            ArticleView, CreateArticle, DeleteParams, ImportError, NewStatus, UpdateArticle,
            WriteParams, WrittenArticle,
        },
        handlers::{lock_by_key, record_first_revision, record_revision},
        imports,
        model::{Article, Content},
        publication, queries,
    },
    auth::{AuthUser, Role, min},
    authors, db,
    error::ApiError,
    etag::IfMatch,
    extract::Json,
    openapi::{Conflict, NotFound, PreconditionFailed, Restricted, WithBody},
    slugs::Key,
    state::AppState,
    text, users,
};

/// The article as a plain `GET` shows it (the view written straight, keys in its order), which
/// is what an `If-Match` ETag was computed over.
fn as_read(article: &Article) -> ArticleView {
    ArticleView::full(article.clone())
}

/// The author profile of a writer who names no authors; made from the account when missing.
fn own_author(conn: &mut diesel::PgConnection, user: Uuid) -> Result<Uuid, ApiError> {
    if let Some(author) = queries::author_of_user(conn, user)? {
        return Ok(author);
    }
    let account = users::queries::find(conn, user)?;
    let base = text::fields::slug_base(&account.name, "author");
    // The slug's reservation also makes a writer's simultaneous first articles wait for each
    // other, so the profile made by the first is found by the rest.
    let slug = authors::queries::free_slug(conn, &base)?;
    if let Some(author) = queries::author_of_user(conn, user)? {
        return Ok(author);
    }
    Ok(queries::create_author_for_user(
        conn,
        user,
        &account.name,
        &slug,
    )?)
}

/// Imports the body's remote pictures when `import_images=true` asks for it (authors and up,
/// who may upload), and returns what could not be imported.
async fn import_body<R: crate::auth::caller::RoleFloor>(
    state: &AppState,
    user: &AuthUser<R>,
    params: &WriteParams,
    checked: &mut Checked,
) -> Result<Option<Vec<ImportError>>, ApiError> {
    if params.import_images != Some(true) {
        return Ok(None);
    }
    if user.role < Role::Author {
        return Err(ApiError::Forbidden(
            "importing images needs an author's role or higher".into(),
        ));
    }
    let Some(body) = &checked.body else {
        return Ok(Some(Vec::new()));
    };
    let (body, failed) = imports::import_images(state, user.id, body).await?;
    checked.body = Some(body);
    Ok(Some(failed))
}

/// Write a new article. It starts as a draft, unless `status` publishes or schedules it at once.
///
/// `status: published` does in the same request (one transaction) what
/// `POST /articles/{id}/publish` does after a create, with the same permission: authors and
/// editors, not contributors (403, and nothing is created). An article live at once fires both
/// `article.created` and `article.published` to hooks.
///
/// Authors and contributors who name no `authors` are credited with their own author profile,
/// made from their account if they have none. With `import_images=true`, the body's remote
/// images are imported first (as `POST /images/import` does) and the body points at them.
#[utoipa::path(
    tag = "articles",
    params(WriteParams),
    request_body = CreateArticle,
    responses(
        (status = 201, description = "The new article", body = WrittenArticle,
            headers(("Location" = String, description = "The article's URL"))),
        Restricted, Conflict, WithBody,
    ),
    security(("bearer" = [])),
)]
#[post("/articles")]
pub async fn create_article(
    user: AuthUser<min::Contributor>,
    state: web::Data<AppState>,
    params: web::Query<WriteParams>,
    Json(body): Json<CreateArticle>,
) -> Result<HttpResponse, ApiError> {
    let status = body.status.unwrap_or_default();
    if status != NewStatus::Draft {
        // A new article is its writer's own: the role is the whole of the publish permission.
        access::check_may_publish(&user)?;
    }
    // Decided before any image is imported, so that a refusal leaves nothing behind.
    let workflow =
        publication::at_creation(status, body.published_at, body.unpublish_at, Utc::now())?;
    let mut checked = Checked::from_create(body)?;
    let import_errors = import_body(&state, &user, &params, &mut checked).await?;
    let media_url = state.config.media_url.clone();
    let article = db::run(&state.pool, move |conn| {
        conn.transaction(|conn| {
            checked.check_references(conn, None, &media_url)?;
            if checked.authors.is_none() {
                checked.authors = Some(if user.role < Role::Editor {
                    vec![own_author(conn, user.id)?]
                } else {
                    Vec::new()
                });
            }
            let title = checked.title.clone().unwrap_or_default();
            let slug = content::choose_slug(conn, checked.slug.as_deref(), &title, None)?;
            let content = checked.apply(None, slug);
            let article = queries::insert(conn, Uuid::now_v7(), &content, user.id, workflow)?;
            record_first_revision(conn, &article, user.id)?;
            Ok(article)
        })
    })
    .await?;
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/api/v1/articles/{}", article.id)))
        .json(WrittenArticle {
            article: ArticleView::full(article),
            import_errors,
        }))
}

/// Change an article. Send only the fields to change.
///
/// A stale `If-Match` or `version` gives 412 and changes nothing. The slug stays when the title
/// changes (links keep working); a new `slug` keeps the old one answering with a redirect. Each
/// change is a revision; one person's edits within a minute fold into one. With
/// `import_images=true`, a new body's remote images are imported first.
#[utoipa::path(
    tag = "articles",
    params(
        ("id" = String, Path, description = "The article's id or slug"),
        ("If-Match" = Option<String>, Header, description = "The ETag last read; a stale one gives 412"),
        WriteParams,
    ),
    request_body = UpdateArticle,
    responses(
        (status = 200, description = "The changed article", body = WrittenArticle),
        Restricted, NotFound, Conflict, PreconditionFailed, WithBody,
    ),
    security(("bearer" = [])),
)]
#[patch("/articles/{id}")]
pub async fn update_article(
    user: AuthUser<min::Contributor>,
    state: web::Data<AppState>,
    id: web::Path<String>,
    if_match: IfMatch,
    params: web::Query<WriteParams>,
    Json(body): Json<UpdateArticle>,
) -> Result<HttpResponse, ApiError> {
    let expected_version = body.version;
    let mut checked = Checked::from_update(body)?;
    let import_errors = import_body(&state, &user, &params, &mut checked).await?;
    let key = Key::parse(&id);
    let media_url = state.config.media_url.clone();
    let article = db::run(&state.pool, move |conn| {
        conn.transaction(|conn| {
            let current = lock_by_key(conn, &key)?;
            access::check_editable(conn, &user, &current)?;
            if_match.check(&as_read(&current))?;
            if expected_version.is_some_and(|v| v != current.version) {
                return Err(ApiError::PreconditionFailed(format!(
                    "version {} is not the current version {}; read the article again",
                    expected_version.unwrap_or_default(),
                    current.version
                )));
            }
            checked.check_references(conn, Some(&current), &media_url)?;
            let slug = match checked.slug.as_deref() {
                Some(asked) if asked != current.slug => {
                    let slug = content::choose_slug(conn, Some(asked), "", Some(current.id))?;
                    queries::forget_retired_slug(conn, &slug)?;
                    queries::retire_slug(conn, &current.slug, current.id)?;
                    slug
                }
                _ => current.slug.clone(),
            };
            let unpublish_at = checked.unpublish_at.take();
            if let Some(until) = unpublish_at {
                content::check_unpublish_at(current.published_at, until)?;
            }
            let content = checked.apply(Some(&Content::from(&current)), slug);
            let mut article = queries::update_content(conn, current.id, &content)?;
            if let Some(until) = unpublish_at {
                article = queries::set_unpublish_at(conn, current.id, until)?;
            }
            record_revision(conn, &article, user.id, true)?;
            Ok(article)
        })
    })
    .await?;
    Ok(HttpResponse::Ok().json(WrittenArticle {
        article: ArticleView::full(article),
        import_errors,
    }))
}

/// Move an article to the trash.
///
/// Anyone who may edit the article. `?status=trashed` lists the trash and `restore` brings an
/// article back; an admin's `?purge=true` removes it for good, with its revisions.
#[utoipa::path(
    tag = "articles",
    params(
        ("id" = String, Path, description = "The article's id or slug"),
        ("If-Match" = Option<String>, Header, description = "The ETag last read; a stale one gives 412"),
        DeleteParams,
    ),
    responses(
        (status = 204, description = "Trashed (or purged)"),
        Restricted, NotFound, PreconditionFailed,
    ),
    security(("bearer" = [])),
)]
#[delete("/articles/{id}")]
pub async fn delete_article(
    user: AuthUser<min::Contributor>,
    state: web::Data<AppState>,
    id: web::Path<String>,
    params: web::Query<DeleteParams>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    let purge = params.purge.unwrap_or(false);
    if purge && user.role < Role::Admin {
        return Err(ApiError::Forbidden(
            "only an admin may purge an article".into(),
        ));
    }
    let key = Key::parse(&id);
    db::run(&state.pool, move |conn| {
        conn.transaction(|conn| {
            let current = lock_by_key(conn, &key)?;
            access::check_editable(conn, &user, &current)?;
            if_match.check(&as_read(&current))?;
            if purge {
                queries::purge(conn, current.id)?;
            } else if current.deleted_at.is_none() {
                queries::set_trashed(conn, current.id, true)?;
            }
            Ok(())
        })
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
