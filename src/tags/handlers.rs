use actix_web::{HttpRequest, HttpResponse, delete, get, http::header, patch, post, web};
use diesel::Connection;
use uuid::Uuid;

use crate::{
    auth::{AuthUser, Reader, min},
    cache, db,
    error::{ApiError, Fields},
    etag::IfMatch,
    extract::Json,
    openapi::{Conflict, NotFound, PreconditionFailed, Public, Restricted, WithBody},
    pagination::{List, Page, PageParams},
    slugs::Key,
    state::AppState,
    tags::{
        dto::{CreateTag, TagFilter, TagView, UpdateTag},
        model::{NAME_MAX_CHARS, NewTag, TagChanges},
        queries,
    },
    text::fields as text,
};

/// List tags by name.
///
/// Anyone. Each tag comes with the number of live articles that have it; `q` filters by name.
#[utoipa::path(
    tag = "tags",
    params(PageParams, TagFilter),
    responses(
        (status = 200, description = "A page of tags", body = List<TagView>),
        Public,
    ),
    security((), ("bearer" = [])),
)]
#[get("/tags")]
pub async fn list_tags(
    reader: Reader,
    state: web::Data<AppState>,
    params: web::Query<PageParams>,
    filter: web::Query<TagFilter>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let page = Page::try_from(&*params)?;
    let q = filter
        .into_inner()
        .q
        .map(|q| q.trim().to_owned())
        .filter(|q| !q.is_empty());
    let (views, total) = db::run(&state.pool, move |conn| {
        let (rows, total) = queries::list(conn, page, q.as_deref())?;
        let ids: Vec<Uuid> = rows.iter().map(|t| t.id).collect();
        let counts = queries::article_counts(conn, &ids)?;
        let views = rows
            .into_iter()
            .map(|t| {
                let count = counts.get(&t.id).copied().unwrap_or(0);
                TagView::new(t, count)
            })
            .collect();
        Ok((views, total))
    })
    .await?;
    let mut response = List::new(views, page, total).respond(&req);
    cache::mark_public(&mut response, &reader, &state);
    Ok(response)
}

/// Read one tag by id or slug.
///
/// Anyone. The count is of live articles that have the tag.
#[utoipa::path(
    tag = "tags",
    params(("id" = String, Path, description = "The tag's id or slug")),
    responses(
        (status = 200, description = "The tag", body = TagView),
        (status = 304, description = "Not modified (`If-None-Match`)"),
        Public, NotFound,
    ),
    security((), ("bearer" = [])),
)]
#[get("/tags/{id}")]
pub async fn find_tag(
    reader: Reader,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let key = Key::parse(&id);
    let view = db::run(&state.pool, move |conn| {
        let tag = queries::find(conn, &key).map_err(ApiError::missing("tag"))?;
        let count = queries::article_count(conn, tag.id)?;
        Ok(TagView::new(tag, count))
    })
    .await?;
    let mut response = HttpResponse::Ok().json(view);
    cache::mark_public(&mut response, &reader, &state);
    Ok(response)
}

/// Create a tag.
///
/// Editors and admins. The slug is made from the name when omitted.
#[utoipa::path(
    tag = "tags",
    request_body = CreateTag,
    responses(
        (status = 201, description = "Created", body = TagView,
            headers(("Location" = String, description = "The new tag's URL"))),
        Restricted, Conflict, WithBody,
    ),
    security(("bearer" = [])),
)]
#[post("/tags")]
pub async fn create_tag(
    _editor: AuthUser<min::Editor>,
    state: web::Data<AppState>,
    Json(body): Json<CreateTag>,
) -> Result<HttpResponse, ApiError> {
    let (name, slug) = (
        text::name("name", &body.name, NAME_MAX_CHARS),
        text::slug(body.slug.as_deref()),
    )
        .parsed()?;
    let tag = db::run(&state.pool, move |conn| {
        conn.transaction(|conn| {
            let slug = match slug {
                Some(slug) => slug,
                None => queries::free_slug(conn, &text::slug_base(&name, "tag"))?,
            };
            let new_tag = NewTag {
                id: Uuid::now_v7(),
                slug,
                name,
            };
            Ok(queries::insert(conn, &new_tag)?)
        })
    })
    .await?;
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/api/v1/tags/{}", tag.id)))
        .json(TagView::new(tag, 0)))
}

/// Rename a tag or change its slug.
///
/// Editors and admins; absent fields stay as they are. Articles with the tag are re-indexed for
/// search.
#[utoipa::path(
    tag = "tags",
    params(
        ("id" = String, Path, description = "The tag's id or slug"),
        ("If-Match" = Option<String>, Header, description = "The ETag last read; a stale one gives 412"),
    ),
    request_body = UpdateTag,
    responses(
        (status = 200, description = "The changed tag", body = TagView),
        Restricted, NotFound, Conflict, PreconditionFailed, WithBody,
    ),
    security(("bearer" = [])),
)]
#[patch("/tags/{id}")]
pub async fn update_tag(
    _editor: AuthUser<min::Editor>,
    state: web::Data<AppState>,
    id: web::Path<String>,
    if_match: IfMatch,
    Json(body): Json<UpdateTag>,
) -> Result<HttpResponse, ApiError> {
    let key = Key::parse(&id);
    let (name, slug) = (
        body.name
            .as_deref()
            .map(|n| text::name("name", n, NAME_MAX_CHARS))
            .transpose(),
        text::slug(body.slug.as_deref()),
    )
        .parsed()?;
    let changes = TagChanges { slug, name };
    let view = db::run(&state.pool, move |conn| {
        conn.transaction(|conn| {
            let current = queries::find_for_update(conn, &key).map_err(ApiError::missing("tag"))?;
            let count = queries::article_count(conn, current.id)?;
            if_match.check(&TagView::new(current.clone(), count))?;
            let tag = queries::update(conn, current.id, &changes)?;
            Ok(TagView::new(tag, count))
        })
    })
    .await?;
    Ok(HttpResponse::Ok().json(view))
}

/// Delete a tag.
///
/// Editors and admins. It is taken off every article that has it, in the same transaction.
#[utoipa::path(
    tag = "tags",
    params(
        ("id" = String, Path, description = "The tag's id or slug"),
        ("If-Match" = Option<String>, Header, description = "The ETag last read; a stale one gives 412"),
    ),
    responses(
        (status = 204, description = "Deleted"),
        Restricted, NotFound, PreconditionFailed,
    ),
    security(("bearer" = [])),
)]
#[delete("/tags/{id}")]
pub async fn delete_tag(
    _editor: AuthUser<min::Editor>,
    state: web::Data<AppState>,
    id: web::Path<String>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    let key = Key::parse(&id);
    db::run(&state.pool, move |conn| {
        conn.transaction(|conn| {
            let current = queries::find_for_update(conn, &key).map_err(ApiError::missing("tag"))?;
            let count = queries::article_count(conn, current.id)?;
            if_match.check(&TagView::new(current.clone(), count))?;
            queries::remove_from_articles(conn, current.id)?;
            queries::delete(conn, current.id)?;
            Ok(())
        })
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
