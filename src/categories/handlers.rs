use actix_web::{HttpRequest, HttpResponse, delete, get, http::header, patch, post, web};
use diesel::{Connection, PgConnection};
use uuid::Uuid;

use crate::{
    auth::{AuthUser, Reader, min},
    cache,
    categories::{
        dto::{CategoryFilter, CategoryView, CreateCategory, DeleteCategoryParams, UpdateCategory},
        model::{CategoryChanges, DESCRIPTION_MAX_CHARS, NAME_MAX_CHARS, NewCategory},
        queries,
    },
    db,
    error::{ApiError, FieldCode, Fields},
    etag::IfMatch,
    extract::Json,
    openapi::{
        Conflict, NotFound, PreconditionFailed, Public, Restricted, ValidationFailed, WithBody,
    },
    pagination::{List, Page, PageParams},
    slugs::Key,
    state::AppState,
    text::fields as text,
};

/// List categories.
///
/// Anyone. By position, then name, with the number of live articles in each; `parent` keeps the
/// direct subcategories of one.
#[utoipa::path(
    tag = "categories",
    params(PageParams, CategoryFilter),
    responses(
        (status = 200, description = "A page of categories", body = List<CategoryView>),
        Public,
    ),
    security((), ("bearer" = [])),
)]
#[get("/categories")]
pub async fn list_categories(
    reader: Reader,
    state: web::Data<AppState>,
    params: web::Query<PageParams>,
    filter: web::Query<CategoryFilter>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let page = Page::try_from(&*params)?;
    let parent = filter.parent.as_deref().map(Key::parse);
    let (views, total) = db::run(&state.pool, move |conn| {
        let parent = match parent {
            // A parent given by slug is looked up first; one that does not exist has no children.
            Some(Key::Slug(slug)) => match queries::resolve(conn, &Key::Slug(slug))? {
                Some(id) => Some(id),
                None => return Ok((Vec::new(), 0)),
            },
            Some(Key::Id(id)) => Some(id),
            None => None,
        };
        let (rows, total) = queries::list(conn, page, parent)?;
        let ids: Vec<Uuid> = rows.iter().map(|c| c.id).collect();
        let counts = queries::article_counts(conn, &ids)?;
        let views = rows
            .into_iter()
            .map(|c| {
                let count = counts.get(&c.id).copied().unwrap_or(0);
                CategoryView::new(c, count)
            })
            .collect();
        Ok((views, total))
    })
    .await?;
    let mut response = List::new(views, page, total).respond(&req);
    cache::mark_public(&mut response, &reader, &state);
    Ok(response)
}

/// Read one category by id or slug.
///
/// Anyone. The count is of live articles in the category itself, not its subcategories.
#[utoipa::path(
    tag = "categories",
    params(("id" = String, Path, description = "The category's id or slug")),
    responses(
        (status = 200, description = "The category", body = CategoryView),
        (status = 304, description = "Not modified (`If-None-Match`)"),
        Public, NotFound,
    ),
    security((), ("bearer" = [])),
)]
#[get("/categories/{id}")]
pub async fn find_category(
    reader: Reader,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let key = Key::parse(&id);
    let view = db::run(&state.pool, move |conn| {
        let category = queries::find(conn, &key).map_err(ApiError::missing("category"))?;
        let count = queries::article_count(conn, category.id)?;
        Ok(CategoryView::new(category, count))
    })
    .await?;
    let mut response = HttpResponse::Ok().json(view);
    cache::mark_public(&mut response, &reader, &state);
    Ok(response)
}

/// Create a category.
///
/// Editors and admins. It goes at the top level or under `parent`; the slug is made from the name
/// when omitted.
#[utoipa::path(
    tag = "categories",
    request_body = CreateCategory,
    responses(
        (status = 201, description = "Created", body = CategoryView,
            headers(("Location" = String, description = "The new category's URL"))),
        Restricted, Conflict, WithBody,
    ),
    security(("bearer" = [])),
)]
#[post("/categories")]
pub async fn create_category(
    _editor: AuthUser<min::Editor>,
    state: web::Data<AppState>,
    Json(body): Json<CreateCategory>,
) -> Result<HttpResponse, ApiError> {
    let (name, slug, description) = (
        text::name("name", &body.name, NAME_MAX_CHARS),
        text::slug(body.slug.as_deref()),
        text::plain_text(
            "description",
            body.description.as_deref().unwrap_or_default(),
            DESCRIPTION_MAX_CHARS,
        ),
    )
        .parsed()?;
    let (parent_id, position) = (body.parent, body.position.unwrap_or(0));
    let category = db::run(&state.pool, move |conn| {
        conn.transaction(|conn| {
            if let Some(parent) = parent_id {
                check_parent(conn, parent)?;
            }
            let slug = match slug {
                Some(slug) => slug,
                None => queries::free_slug(conn, &text::slug_base(&name, "category"))?,
            };
            let new_category = NewCategory {
                id: Uuid::now_v7(),
                slug,
                name,
                description,
                parent_id,
                position,
            };
            Ok(queries::insert(conn, &new_category)?)
        })
    })
    .await?;
    Ok(HttpResponse::Created()
        .insert_header((
            header::LOCATION,
            format!("/api/v1/categories/{}", category.id),
        ))
        .json(CategoryView::new(category, 0)))
}

