use actix_web::{HttpRequest, HttpResponse, delete, get, http::header, patch, post, web};
use diesel::Connection;
use uuid::Uuid;

use crate::{
    auth::{AuthUser, Reader, min},
    authors::{
        dto::{AuthorView, CreateAuthor, UpdateAuthor},
        model::{AuthorChanges, BIO_MAX_CHARS, NAME_MAX_CHARS, NewAuthor},
        queries,
    },
    cache, db,
    error::{ApiError, FieldCode, Fields},
    etag::IfMatch,
    extract::Json,
    openapi::{Conflict, NotFound, PreconditionFailed, Public, Restricted, WithBody},
    pagination::{List, Page, PageParams},
    slugs::Key,
    state::AppState,
    text::fields,
};

/// List authors by name.
///
/// Anyone. Each author comes with the number of live articles that name it.
#[utoipa::path(
    tag = "authors",
    params(PageParams),
    responses(
        (status = 200, description = "A page of authors", body = List<AuthorView>),
        Public,
    ),
    security((), ("bearer" = [])),
)]
#[get("/authors")]
pub async fn list_authors(
    reader: Reader,
    state: web::Data<AppState>,
    params: web::Query<PageParams>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let page = Page::try_from(&*params)?;
    let (views, total) = db::run(&state.pool, move |conn| {
        let (rows, total) = queries::list(conn, page)?;
        let ids: Vec<Uuid> = rows.iter().map(|a| a.id).collect();
        let counts = queries::article_counts(conn, &ids)?;
        let views = rows
            .into_iter()
            .map(|a| {
                let count = counts.get(&a.id).copied().unwrap_or(0);
                AuthorView::new(a, count)
            })
            .collect();
        Ok((views, total))
    })
    .await?;
    let mut response = List::new(views, page, total).respond(&req);
    cache::mark_public(&mut response, &reader, &state);
    Ok(response)
}

/// Read one author by id or slug.
///
/// Anyone. The count is of live articles that name the author.
#[utoipa::path(
    tag = "authors",
    params(("id" = String, Path, description = "The author's id or slug")),
    responses(
        (status = 200, description = "The author", body = AuthorView),
        (status = 304, description = "Not modified (`If-None-Match`)"),
        Public, NotFound,
    ),
    security((), ("bearer" = [])),
)]
#[get("/authors/{id}")]
pub async fn find_author(
    reader: Reader,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let key = Key::parse(&id);
    let view = db::run(&state.pool, move |conn| {
        let author = queries::find(conn, &key).map_err(ApiError::missing("author"))?;
        let count = queries::article_count(conn, author.id)?;
        Ok(AuthorView::new(author, count))
    })
    .await?;
    let mut response = HttpResponse::Ok().json(view);
    cache::mark_public(&mut response, &reader, &state);
    Ok(response)
}

/// Create an author.
///
/// Editors and admins. The slug is made from the name when omitted.
#[utoipa::path(
    tag = "authors",
    request_body = CreateAuthor,
    responses(
        (status = 201, description = "Created", body = AuthorView,
            headers(("Location" = String, description = "The new author's URL"))),
        Restricted, Conflict, WithBody,
    ),
    security(("bearer" = [])),
)]
#[post("/authors")]
pub async fn create_author(
    _editor: AuthUser<min::Editor>,
    state: web::Data<AppState>,
    Json(body): Json<CreateAuthor>,
) -> Result<HttpResponse, ApiError> {
    let (name, slug, bio, website) = (
        fields::name("name", &body.name, NAME_MAX_CHARS),
        fields::slug(body.slug.as_deref()),
        fields::plain_text(
            "bio",
            body.bio.as_deref().unwrap_or_default(),
            BIO_MAX_CHARS,
        ),
        body.website.as_deref().map_or(Ok(None), fields::website),
    )
        .parsed()?;
    let (avatar_id, user_id) = (body.avatar, body.user_id);
    let author = db::run(&state.pool, move |conn| {
        conn.transaction(|conn| {
            if let Some(user) = user_id {
                check_user(conn, user)?;
            }
            if let Some(avatar) = avatar_id {
                check_avatar(conn, avatar)?;
            }
            let slug = match slug {
                Some(slug) => slug,
                None => queries::free_slug(conn, &fields::slug_base(&name, "author"))?,
            };
            let new_author = NewAuthor {
                id: Uuid::now_v7(),
                slug,
                name,
                bio,
                avatar_id,
                website,
                user_id,
            };
            Ok(queries::insert(conn, &new_author)?)
        })
    })
    .await?;
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/api/v1/authors/{}", author.id)))
        .json(AuthorView::new(author, 0)))
}

