//! The queries of the site files: what anonymous readers may see, and nothing else.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use diesel::{
    prelude::*,
    sql_query,
    sql_types::{BigInt, Integer, Nullable, Timestamptz},
};
use uuid::Uuid;

use crate::articles::live::{live, live_sql, next_change_sql};
use crate::schema::{articles, authors, categories};

/// What every site file depends on, read in one statement without building any file: live
/// content (how much, the latest change, which rows), the settings and the names in the feed.
#[derive(Debug, QueryableByName)]
pub struct Fingerprint {
    #[diesel(sql_type = BigInt)]
    pub live: i64,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    pub last_change: Option<DateTime<Utc>>,
    /// A sum over the live rows' ids: changes when one leaves and another comes in at once.
    #[diesel(sql_type = BigInt)]
    pub members: i64,
    #[diesel(sql_type = Integer)]
    pub site_version: i32,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    pub names_changed: Option<DateTime<Utc>>,
    /// When an article next goes live or comes down by itself: every site file changes then.
    #[diesel(sql_type = Nullable<Timestamptz>)]
    pub next_change: Option<DateTime<Utc>>,
}

impl Fingerprint {
    /// Seconds until the site files change by themselves, when that is ahead.
    pub fn seconds_to_change(&self) -> Option<u32> {
        let now = Utc::now();
        self.next_change
            .filter(|at| *at > now)
            .map(|at| crate::articles::live::seconds_until(at, now))
    }
}

// The WHERE clause is `Filters { live_only: true, .. }` of the articles: published (or scheduled
// and come due), not in the trash.
pub fn fingerprint(conn: &mut PgConnection) -> QueryResult<Fingerprint> {
    sql_query(format!(
        "SELECT count(*) AS live, max(a.updated_at) AS last_change, \
                coalesce(sum(uuid_hash(a.id)::bigint), 0)::bigint AS members, \
                (SELECT version FROM site_settings) AS site_version, \
                greatest((SELECT max(updated_at) FROM categories), \
                         (SELECT max(updated_at) FROM authors)) AS names_changed, \
                {} AS next_change \
         FROM articles a WHERE {}",
        next_change_sql(),
        live_sql("a")
    ))
    .get_result(conn)
}

/// One URL of a site map.
#[derive(Debug, Queryable)]
pub struct MapRow {
    pub id: Uuid,
    pub slug: String,
    pub kind: String,
    pub updated_at: DateTime<Utc>,
}

/// Where a chunk of a site map starts: after an id already sent, or (the first chunk of a
/// numbered part) after skipping the rows of the parts before it.
#[derive(Debug, Clone, Copy)]
pub enum Start {
    Skip(i64),
    After(Uuid),
}

/// Up to `limit` live articles and pages in id order, from `from`.
pub fn map_chunk(conn: &mut PgConnection, from: Start, limit: i64) -> QueryResult<Vec<MapRow>> {
    let query = articles::table
        .filter(live())
        .select((
            articles::id,
            articles::slug,
            articles::kind,
            articles::updated_at,
        ))
        .order(articles::id)
        .limit(limit)
        .into_boxed();
    match from {
        Start::Skip(0) => query,
        Start::Skip(rows) => query.offset(rows),
        Start::After(id) => query.filter(articles::id.gt(id)),
    }
    .load(conn)
}

/// One item of the feed.
#[derive(Debug, Queryable)]
pub struct FeedRow {
    pub slug: String,
    pub title: String,
    pub excerpt: String,
    pub published_at: Option<DateTime<Utc>>,
    pub category_id: Option<Uuid>,
    pub author_ids: Vec<Option<Uuid>>,
}

/// The items of the feed and the names they show.
pub struct FeedContent {
    pub rows: Vec<FeedRow>,
    pub categories: HashMap<Uuid, String>,
    pub authors: HashMap<Uuid, String>,
}

/// The latest `limit` live posts, newest first, with the names of their categories and
/// authors: three statements whatever the number of items.
pub fn feed(conn: &mut PgConnection, limit: i64) -> QueryResult<FeedContent> {
    let rows: Vec<FeedRow> = articles::table
        .filter(live())
        .filter(articles::kind.eq("post"))
        .select((
            articles::slug,
            articles::title,
            articles::excerpt,
            articles::published_at,
            articles::category_id,
            articles::author_ids,
        ))
        .order((articles::published_at.desc(), articles::id.desc()))
        .limit(limit)
        .load(conn)?;
    let category_ids: Vec<Uuid> = rows.iter().filter_map(|r| r.category_id).collect();
    let author_ids: Vec<Uuid> = rows
        .iter()
        .flat_map(|r| r.author_ids.iter().flatten().copied())
        .collect();
    let categories = categories::table
        .filter(categories::id.eq_any(&category_ids))
        .select((categories::id, categories::name))
        .load::<(Uuid, String)>(conn)?
        .into_iter()
        .collect();
    let authors = authors::table
        .filter(authors::id.eq_any(&author_ids))
        .select((authors::id, authors::name))
        .load::<(Uuid, String)>(conn)?
        .into_iter()
        .collect();
    Ok(FeedContent {
        rows,
        categories,
        authors,
    })
}
