//! Every query on `article_search`.

use std::collections::HashMap;

use diesel::{
    prelude::*,
    sql_query,
    sql_types::{Array, BigInt, Float, Text, Uuid as SqlUuid},
};
use uuid::Uuid;

use crate::{
    articles::live::live_sql,
    articles::model::{ArticleSummary, SUMMARY_COLUMNS, Status},
    schema::{articles, tags},
    search::model::{Entry, Source},
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

/// Writes the rows of `entries` in one statement, replacing those that exist. The weights:
/// title A, subtitle and tags B, excerpt C, body D.
pub fn upsert(conn: &mut PgConnection, entries: &[Entry]) -> QueryResult<usize> {
    let column = |f: fn(&Entry) -> &String| -> Vec<String> {
        entries.iter().map(|e| f(e).clone()).collect()
    };
    sql_query(
        "INSERT INTO article_search (article_id, document, keywords, plain, updated_at) \
         SELECT id, \
             setweight(to_tsvector('simple', title), 'A') \
             || setweight(to_tsvector('simple', secondary), 'B') \
             || setweight(to_tsvector('simple', excerpt), 'C') \
             || setweight(to_tsvector('simple', body), 'D'), \
             string_to_array(keywords, ' ', ''), plain, now() \
         FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[]) \
             AS e(id, title, secondary, excerpt, body, keywords, plain) \
         ON CONFLICT (article_id) DO UPDATE SET document = EXCLUDED.document, \
             keywords = EXCLUDED.keywords, plain = EXCLUDED.plain, updated_at = now()",
    )
    .bind::<Array<SqlUuid>, _>(entries.iter().map(|e| e.id).collect::<Vec<_>>())
    .bind::<Array<Text>, _>(column(|e| &e.title))
    .bind::<Array<Text>, _>(column(|e| &e.secondary))
    .bind::<Array<Text>, _>(column(|e| &e.excerpt))
    .bind::<Array<Text>, _>(column(|e| &e.body))
    .bind::<Array<Text>, _>(column(|e| &e.keywords))
    .bind::<Array<Text>, _>(column(|e| &e.plain))
    .execute(conn)
}

/// Which articles a search may return.
#[derive(Debug, Clone, Copy)]
pub enum Visible {
    /// What anonymous readers may see: published, its time come, not in the trash.
    Live,
    /// Staff: everything out of the trash, or one status.
    Staff(Option<Status>),
}

impl Visible {
    fn condition(self) -> String {
        match self {
            Self::Live => live_sql("a"),
            Self::Staff(None) => "a.deleted_at IS NULL".into(),
            // The status names are ours, not the client's.
            Self::Staff(Some(status)) => {
                format!("a.deleted_at IS NULL AND a.status = '{}'", status.as_str())
            }
        }
    }
}

/// How a query is matched.
#[derive(Debug, Clone)]
pub enum Matching {
    /// Every word, through the full-text index (`tsquery` is from `text::strict_query`).
    Words { tsquery: String },
    /// Any word as a prefix (`text::loose_query`), or a title or tag name similar to the raw
    /// query by trigrams: the fallback for misspelt and partial queries. It ranks at most the
    /// first 1,000 such articles the indexes find.
    Similar { tsquery: String, raw: String },
}

impl Matching {
    fn condition(&self) -> &'static str {
        match self {
            Self::Words { .. } => "s.document @@ to_tsquery('simple', $1)",
            // Bounded: any word as a prefix can match much of the site.
            Self::Similar { .. } => {
                "s.article_id IN (SELECT article_id FROM article_search \
                 WHERE document @@ to_tsquery('simple', $1) OR $2 <% plain LIMIT 1000)"
            }
        }
    }

    /// A score between 0 and 1: `ts_rank_cd` with the title weighing most (title 1, subtitle
    /// and tags 0.4, excerpt 0.2, body 0.1), normalised by `rank / (rank + 1)`; trigram
    /// similarity counts in the fallback.
    fn score(&self) -> &'static str {
        match self {
            Self::Words { .. } => {
                "ts_rank_cd('{0.1, 0.2, 0.4, 1.0}', s.document, to_tsquery('simple', $1), 32)"
            }
            Self::Similar { .. } => {
                "(ts_rank_cd('{0.1, 0.2, 0.4, 1.0}', s.document, to_tsquery('simple', $1), 32) \
                  + word_similarity($2, s.plain)) / 2"
            }
        }
    }

    fn binds(&self) -> (&str, &str) {
        match self {
            Self::Words { tsquery } => (tsquery, ""),
            Self::Similar { tsquery, raw } => (tsquery, raw),
        }
    }
}