/// Change an author.
///
/// Editors and admins; absent fields stay as they are, `null` clears a nullable one.
#[utoipa::path(
    tag = "authors",
    params(
        ("id" = String, Path, description = "The author's id or slug"),
        ("If-Match" = Option<String>, Header, description = "The ETag last read; a stale one gives 412"),
    ),
    request_body = UpdateAuthor,
    responses(
        (status = 200, description = "The changed author", body = AuthorView),
        Restricted, NotFound, Conflict, PreconditionFailed, WithBody,
    ),
    security(("bearer" = [])),
)]
#[patch("/authors/{id}")]
pub async fn update_author(
    _editor: AuthUser<min::Editor>,
    state: web::Data<AppState>,
    id: web::Path<String>,
    if_match: IfMatch,
    Json(body): Json<UpdateAuthor>,
) -> Result<HttpResponse, ApiError> {
    let key = Key::parse(&id);
    let (name, slug, bio, website) = (
        body.name
            .as_deref()
            .map(|n| fields::name("name", n, NAME_MAX_CHARS))
            .transpose(),
        fields::slug(body.slug.as_deref()),
        body.bio
            .as_deref()
            .map(|b| fields::plain_text("bio", b, BIO_MAX_CHARS))
            .transpose(),
        body.website
            .map(|w| w.as_deref().map_or(Ok(None), fields::website))
            .transpose(),
    )
        .parsed()?;
    let changes = AuthorChanges {
        slug,
        name,
        bio,
        avatar_id: body.avatar,
        website,
        user_id: body.user_id,
    };
    let view = db::run(&state.pool, move |conn| {
        conn.transaction(|conn| {
            let current =
                queries::find_for_update(conn, &key).map_err(ApiError::missing("author"))?;
            let count = queries::article_count(conn, current.id)?;
            if_match.check(&AuthorView::new(current.clone(), count))?;
            if let Some(Some(user)) = changes.user_id {
                check_user(conn, user)?;
            }
            if let Some(Some(avatar)) = changes.avatar_id {
                check_avatar(conn, avatar)?;
            }
            let author = queries::update(conn, current.id, &changes)?;
            Ok(AuthorView::new(author, count))
        })
    })
    .await?;
    Ok(HttpResponse::Ok().json(view))
}

/// Delete an author.
///
/// Editors and admins. Only an author no article names, not even one in the trash (409 otherwise).
#[utoipa::path(
    tag = "authors",
    params(
        ("id" = String, Path, description = "The author's id or slug"),
        ("If-Match" = Option<String>, Header, description = "The ETag last read; a stale one gives 412"),
    ),
    responses(
        (status = 204, description = "Deleted"),
        Restricted, NotFound, Conflict, PreconditionFailed,
    ),
    security(("bearer" = [])),
)]
#[delete("/authors/{id}")]
pub async fn delete_author(
    _editor: AuthUser<min::Editor>,
    state: web::Data<AppState>,
    id: web::Path<String>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    let key = Key::parse(&id);
    db::run(&state.pool, move |conn| {
        conn.transaction(|conn| {
            let current =
                queries::find_for_update(conn, &key).map_err(ApiError::missing("author"))?;
            let count = queries::article_count(conn, current.id)?;
            if_match.check(&AuthorView::new(current.clone(), count))?;
            if queries::in_use(conn, current.id)? {
                return Err(ApiError::Conflict(
                    "the author is in use: articles (in the trash too) still name them".into(),
                ));
            }
            queries::delete(conn, current.id)?;
            Ok(())
        })
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

fn check_user(conn: &mut diesel::PgConnection, user: Uuid) -> Result<(), ApiError> {
    if queries::user_exists(conn, user)? {
        Ok(())
    } else {
        Err(ApiError::field(
            "user_id",
            FieldCode::NotFound,
            format!("no account has id {user}"),
        ))
    }
}

fn check_avatar(conn: &mut diesel::PgConnection, image: Uuid) -> Result<(), ApiError> {
    match crate::images::missing(conn, "avatar", image)? {
        Some(error) => Err(ApiError::Validation(vec![error])),
        None => Ok(()),
    }
}
