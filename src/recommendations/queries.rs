//! Every query on `recommendations`, and the related-articles query.

use diesel::{
    dsl::{now, sql},
    pg::Pg,
    prelude::*,
    sql_query,
    sql_types::{Array, BigInt, Bool, Float, Nullable, Text, Uuid as SqlUuid},
};
use uuid::Uuid;

use crate::{
    articles::live::{live, live_sql},
    articles::model::{ArticleSummary, SUMMARY_COLUMNS},
    db::{self, LockKind},
    pagination::Page,
    recommendations::model::{NewRecommendation, Recommendation},
    schema::{article_search, articles, recommendations},
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

/// The keywords an article is indexed with.
pub fn keywords(conn: &mut PgConnection, article: Uuid) -> QueryResult<Vec<String>> {
    let keywords: Option<Vec<Option<String>>> = article_search::table
        .find(article)
        .select(article_search::keywords)
        .first(conn)
        .optional()?;
    Ok(keywords.unwrap_or_default().into_iter().flatten().collect())
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

/// What the automatic part of related articles starts from.
#[derive(Debug, Clone)]
pub struct RelatedTo {
    pub id: Uuid,
    pub tag_ids: Vec<Uuid>,
    pub category: Option<Uuid>,
    pub keywords: Vec<String>,
    /// Curated picks already shown.
    pub exclude: Vec<Uuid>,
}

/// A related article and what it shares with the source.
#[derive(QueryableByName)]
pub struct Scored {
    #[diesel(embed)]
    pub article: ArticleSummary,
    #[diesel(sql_type = Array<Text>)]
    pub shared_tags: Vec<String>,
    #[diesel(sql_type = Array<Text>)]
    pub shared_keywords: Vec<String>,
    #[diesel(sql_type = Bool)]
    pub same_category: bool,
    #[diesel(sql_type = Float)]
    pub score: f32,
}

/// Candidates taken from each of tags, keywords and text: the newest that share one (ids are
/// time-ordered), so that a common tag or keyword costs no more than a rare one.
const PER_SOURCE: i64 = 300;

/// Most recent articles of the same category considered; a category holds thousands.
const CATEGORY_CANDIDATES: i64 = 200;

/// The live articles most related to `to`, in one statement. Candidates are found through the
/// GIN indexes (`&&` on tags and keywords, `@@` of any keyword on the text) and the category
/// index, at most a few hundred from each, then scored: 3 per shared tag; 1 per keyword both articles have among their top
/// keywords, and 1 per source keyword the candidate's text mentions at all; 1 for the same
/// category; up to 5 for how prominently the candidate's text holds the source's keywords
/// (`ts_rank`, title words weighing most: "more like this"); all times up to 1.25 for recent
/// ones (the bonus halving every 90 days), a gentle preference that never outweighs a tag.
pub fn automatic(conn: &mut PgConnection, to: &RelatedTo, limit: i64) -> QueryResult<Vec<Scored>> {
    let live = live_sql("a");
    sql_query(format!(
        "WITH candidates AS ( \
             (SELECT a.id FROM articles a WHERE a.tag_ids && $2 AND {live} \
                 ORDER BY a.published_at DESC LIMIT {PER_SOURCE}) \
             UNION (SELECT s.article_id FROM article_search s WHERE s.keywords && $4 \
                 ORDER BY s.article_id DESC LIMIT {PER_SOURCE}) \
             UNION (SELECT s.article_id FROM article_search s \
                 WHERE s.document @@ to_tsquery('simple', $7) \
                 ORDER BY s.article_id DESC LIMIT {PER_SOURCE}) \
             UNION (SELECT a.id FROM articles a WHERE a.category_id = $3 AND {live} \
                 ORDER BY a.published_at DESC LIMIT {CATEGORY_CANDIDATES}) \
         ), scored AS ( \
             SELECT a.id, \
                 ARRAY(SELECT t.name FROM tags t WHERE t.id = ANY(a.tag_ids) AND t.id = ANY($2) \
                       ORDER BY t.name) AS shared_tags, \
                 cardinality(ARRAY(SELECT k FROM unnest($4::text[]) AS k(k) \
                       WHERE k = ANY(s.keywords))) AS both_keywords, \
                 ARRAY(SELECT k FROM unnest($4::text[]) WITH ORDINALITY AS k(k, n) \
                       WHERE k = ANY(l.lexemes) \
                       ORDER BY n) AS shared_keywords, \
                 coalesce(a.category_id = $3, false) AS same_category, \
                 coalesce(ts_rank('{{0.1, 0.2, 0.4, 1.0}}', s.document, \
                     to_tsquery('simple', $7), 32), 0) AS text_rank, \
                 a.published_at \
             FROM candidates c JOIN articles a ON a.id = c.id \
                 LEFT JOIN article_search s ON s.article_id = a.id \
                 LEFT JOIN LATERAL (SELECT tsvector_to_array(s.document) AS lexemes OFFSET 0) l \
                     ON true \
             WHERE a.id <> $1 AND NOT a.id = ANY($5) AND {live} \
         ) \
         SELECT {SUMMARY_COLUMNS}, x.shared_tags, x.shared_keywords, x.same_category, \
             ((3 * cardinality(x.shared_tags) + x.both_keywords + cardinality(x.shared_keywords) \
               + CASE WHEN x.same_category THEN 1 ELSE 0 END + 5 * x.text_rank) \
              * (1 + 0.25 * exp(greatest(-40, \
                  -extract(epoch FROM now() - x.published_at) / 86400 / 90 * ln(2)))) \
             )::real AS score \
         FROM scored x JOIN articles a ON a.id = x.id \
         ORDER BY score DESC, a.published_at DESC, a.id DESC \
         LIMIT $6"
    ))
    .bind::<SqlUuid, _>(to.id)
    .bind::<Array<SqlUuid>, _>(&to.tag_ids)
    .bind::<Nullable<SqlUuid>, _>(to.category)
    .bind::<Array<Text>, _>(&to.keywords)
    .bind::<Array<SqlUuid>, _>(&to.exclude)
    .bind::<BigInt, _>(limit)
    .bind::<Text, _>(any_keyword(&to.keywords))
    .load(conn)
}

/// A `tsquery` matching any of `keywords` (which are letters and digits only).
fn any_keyword(keywords: &[String]) -> String {
    if keywords.is_empty() {
        // Matches nothing: the text part of the score is then 0.
        return String::new();
    }
    keywords
        .iter()
        .map(|k| format!("'{k}'"))
        .collect::<Vec<_>>()
        .join(" | ")
}
