use actix_web::{HttpRequest, HttpResponse, get, post, web};
use diesel::{Connection, OptionalExtension};

use crate::{
    articles::{
        access,
        dto::{ArticleView, RevisionView},
        handlers::{lock_by_key, record_revision},
        model::Content,
        queries::{self, Lookup},
    },
    auth::{AuthUser, min},
    db,
    error::ApiError,
    openapi::{Conflict, NotFound, Restricted},
    pagination::{List, Page, PageParams},
    slugs::Key,
    state::AppState,
};

fn article_id(conn: &mut diesel::PgConnection, key: &Key) -> Result<uuid::Uuid, ApiError> {
    match queries::find(conn, key)? {
        Lookup::Found(article) | Lookup::Moved(article) => Ok(article.id),
        Lookup::Missing => Err(ApiError::not_found("article")),
    }
}

/// List an article's revisions, newest first.
///
/// Anyone who may edit the article. The list leaves out each revision's content; read one revision
/// for it.
#[utoipa::path(
    tag = "articles",
    params(("id" = String, Path, description = "The article's id or slug"), PageParams),
    responses(
        (status = 200, description = "A page of revisions, newest first", body = List<RevisionView>),
        Restricted, NotFound,
    ),
    security(("bearer" = [])),
)]
#[get("/articles/{id}/revisions")]
pub async fn list_revisions(
    _staff: AuthUser<min::Contributor>,
    state: web::Data<AppState>,
    id: web::Path<String>,
    params: web::Query<PageParams>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let page = Page::try_from(&*params)?;
    let key = Key::parse(&id);
    let (revisions, total) = db::run(&state.pool, move |conn| {
        let article = article_id(conn, &key)?;
        Ok(queries::list_revisions(conn, article, page)?)
    })
    .await?;
    let views = revisions
        .into_iter()
        .map(|r| RevisionView::new(r, false))
        .collect();
    Ok(List::new(views, page, total).respond(&req))
}

/// Read one revision with its full content.
///
/// Anyone who may edit the article; `n` is the revision's number, from 1.
#[utoipa::path(
    tag = "articles",
    params(
        ("id" = String, Path, description = "The article's id or slug"),
        ("n" = i32, Path, description = "The revision number, from 1"),
    ),
    responses(
        (status = 200, description = "The revision", body = RevisionView),
        Restricted, NotFound,
    ),
    security(("bearer" = [])),
)]
#[get("/articles/{id}/revisions/{n}")]
pub async fn find_revision(
    _staff: AuthUser<min::Contributor>,
    state: web::Data<AppState>,
    path: web::Path<(String, i32)>,
) -> Result<HttpResponse, ApiError> {
    let (id, number) = path.into_inner();
    let key = Key::parse(&id);
    let revision = db::run(&state.pool, move |conn| {
        let article = article_id(conn, &key)?;
        queries::find_revision(conn, article, number)
            .optional()?
            .ok_or_else(|| ApiError::NotFound(format!("the article has no revision {number}")))
    })
    .await?;
    Ok(HttpResponse::Ok().json(RevisionView::new(revision, true)))
}

/// Put an old revision's content back.
///
/// Anyone who may edit the article. This makes a new revision; nothing is lost.
#[utoipa::path(
    tag = "articles",
    params(
        ("id" = String, Path, description = "The article's id or slug"),
        ("n" = i32, Path, description = "The revision number, from 1"),
    ),
    responses(
        (status = 200, description = "The article with the revision's content", body = ArticleView),
        Restricted, NotFound, Conflict,
    ),
    security(("bearer" = [])),
)]
#[post("/articles/{id}/revisions/{n}/restore")]
pub async fn restore_revision(
    user: AuthUser<min::Contributor>,
    state: web::Data<AppState>,
    path: web::Path<(String, i32)>,
) -> Result<HttpResponse, ApiError> {
    let (id, number) = path.into_inner();
    let key = Key::parse(&id);
    let article = db::run(&state.pool, move |conn| {
        conn.transaction(|conn| {
            let current = lock_by_key(conn, &key)?;
            access::check_editable(conn, &user, &current)?;
            crate::changes::name_action(conn, "revision_restored")?;
            let revision = queries::find_revision(conn, current.id, number)
                .optional()?
                .ok_or_else(|| {
                    ApiError::NotFound(format!("the article has no revision {number}"))
                })?;
            let mut content: Content =
                serde_json::from_value(revision.content).map_err(ApiError::internal)?;
            // The slug stays: restoring text must not break the article's links.
            content.slug = current.slug.clone();
            let article = queries::update_content(conn, current.id, &content)?;
            record_revision(conn, &article, user.id, false)?;
            Ok(article)
        })
    })
    .await?;
    Ok(HttpResponse::Ok().json(ArticleView::full(article)))
}
