use actix_web::{HttpRequest, HttpResponse, delete, get, http::header, patch, post, put, web};
use diesel::{Connection, PgConnection};
use uuid::Uuid;

use crate::{
    articles::queries::{self as articles, Lookup},
    auth::{AuthUser, Reader, min},
    cache, db,
    error::{ApiError, FieldCode, FieldError, Fields},
    etag::IfMatch,
    extract::Json,
    openapi::{Conflict, NotFound, PreconditionFailed, Public, Restricted, WithBody},
    pagination::{List, Page, PageParams},
    recommendations::{
        dto::{
            CreateRecommendation, RecommendationFilter, RecommendationView, ReorderRecommendations,
            UpdateRecommendation,
        },
        model::{self, NOTE_MAX_CHARS, NewRecommendation},
        queries::{self, ListFilter},
    },
    slugs::Key,
    state::AppState,
    text::fields as text,
};

/// The id in a path; anything else names no entry.
fn entry_id(segment: &str) -> Result<Uuid, ApiError> {
    Uuid::parse_str(segment).map_err(|_| ApiError::not_found("recommendation"))
}

fn note(value: Option<&str>) -> Result<Option<String>, FieldError> {
    value
        .map(|n| text::plain_text("note", n, NOTE_MAX_CHARS))
        .transpose()
        .map(|n| n.filter(|n| !n.is_empty()))
}

fn position(value: Option<i32>) -> Result<Option<i32>, FieldError> {
    match value {
        Some(p) if p < 1 => Err(FieldError::new(
            "position",
            FieldCode::Invalid,
            "must be 1 or more",
        )),
        other => Ok(other),
    }
}

/// 422 naming each field whose article does not exist.
fn check_articles(
    conn: &mut PgConnection,
    fields: &[(&str, Option<Uuid>)],
) -> Result<(), ApiError> {
    let ids: Vec<Uuid> = fields.iter().filter_map(|(_, id)| *id).collect();
    let missing = queries::missing_articles(conn, &ids)?;
    let errors: Vec<FieldError> = fields
        .iter()
        .filter(|(_, id)| id.is_some_and(|id| missing.contains(&id)))
        .map(|(field, _)| FieldError::new(*field, FieldCode::NotFound, "no such article"))
        .collect();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ApiError::Validation(errors))
    }
}

/// Puts `id` at `position` (from 1, clamped to the slot) among `ids`.
fn moved(mut ids: Vec<Uuid>, id: Uuid, position: i32) -> Vec<Uuid> {
    ids.retain(|other| *other != id);
    let at = usize::try_from(position - 1).unwrap_or(0).min(ids.len());
    ids.insert(at, id);
    ids
}

/// List curated recommendations.
///
/// Anyone. Entries come by slot, source article and position, each with its target article's
/// summary; anonymous callers see only entries whose articles are live.
#[utoipa::path(
    tag = "recommendations",
    params(PageParams, RecommendationFilter),
    responses(
        (status = 200, description = "A page of entries", body = List<RecommendationView>),
        Public,
    ),
    security((), ("bearer" = [])),
)]
#[get("/recommendations")]
pub async fn list_recommendations(
    reader: Reader,
    state: web::Data<AppState>,
    params: web::Query<PageParams>,
    filter: web::Query<RecommendationFilter>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let page = Page::try_from(&*params)?;
    let filter = filter.into_inner();
    let live_only = !reader.is_staff();
    let (views, total, until_change) = db::run(&state.pool, move |conn| {
        let source = match filter.source_article.as_deref().map(Key::parse) {
            None => None,
            Some(key) => match articles::find(conn, &key)? {
                Lookup::Found(a) | Lookup::Moved(a) => Some(a.id),
                // Names nothing: an empty list, as a filter naming nothing matches nothing.
                Lookup::Missing => return Ok((Vec::new(), 0, None)),
            },
        };
        let filter = ListFilter {
            slot: filter.slot,
            source,
            live_only,
        };
        let (rows, total) = queries::list(conn, &filter, page)?;
        let now = chrono::Utc::now();
        let until_change = rows
            .iter()
            .filter_map(|(_, a)| a.timing().seconds_to_change(now))
            .min();
        let views = rows
            .into_iter()
            .map(|(r, a)| RecommendationView::new(r, a))
            .collect();
        Ok((views, total, until_change))
    })
    .await?;
    let mut response = List::new(views, page, total).respond(&req);
    cache::mark_public_for(&mut response, &reader, &state, until_change);
    Ok(response)
}

