//! Every query on `recommendations`.

use diesel::{
    dsl::{now, sql},
    pg::Pg,
    prelude::*,
    sql_query,
    sql_types::{Array, BigInt, Bool, Uuid as SqlUuid},
};
use uuid::Uuid;

use crate::{
    articles::live::{live, live_sql},
    articles::model::{ArticleSummary, SUMMARY_COLUMNS},
    db::{self, LockKind},
    pagination::Page,
    recommendations::model::{NewRecommendation, Recommendation},
    schema::{articles, recommendations},
};

/// Which entries a list shows.
#[derive(Debug, Clone, Default)]
pub struct ListFilter {
    pub slot: Option<String>,
    pub source: Option<Uuid>,
    /// Anonymous readers: only entries whose articles are live.
    pub live_only: bool,
}

type Joined = diesel::dsl::IntoBoxed<
    'static,
    diesel::dsl::InnerJoinOn<
        recommendations::table,
        articles::table,
        diesel::dsl::Eq<articles::id, recommendations::target_article_id>,
    >,
    Pg,
>;

fn filtered(f: &ListFilter) -> Joined {
    let mut query = recommendations::table
        .inner_join(articles::table.on(articles::id.eq(recommendations::target_article_id)))
        .into_boxed();
    if let Some(slot) = &f.slot {
        query = query.filter(recommendations::slot.eq(slot.clone()));
    }
    if let Some(source) = f.source {
        query = query.filter(recommendations::source_article_id.eq(source));
    }
    if f.live_only {
        query = query
            .filter(live())
            // A draft's picks would show that the draft exists.
            .filter(sql::<Bool>(&format!(
                "(recommendations.source_article_id IS NULL OR EXISTS (SELECT 1 FROM articles a \
                 WHERE a.id = recommendations.source_article_id AND {}))",
                live_sql("a")
            )));
    }
    query
}

/// A page of entries with their target articles, by slot, source and position: two statements.
pub fn list(
    conn: &mut PgConnection,
    filter: &ListFilter,
    page: Page,
) -> QueryResult<(Vec<(Recommendation, ArticleSummary)>, i64)> {
    let rows = filtered(filter)
        .select((Recommendation::as_select(), ArticleSummary::as_select()))
        .order((
            recommendations::slot,
            recommendations::source_article_id.asc().nulls_first(),
            recommendations::position,
            recommendations::id,
        ))
        .limit(page.limit())
        .offset(page.offset())
        .load(conn)?;
    let total = filtered(filter).count().get_result(conn)?;
    Ok((rows, total))
}

pub fn find(conn: &mut PgConnection, id: Uuid) -> QueryResult<(Recommendation, ArticleSummary)> {
    recommendations::table
        .inner_join(articles::table.on(articles::id.eq(recommendations::target_article_id)))
        .filter(recommendations::id.eq(id))
        .select((Recommendation::as_select(), ArticleSummary::as_select()))
        .first(conn)
}

pub fn summary(conn: &mut PgConnection, id: Uuid) -> QueryResult<ArticleSummary> {
    articles::table
        .find(id)
        .select(ArticleSummary::as_select())
        .first(conn)
}

/// Serialises the writes to one slot (of one source article) until the transaction ends, so
/// that concurrent inserts and moves cannot hand out the same position.
pub fn lock_slot(conn: &mut PgConnection, slot: &str, source: Option<Uuid>) -> QueryResult<()> {
    let name = format!(
        "{slot}/{}",
        source.map(|s| s.to_string()).unwrap_or_default()
    );
    db::lock_until_commit(conn, LockKind::RecommendationSlot, &name)
}

/// The ids of a slot's entries in order.
pub fn slot_ids(
    conn: &mut PgConnection,
    slot: &str,
    source: Option<Uuid>,
) -> QueryResult<Vec<Uuid>> {
    let mut query = recommendations::table
        .filter(recommendations::slot.eq(slot))
        .into_boxed();
    query = match source {
        Some(source) => query.filter(recommendations::source_article_id.eq(source)),
        None => query.filter(recommendations::source_article_id.is_null()),
    };
    query
        .order((recommendations::position, recommendations::id))
        .select(recommendations::id)
        .load(conn)
}

/// Numbers `ids` 1, 2, 3, … in one statement; rows whose position changes get a new version.
pub fn set_positions(conn: &mut PgConnection, ids: &[Uuid]) -> QueryResult<usize> {
    sql_query(
        "UPDATE recommendations r SET position = o.n, updated_at = now(), version = r.version + 1 \
         FROM unnest($1::uuid[]) WITH ORDINALITY AS o(id, n) \
         WHERE r.id = o.id AND r.position <> o.n",
    )
    .bind::<Array<SqlUuid>, _>(ids)
    .execute(conn)
}

pub fn insert(conn: &mut PgConnection, new: &NewRecommendation) -> QueryResult<Recommendation> {
    diesel::insert_into(recommendations::table)
        .values(new)
        .returning(Recommendation::as_returning())
        .get_result(conn)
}

pub fn find_for_update(conn: &mut PgConnection, id: Uuid) -> QueryResult<Recommendation> {
    recommendations::table
        .find(id)
        .select(Recommendation::as_select())
        .for_update()
        .first(conn)
}

pub fn set_note(
    conn: &mut PgConnection,
    id: Uuid,
    note: Option<&str>,
) -> QueryResult<Recommendation> {
    diesel::update(recommendations::table.find(id))
        .set((
            recommendations::note.eq(note),
            recommendations::updated_at.eq(now),
            recommendations::version.eq(recommendations::version + 1),
        ))
        .returning(Recommendation::as_returning())
        .get_result(conn)
}

pub fn delete(conn: &mut PgConnection, id: Uuid) -> QueryResult<usize> {
    diesel::delete(recommendations::table.find(id)).execute(conn)
}

/// Which of `ids` name no article; the found ones are key-share locked until the end of the
/// transaction, so that they cannot be purged before the entry naming them is written.
pub fn missing_articles(conn: &mut PgConnection, ids: &[Uuid]) -> QueryResult<Vec<Uuid>> {
    let found: Vec<Uuid> = articles::table
        .filter(articles::id.eq_any(ids))
        .select(articles::id)
        .for_key_share()
        .load(conn)?;
    Ok(ids
        .iter()
        .filter(|id| !found.contains(id))
        .copied()
        .collect())
}

/// An article's curated `related` picks that are live, in order.
pub fn curated(
    conn: &mut PgConnection,
    source: Uuid,
    limit: i64,
) -> QueryResult<Vec<ArticleSummary>> {
    let live = live_sql("a");
    sql_query(format!(
        "SELECT {SUMMARY_COLUMNS} FROM recommendations r JOIN articles a ON a.id = r.target_article_id \
         WHERE r.slot = 'related' AND r.source_article_id = $1 AND {live} \
         ORDER BY r.position, r.id LIMIT $2"
    ))
    .bind::<SqlUuid, _>(source)
    .bind::<BigInt, _>(limit)
    .load(conn)
}
