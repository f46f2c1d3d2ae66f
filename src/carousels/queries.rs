//! Every query on `carousels`, `carousel_slides` and `carousel_clicks`.

use chrono::{DateTime, Utc};
use diesel::{
    dsl::{exists, max},
    pg::Pg,
    prelude::*,
    sql_query,
    sql_types::{Array, Uuid as SqlUuid},
};
use uuid::Uuid;

use crate::{
    carousels::model::{Carousel, CarouselChanges, NewCarousel, Slide, SlideContent},
    pagination::Page,
    schema::{articles, carousel_clicks, carousel_slides, carousels},
    slugs::Key,
};

type ByKey = Box<dyn BoxableExpression<carousels::table, Pg, SqlType = diesel::sql_types::Bool>>;

fn by_key(key: &Key) -> ByKey {
    match key {
        Key::Id(id) => Box::new(carousels::id.eq(*id)),
        Key::Slug(key) => Box::new(carousels::key.eq(key.clone())),
    }
}

pub fn find(conn: &mut PgConnection, key: &Key) -> QueryResult<Carousel> {
    carousels::table
        .filter(by_key(key))
        .select(Carousel::as_select())
        .first(conn)
}

/// The carousel locked for the rest of the transaction: its slides change under this lock.
pub fn find_for_update(conn: &mut PgConnection, key: &Key) -> QueryResult<Carousel> {
    carousels::table
        .filter(by_key(key))
        .select(Carousel::as_select())
        .for_update()
        .first(conn)
}

pub fn list(conn: &mut PgConnection, page: Page) -> QueryResult<(Vec<Carousel>, i64)> {
    let rows = carousels::table
        .select(Carousel::as_select())
        .order((carousels::key, carousels::id))
        .limit(page.limit())
        .offset(page.offset())
        .load(conn)?;
    let total = carousels::table.count().get_result(conn)?;
    Ok((rows, total))
}

pub fn insert(conn: &mut PgConnection, new: &NewCarousel) -> QueryResult<Carousel> {
    diesel::insert_into(carousels::table)
        .values(new)
        .returning(Carousel::as_returning())
        .get_result(conn)
}

pub fn update(
    conn: &mut PgConnection,
    id: Uuid,
    changes: &CarouselChanges,
) -> QueryResult<Carousel> {
    diesel::update(carousels::table.find(id))
        .set((
            changes,
            carousels::updated_at.eq(Utc::now()),
            carousels::version.eq(carousels::version + 1),
        ))
        .returning(Carousel::as_returning())
        .get_result(conn)
}

/// A change to a slide is a change to its carousel: its version and ETag move.
pub fn touch(conn: &mut PgConnection, id: Uuid) -> QueryResult<Carousel> {
    update(conn, id, &CarouselChanges::default())
}

pub fn delete(conn: &mut PgConnection, id: Uuid) -> QueryResult<usize> {
    diesel::delete(carousels::table.find(id)).execute(conn)
}

/// The slides of these carousels, each carousel's in order.
pub fn slides_of(conn: &mut PgConnection, carousel_ids: &[Uuid]) -> QueryResult<Vec<Slide>> {
    carousel_slides::table
        .filter(carousel_slides::carousel_id.eq_any(carousel_ids))
        .select(Slide::as_select())
        .order((
            carousel_slides::position,
            carousel_slides::created_at,
            carousel_slides::id,
        ))
        .load(conn)
}

/// A slide by its id alone.
pub fn find_slide(conn: &mut PgConnection, id: Uuid) -> QueryResult<Slide> {
    carousel_slides::table
        .find(id)
        .select(Slide::as_select())
        .first(conn)
}

pub fn slide(conn: &mut PgConnection, carousel: Uuid, slide: Uuid) -> QueryResult<Slide> {
    carousel_slides::table
        .filter(carousel_slides::id.eq(slide))
        .filter(carousel_slides::carousel_id.eq(carousel))
        .select(Slide::as_select())
        .first(conn)
}

pub fn insert_slide(
    conn: &mut PgConnection,
    carousel: Uuid,
    content: &SlideContent,
    position: i32,
) -> QueryResult<Slide> {
    diesel::insert_into(carousel_slides::table)
        .values((
            carousel_slides::id.eq(Uuid::now_v7()),
            carousel_slides::carousel_id.eq(carousel),
            carousel_slides::position.eq(position),
            content,
        ))
        .returning(Slide::as_returning())
        .get_result(conn)
}