// Ids are UUIDs; matching only their characters leaves `/recommendations/order` to its own
// route, so that other methods there are 405, not a search for an entry named `order`.
/// Read one recommendation.
///
/// Editors and admins.
#[utoipa::path(
    tag = "recommendations",
    params(("id" = Uuid, Path, description = "The entry's id")),
    responses(
        (status = 200, description = "The entry", body = RecommendationView),
        (status = 304, description = "Not modified (`If-None-Match`)"),
        Restricted, NotFound,
    ),
    security(("bearer" = [])),
)]
#[get("/recommendations/{id:[0-9a-fA-F-]+}")]
pub async fn find_recommendation(
    _editor: AuthUser<min::Editor>,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = entry_id(&id)?;
    let view = db::run(&state.pool, move |conn| {
        let (r, a) = queries::find(conn, id).map_err(ApiError::missing("recommendation"))?;
        Ok(RecommendationView::new(r, a))
    })
    .await?;
    Ok(HttpResponse::Ok().json(view))
}

/// Add an article to a slot: `related` with the `source_article` it is for, or a site-wide slot.
///
/// An article cannot recommend itself (422), and appears at most once per slot (409).
#[utoipa::path(
    tag = "recommendations",
    request_body = CreateRecommendation,
    responses(
        (status = 201, description = "Created", body = RecommendationView,
            headers(("Location" = String, description = "The new entry's URL"))),
        Restricted, Conflict, WithBody,
    ),
    security(("bearer" = [])),
)]
#[post("/recommendations")]
pub async fn create_recommendation(
    _editor: AuthUser<min::Editor>,
    state: web::Data<AppState>,
    Json(body): Json<CreateRecommendation>,
) -> Result<HttpResponse, ApiError> {
    let slot = model::parse_slot(&body.slot);
    let source = match &slot {
        Ok(slot) => model::check_source(slot, body.source_article),
        Err(_) => Ok(body.source_article),
    };
    let target = if body.source_article == Some(body.target_article) {
        Err(FieldError::new(
            "target_article",
            FieldCode::Invalid,
            "an article cannot recommend itself",
        ))
    } else {
        Ok(body.target_article)
    };
    let (slot, source, target, asked_position, note) = (
        slot,
        source,
        target,
        position(body.position),
        note(body.note.as_deref()),
    )
        .parsed()?;
    let view = db::run(&state.pool, move |conn| {
        conn.transaction(|conn| {
            check_articles(
                conn,
                &[("source_article", source), ("target_article", Some(target))],
            )?;
            queries::lock_slot(conn, &slot, source)?;
            let ids = queries::slot_ids(conn, &slot, source)?;
            let end = i32::try_from(ids.len()).unwrap_or(i32::MAX - 1) + 1;
            let new = NewRecommendation {
                id: Uuid::now_v7(),
                slot: slot.clone(),
                source_article_id: source,
                target_article_id: target,
                position: end,
                note,
            };
            let created = queries::insert(conn, &new)?;
            if let Some(at) = asked_position.filter(|p| *p < end) {
                queries::set_positions(conn, &moved(ids, created.id, at))?;
            }
            let (r, a) = queries::find(conn, created.id)?;
            Ok(RecommendationView::new(r, a))
        })
    })
    .await?;
    Ok(HttpResponse::Created()
        .insert_header((
            header::LOCATION,
            format!("/api/v1/recommendations/{}", view.id),
        ))
        .json(view))
}

/// Change a recommendation.
///
/// Editors and admins. A new note, or a new position within the slot (the others close up).
#[utoipa::path(
    tag = "recommendations",
    params(
        ("id" = Uuid, Path, description = "The entry's id"),
        ("If-Match" = Option<String>, Header, description = "The ETag last read; a stale one gives 412"),
    ),
    request_body = UpdateRecommendation,
    responses(
        (status = 200, description = "The changed entry", body = RecommendationView),
        Restricted, NotFound, PreconditionFailed, WithBody,
    ),
    security(("bearer" = [])),
)]
#[patch("/recommendations/{id:[0-9a-fA-F-]+}")]
pub async fn update_recommendation(
    _editor: AuthUser<min::Editor>,
    state: web::Data<AppState>,
    id: web::Path<String>,
    if_match: IfMatch,
    Json(body): Json<UpdateRecommendation>,
) -> Result<HttpResponse, ApiError> {
    let id = entry_id(&id)?;
    let (new_note, new_position) = (
        body.note.map(|n| note(n.as_deref())).transpose(),
        position(body.position),
    )
        .parsed()?;
    let view = db::run(&state.pool, move |conn| {
        conn.transaction(|conn| {
            let current =
                queries::find_for_update(conn, id).map_err(ApiError::missing("recommendation"))?;
            let target = queries::summary(conn, current.target_article_id)?;
            if_match.check(&RecommendationView::new(current.clone(), target))?;
            if let Some(note) = new_note {
                queries::set_note(conn, id, note.as_deref())?;
            }
            if let Some(at) = new_position {
                queries::lock_slot(conn, &current.slot, current.source_article_id)?;
                let ids = queries::slot_ids(conn, &current.slot, current.source_article_id)?;
                queries::set_positions(conn, &moved(ids, id, at))?;
            }
            let (r, a) = queries::find(conn, id)?;
            Ok(RecommendationView::new(r, a))
        })
    })
    .await?;
    Ok(HttpResponse::Ok().json(view))
}