/// A search hit: the summary, the start of the text to cut a snippet from, and the score.
#[derive(QueryableByName)]
pub struct Hit {
    #[diesel(embed)]
    pub article: ArticleSummary,
    #[diesel(sql_type = Text)]
    pub body_start: String,
    #[diesel(sql_type = Float)]
    pub score: f32,
}

#[derive(QueryableByName)]
struct Total {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// How much of the body a snippet may come from.
const SNIPPET_SOURCE_CHARS: i64 = 4_000;

/// The number of matches.
pub fn count(conn: &mut PgConnection, matching: &Matching, visible: Visible) -> QueryResult<i64> {
    let (tsquery, raw) = matching.binds();
    let total: Total = sql_query(format!(
        "SELECT count(*) AS n FROM article_search s JOIN articles a ON a.id = s.article_id \
         WHERE {} AND {}",
        matching.condition(),
        visible.condition(),
    ))
    .bind::<Text, _>(tsquery)
    .bind::<Text, _>(raw)
    .get_result(conn)?;
    Ok(total.n)
}

/// How many of the newest matches are ranked. Ranking reads each hit's whole `tsvector`, so a
/// common word on a large site (tens of thousands of hits) would cost hundreds of milliseconds
/// (305 ms against 40 ms for a page on 100,000 articles, `benches/search_queries.rs`); news
/// readers want the best of the recent ones, and the total still counts every match.
pub const RANKED_MATCHES: i64 = 1_000;

/// A page of matches, best first (the newer first among equals), and the number of all
/// matches. Only the newest [`RANKED_MATCHES`] matches (or as many as the page reaches) are
/// ranked: the newest are found by walking the articles in date order, which stops early, so
/// the total is counted apart, and only when the page does not already show it (one statement
/// for a short list, two for a long one).
pub fn search(
    conn: &mut PgConnection,
    matching: &Matching,
    visible: Visible,
    limit: i64,
    offset: i64,
) -> QueryResult<(Vec<Hit>, i64)> {
    let hits = page(conn, matching, visible, limit, offset)?;
    let shown = i64::try_from(hits.len()).unwrap_or(i64::MAX);
    let total = if offset == 0 && shown < limit {
        shown
    } else {
        count(conn, matching, visible)?
    };
    Ok((hits, total))
}

fn page(
    conn: &mut PgConnection,
    matching: &Matching,
    visible: Visible,
    limit: i64,
    offset: i64,
) -> QueryResult<Vec<Hit>> {
    let (tsquery, raw) = matching.binds();
    sql_query(format!(
        "WITH newest AS ( \
             SELECT s.article_id \
             FROM article_search s JOIN articles a ON a.id = s.article_id \
             WHERE {condition} AND {visible} \
             ORDER BY a.published_at DESC NULLS LAST, a.id DESC \
             LIMIT $5) \
         SELECT {SUMMARY_COLUMNS}, \
             left(CASE WHEN a.body_text = '' THEN a.excerpt ELSE a.body_text END, {SNIPPET_SOURCE_CHARS}) \
                 AS body_start, \
             ({score})::real AS score \
         FROM newest n \
         JOIN article_search s ON s.article_id = n.article_id \
         JOIN articles a ON a.id = n.article_id \
         ORDER BY score DESC, a.published_at DESC NULLS LAST, a.id DESC \
         LIMIT $3 OFFSET $4",
        score = matching.score(),
        condition = matching.condition(),
        visible = visible.condition(),
    ))
    .bind::<Text, _>(tsquery)
    .bind::<Text, _>(raw)
    .bind::<BigInt, _>(limit)
    .bind::<BigInt, _>(offset)
    .bind::<BigInt, _>(RANKED_MATCHES.max(offset + limit))
    .load(conn)
}

/// The indexed text of every article with a tag, to re-index them when the tag changes.
pub fn sources_with_tag(conn: &mut PgConnection, tag: Uuid) -> QueryResult<Vec<Source>> {
    sources(
        conn,
        articles::table
            .filter(articles::tag_ids.contains(vec![tag]))
            .into_boxed(),
    )
}

/// A batch of articles in id order after `after`, for `masthead search reindex`.
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
        ))
        .load::<(
            Uuid,
            String,
            Option<String>,
            String,
            String,
            Vec<Option<Uuid>>,
        )>(conn)?
        .into_iter()
        .map(
            |(id, title, subtitle, excerpt, body_text, tag_ids)| Source {
                id,
                title,
                subtitle,
                excerpt,
                body_text,
                tag_ids: tag_ids.into_iter().flatten().collect(),
            },
        )
        .collect())
}

pub fn count_articles(conn: &mut PgConnection) -> QueryResult<i64> {
    articles::table.count().get_result(conn)
}