/// Change a category.
///
/// Editors and admins; absent fields stay as they are. A category cannot move under itself or one
/// of its subcategories.
#[utoipa::path(
    tag = "categories",
    params(
        ("id" = String, Path, description = "The category's id or slug"),
        ("If-Match" = Option<String>, Header, description = "The ETag last read; a stale one gives 412"),
    ),
    request_body = UpdateCategory,
    responses(
        (status = 200, description = "The changed category", body = CategoryView),
        Restricted, NotFound, Conflict, PreconditionFailed, WithBody,
    ),
    security(("bearer" = [])),
)]
#[patch("/categories/{id}")]
pub async fn update_category(
    _editor: AuthUser<min::Editor>,
    state: web::Data<AppState>,
    id: web::Path<String>,
    if_match: IfMatch,
    Json(body): Json<UpdateCategory>,
) -> Result<HttpResponse, ApiError> {
    let key = Key::parse(&id);
    let (name, slug, description) = (
        body.name
            .as_deref()
            .map(|n| text::name("name", n, NAME_MAX_CHARS))
            .transpose(),
        text::slug(body.slug.as_deref()),
        body.description
            .as_deref()
            .map(|d| text::plain_text("description", d, DESCRIPTION_MAX_CHARS))
            .transpose(),
    )
        .parsed()?;
    let changes = CategoryChanges {
        slug,
        name,
        description,
        parent_id: body.parent,
        position: body.position,
    };
    let view = db::run(&state.pool, move |conn| {
        conn.transaction(|conn| {
            let new_parent = changes.parent_id.flatten();
            if new_parent.is_some() {
                queries::lock_tree(conn)?;
            }
            let current =
                queries::find_for_update(conn, &key).map_err(ApiError::missing("category"))?;
            let count = queries::article_count(conn, current.id)?;
            if_match.check(&CategoryView::new(current.clone(), count))?;
            if let Some(parent) = new_parent {
                check_parent(conn, parent)?;
                if queries::is_self_or_descendant(conn, current.id, parent)? {
                    return Err(ApiError::field(
                        "parent",
                        FieldCode::Invalid,
                        "would make a cycle: a category cannot be nested under itself or one \
                         of its subcategories",
                    ));
                }
            }
            let category = queries::update(conn, current.id, &changes)?;
            Ok(CategoryView::new(category, count))
        })
    })
    .await?;
    Ok(HttpResponse::Ok().json(view))
}

/// Delete a category without subcategories.
///
/// Editors and admins. One that still has articles (in the trash too) needs `move_to`, which moves
/// them to another category in the same transaction.
#[utoipa::path(
    tag = "categories",
    params(
        ("id" = String, Path, description = "The category's id or slug"),
        DeleteCategoryParams,
        ("If-Match" = Option<String>, Header, description = "The ETag last read; a stale one gives 412"),
    ),
    responses(
        (status = 204, description = "Deleted"),
        Restricted, NotFound, Conflict, PreconditionFailed, ValidationFailed,
    ),
    security(("bearer" = [])),
)]
#[delete("/categories/{id}")]
pub async fn delete_category(
    _editor: AuthUser<min::Editor>,
    state: web::Data<AppState>,
    id: web::Path<String>,
    params: web::Query<DeleteCategoryParams>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    let key = Key::parse(&id);
    let move_to = params.into_inner().move_to.map(|m| Key::parse(&m));
    db::run(&state.pool, move |conn| {
        conn.transaction(|conn| {
            let current =
                queries::find_for_update(conn, &key).map_err(ApiError::missing("category"))?;
            let count = queries::article_count(conn, current.id)?;
            if_match.check(&CategoryView::new(current.clone(), count))?;
            if queries::has_children(conn, current.id)? {
                return Err(ApiError::Conflict(
                    "the category has subcategories; move or delete them first".into(),
                ));
            }
            match move_to {
                Some(target) => {
                    let target = move_target(conn, &target, current.id)?;
                    queries::move_articles(conn, current.id, target)?;
                }
                None => {
                    let articles = queries::all_article_count(conn, current.id)?;
                    if articles > 0 {
                        return Err(ApiError::Conflict(format!(
                            "the category still has {articles} article(s), in the trash too; \
                             pass move_to=<category> to move them"
                        )));
                    }
                }
            }
            queries::delete(conn, current.id)?;
            Ok(())
        })
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

fn check_parent(conn: &mut PgConnection, parent: Uuid) -> Result<(), ApiError> {
    if queries::exists_locked(conn, parent)? {
        Ok(())
    } else {
        Err(ApiError::field(
            "parent",
            FieldCode::NotFound,
            format!("no category has id {parent}"),
        ))
    }
}

/// The category that `move_to` names, held until the articles are moved to it.
fn move_target(conn: &mut PgConnection, target: &Key, deleted: Uuid) -> Result<Uuid, ApiError> {
    let missing = || ApiError::field("move_to", FieldCode::NotFound, "no such category");
    let id = queries::resolve(conn, target)?.ok_or_else(missing)?;
    if id == deleted {
        return Err(ApiError::field(
            "move_to",
            FieldCode::Invalid,
            "must be another category than the one deleted",
        ));
    }
    if queries::exists_locked(conn, id)? {
        Ok(id)
    } else {
        Err(missing())
    }
}