pub fn update_slide(
    conn: &mut PgConnection,
    id: Uuid,
    content: &SlideContent,
) -> QueryResult<Slide> {
    diesel::update(carousel_slides::table.find(id))
        .set((
            content,
            carousel_slides::updated_at.eq(Utc::now()),
            carousel_slides::version.eq(carousel_slides::version + 1),
        ))
        .returning(Slide::as_returning())
        .get_result(conn)
}

pub fn delete_slide(conn: &mut PgConnection, id: Uuid) -> QueryResult<usize> {
    diesel::delete(carousel_slides::table.find(id)).execute(conn)
}

pub fn slide_count(conn: &mut PgConnection, carousel: Uuid) -> QueryResult<i64> {
    carousel_slides::table
        .filter(carousel_slides::carousel_id.eq(carousel))
        .count()
        .get_result(conn)
}

/// Where a slide added at the end goes.
pub fn next_position(conn: &mut PgConnection, carousel: Uuid) -> QueryResult<i32> {
    let last: Option<i32> = carousel_slides::table
        .filter(carousel_slides::carousel_id.eq(carousel))
        .select(max(carousel_slides::position))
        .first(conn)?;
    Ok(last.map_or(1, |p| p + 1))
}

/// Moves the slides at `position` and after one place down, making room for a new one.
pub fn make_room(conn: &mut PgConnection, carousel: Uuid, position: i32) -> QueryResult<usize> {
    diesel::update(
        carousel_slides::table
            .filter(carousel_slides::carousel_id.eq(carousel))
            .filter(carousel_slides::position.ge(position)),
    )
    .set(carousel_slides::position.eq(carousel_slides::position + 1))
    .execute(conn)
}

/// Gives the slides the positions 1, 2, 3, … in the order of `ids`, in one statement.
pub fn set_order(conn: &mut PgConnection, ids: &[Uuid]) -> QueryResult<usize> {
    sql_query(
        "UPDATE carousel_slides AS s SET position = o.ordinality, updated_at = now() \
         FROM unnest($1) WITH ORDINALITY AS o(id, ordinality) WHERE s.id = o.id",
    )
    .bind::<Array<SqlUuid>, _>(ids)
    .execute(conn)
}

/// `(id, slug, title, status, published_at, deleted_at)` of an article.
type ArticleState = (
    Uuid,
    String,
    String,
    String,
    Option<DateTime<Utc>>,
    Option<DateTime<Utc>>,
);

/// `(id, slug, title, live)` of the articles slides link to.
pub fn linked_articles(
    conn: &mut PgConnection,
    ids: &[Uuid],
    now: DateTime<Utc>,
) -> QueryResult<Vec<(Uuid, String, String, bool)>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let rows: Vec<ArticleState> = articles::table
        .filter(articles::id.eq_any(ids))
        .select((
            articles::id,
            articles::slug,
            articles::title,
            articles::status,
            articles::published_at,
            articles::deleted_at,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(id, slug, title, status, published_at, deleted_at)| {
            let live = matches!(status.as_str(), "published" | "scheduled")
                && published_at.is_some_and(|at| at <= now)
                && deleted_at.is_none();
            (id, slug, title, live)
        })
        .collect())
}

/// Counts a click on a slide of the carousel `key`. With an idempotency key, a repeat of the
/// same request counts nothing. `false` when there is no such slide.
pub fn click(
    conn: &mut PgConnection,
    key: &str,
    slide: Uuid,
    idempotency_key: Option<&str>,
) -> QueryResult<bool> {
    let of_carousel = carousel_slides::table
        .inner_join(carousels::table.on(carousels::id.eq(carousel_slides::carousel_id)))
        .filter(carousel_slides::id.eq(slide))
        .filter(carousels::key.eq(key));
    if !diesel::select(exists(of_carousel)).get_result(conn)? {
        return Ok(false);
    }
    if let Some(idempotency_key) = idempotency_key {
        let fresh = diesel::insert_into(carousel_clicks::table)
            .values((
                carousel_clicks::slide_id.eq(slide),
                carousel_clicks::idempotency_key.eq(idempotency_key),
            ))
            .on_conflict_do_nothing()
            .execute(conn)?;
        if fresh == 0 {
            return Ok(true);
        }
    }
    diesel::update(carousel_slides::table.find(slide))
        .set(carousel_slides::clicks.eq(carousel_slides::clicks + 1))
        .execute(conn)?;
    Ok(true)
}