/// Take a recommendation out of its slot.
///
/// Editors and admins. The entries after it close up.
#[utoipa::path(
    tag = "recommendations",
    params(
        ("id" = Uuid, Path, description = "The entry's id"),
        ("If-Match" = Option<String>, Header, description = "The ETag last read; a stale one gives 412"),
    ),
    responses(
        (status = 204, description = "Deleted"),
        Restricted, NotFound, PreconditionFailed,
    ),
    security(("bearer" = [])),
)]
#[delete("/recommendations/{id:[0-9a-fA-F-]+}")]
pub async fn delete_recommendation(
    _editor: AuthUser<min::Editor>,
    state: web::Data<AppState>,
    id: web::Path<String>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    let id = entry_id(&id)?;
    db::run(&state.pool, move |conn| {
        conn.transaction(|conn| {
            let current =
                queries::find_for_update(conn, id).map_err(ApiError::missing("recommendation"))?;
            let target = queries::summary(conn, current.target_article_id)?;
            if_match.check(&RecommendationView::new(current.clone(), target))?;
            queries::lock_slot(conn, &current.slot, current.source_article_id)?;
            queries::delete(conn, id)?;
            let ids = queries::slot_ids(conn, &current.slot, current.source_article_id)?;
            queries::set_positions(conn, &ids)?;
            Ok(())
        })
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Put a slot's recommendations in a new order.
///
/// Editors and admins. `ids` names every entry of the slot exactly once, first one first.
#[utoipa::path(
    tag = "recommendations",
    request_body = ReorderRecommendations,
    responses(
        (status = 200, description = "The slot in its new order", body = List<RecommendationView>),
        Restricted, WithBody,
    ),
    security(("bearer" = [])),
)]
#[put("/recommendations/order")]
pub async fn reorder_recommendations(
    _editor: AuthUser<min::Editor>,
    state: web::Data<AppState>,
    Json(body): Json<ReorderRecommendations>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let slot = model::parse_slot(&body.slot);
    let source = match &slot {
        Ok(slot) => model::check_source(slot, body.source_article),
        Err(_) => Ok(body.source_article),
    };
    let (slot, source) = (slot, source).parsed()?;
    let asked = body.ids;
    let views = db::run(&state.pool, move |conn| {
        conn.transaction(|conn| {
            queries::lock_slot(conn, &slot, source)?;
            let current = queries::slot_ids(conn, &slot, source)?;
            let mut sorted = asked.clone();
            sorted.sort_unstable();
            sorted.dedup();
            let problem = if sorted.len() != asked.len() {
                Some("names an entry more than once")
            } else if asked.iter().any(|id| !current.contains(id)) {
                Some("names an entry that is not in this slot")
            } else if asked.len() != current.len() {
                Some("must name every entry of the slot")
            } else {
                None
            };
            if let Some(problem) = problem {
                return Err(ApiError::field("ids", FieldCode::Invalid, problem));
            }
            queries::set_positions(conn, &asked)?;
            let filter = ListFilter {
                slot: Some(slot),
                source,
                live_only: false,
            };
            let everything = Page {
                number: 1,
                per_page: i64::try_from(asked.len().max(1)).unwrap_or(i64::MAX),
            };
            let (rows, _) = queries::list(conn, &filter, everything)?;
            Ok(rows
                .into_iter()
                .map(|(r, a)| RecommendationView::new(r, a))
                .collect::<Vec<_>>())
        })
    })
    .await?;
    let total = i64::try_from(views.len()).unwrap_or(i64::MAX);
    let page = Page {
        number: 1,
        per_page: total.max(1),
    };
    Ok(List::new(views, page, total).respond(&req))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moving_an_entry_closes_up_the_others() {
        let [a, b, c] = [Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7()];
        assert_eq!(moved(vec![a, b, c], c, 1), [c, a, b]);
        assert_eq!(moved(vec![a, b, c], a, 2), [b, a, c]);
        assert_eq!(moved(vec![a, b, c], a, 99), [b, c, a]);
        assert_eq!(moved(vec![a, b], c, 1), [c, a, b]);
    }
}
