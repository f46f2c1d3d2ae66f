//! What search reads from PostgreSQL: the articles to index, and the hits' summaries.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use diesel::{
    prelude::*,
    sql_query,
    sql_types::{Array, Text, Uuid as SqlUuid},
};
use uuid::Uuid;

use crate::{
    articles::{
        live::live_sql,
        model::{ArticleSummary, SUMMARY_COLUMNS},
    },
    schema::{articles, tags},
    search::model::Source,
};

pub fn tag_names(conn: &mut PgConnection, ids: &[Uuid]) -> QueryResult<HashMap<Uuid, String>> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(tags::table
        .filter(tags::id.eq_any(ids))
        .select((tags::id, tags::name))
        .load::<(Uuid, String)>(conn)?
        .into_iter()
        .collect())
}

/// The names of the tags of every source, in one statement.
pub fn tag_names_of(
    conn: &mut PgConnection,
    sources: &[Source],
) -> QueryResult<HashMap<Uuid, String>> {
    let mut ids: Vec<Uuid> = sources.iter().flat_map(|s| s.tag_ids.clone()).collect();
    ids.sort_unstable();
    ids.dedup();
    tag_names(conn, &ids)
}

type Row = (
    Uuid,
    String,
    Option<String>,
    String,
    String,
    Vec<Option<Uuid>>,
    Vec<Option<Uuid>>,
    Option<Uuid>,
    String,
    String,
    String,
    Option<DateTime<Utc>>,
    Option<DateTime<Utc>>,
    Option<DateTime<Utc>>,
);

fn sources(
    conn: &mut PgConnection,
    query: articles::BoxedQuery<'static, diesel::pg::Pg>,
) -> QueryResult<Vec<Source>> {
    Ok(query
        .select((
            articles::id,
            articles::title,
            articles::subtitle,
            articles::excerpt,
            articles::body_text,
            articles::tag_ids,
            articles::author_ids,
            articles::category_id,
            articles::status,
            articles::kind,
            articles::locale,
            articles::published_at,
            articles::unpublish_at,
            articles::deleted_at,
        ))
        .load::<Row>(conn)?
        .into_iter()
        .map(
            |(
                id,
                title,
                subtitle,
                excerpt,
                body_text,
                tag_ids,
                author_ids,
                category_id,
                status,
                kind,
                locale,
                published_at,
                unpublish_at,
                deleted_at,
            )| Source {
                id,
                title,
                subtitle,
                excerpt,
                body_text,
                tag_ids: tag_ids.into_iter().flatten().collect(),
                author_ids: author_ids.into_iter().flatten().collect(),
                category_id,
                status,
                kind,
                locale,
                published_at,
                unpublish_at,
                trashed: deleted_at.is_some(),
            },
        )
        .collect())
}

/// The articles of `ids` that exist.
pub fn sources_of(conn: &mut PgConnection, ids: &[Uuid]) -> QueryResult<Vec<Source>> {
    sources(
        conn,
        articles::table
            .filter(articles::id.eq_any(ids.to_vec()))
            .into_boxed(),
    )
}

/// The ids of the articles naming any of `tags`, to index them again when a tag is renamed.
pub fn ids_with_tags(conn: &mut PgConnection, tag_ids: &[Uuid]) -> QueryResult<Vec<Uuid>> {
    articles::table
        .filter(articles::tag_ids.overlaps_with(tag_ids.to_vec()))
        .select(articles::id)
        .load(conn)
}

/// A batch of articles in id order after `after`, for a rebuild.
pub fn sources_after(
    conn: &mut PgConnection,
    after: Option<Uuid>,
    limit: i64,
) -> QueryResult<Vec<Source>> {
    let mut query = articles::table
        .order(articles::id)
        .limit(limit)
        .into_boxed();
    if let Some(after) = after {
        query = query.filter(articles::id.gt(after));
    }
    sources(conn, query)
}

pub fn count_articles(conn: &mut PgConnection) -> QueryResult<i64> {
    articles::table.count().get_result(conn)
}

/// A hit's summary and the start of the text to cut a snippet from.
#[derive(QueryableByName)]
pub struct Found {
    #[diesel(embed)]
    pub article: ArticleSummary,
    #[diesel(sql_type = Text)]
    pub body_start: String,
}

/// How much of the body a snippet may come from.
const SNIPPET_SOURCE_CHARS: i64 = 4_000;

/// The summaries of `ids`, in that order, in one statement. With `live_only`, an article that
/// stopped being live since the index last heard of it is left out: the index may lag its
/// writes by a moment, the database never does.
pub fn found(conn: &mut PgConnection, ids: &[Uuid], live_only: bool) -> QueryResult<Vec<Found>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let live = if live_only {
        format!("AND {}", live_sql("a"))
    } else {
        "AND a.deleted_at IS NULL".into()
    };
    sql_query(format!(
        "SELECT {SUMMARY_COLUMNS}, \
             left(CASE WHEN a.body_text = '' THEN a.excerpt ELSE a.body_text END, {SNIPPET_SOURCE_CHARS}) \
                 AS body_start \
         FROM unnest($1::uuid[]) WITH ORDINALITY AS h(id, n) JOIN articles a ON a.id = h.id \
         WHERE true {live} ORDER BY h.n"
    ))
    .bind::<Array<SqlUuid>, _>(ids)
    .load(conn)
}

/// Summaries of `ids` that are live, in that order.
pub fn live_summaries(conn: &mut PgConnection, ids: &[Uuid]) -> QueryResult<Vec<ArticleSummary>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    sql_query(format!(
        "SELECT {SUMMARY_COLUMNS} \
         FROM unnest($1::uuid[]) WITH ORDINALITY AS h(id, n) JOIN articles a ON a.id = h.id \
         WHERE {} ORDER BY h.n",
        live_sql("a")
    ))
    .bind::<Array<SqlUuid>, _>(ids)
    .load(conn)
}
