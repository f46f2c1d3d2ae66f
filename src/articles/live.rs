//! Which articles readers see, stated once: as a Diesel filter and as SQL text.
//!
//! Live means published, or scheduled with its time come (the scheduler may not have marked it
//! yet), and not in the trash.

use std::collections::HashMap;

use diesel::{
    PgConnection, QueryResult, RunQueryDsl,
    dsl::now,
    prelude::*,
    sql_query,
    sql_types::{Array, BigInt, Uuid as SqlUuid},
};
use uuid::Uuid;

use crate::schema::articles;

/// The statuses an article may be live in.
const LIVE_STATUSES: [&str; 2] = ["published", "scheduled"];

#[diesel::dsl::auto_type]
pub fn live() -> _ {
    let statuses: [&'static str; 2] = LIVE_STATUSES;
    articles::deleted_at
        .is_null()
        .and(articles::status.eq_any(statuses))
        .and(articles::published_at.le(now))
}

/// [`live`] as SQL text, for the articles table named `alias` in the statement.
pub fn live_sql(alias: &str) -> String {
    format!(
        "{alias}.deleted_at IS NULL AND {alias}.status IN ('published', 'scheduled') \
         AND {alias}.published_at <= now()"
    )
}

/// The array column of the people or labels an article names.
#[derive(Debug, Clone, Copy)]
pub enum Naming {
    Authors,
    Tags,
}

/// Live articles naming each of `ids` (authors or tags), in one statement; ids that no live
/// article names are absent.
pub fn counts_naming(
    conn: &mut PgConnection,
    naming: Naming,
    ids: &[Uuid],
) -> QueryResult<HashMap<Uuid, i64>> {
    #[derive(QueryableByName)]
    struct Count {
        #[diesel(sql_type = SqlUuid)]
        id: Uuid,
        #[diesel(sql_type = BigInt)]
        n: i64,
    }
    let column = match naming {
        Naming::Authors => "author_ids",
        Naming::Tags => "tag_ids",
    };
    // `column && $1` lets the GIN index pick the articles before they are unnested.
    let counts: Vec<Count> = sql_query(format!(
        "SELECT named.id, count(DISTINCT articles.id) AS n \
         FROM articles CROSS JOIN LATERAL unnest(articles.{column}) AS named(id) \
         WHERE articles.{column} && $1 AND named.id = ANY($1) AND {} \
         GROUP BY named.id",
        live_sql("articles")
    ))
    .bind::<Array<SqlUuid>, _>(ids)
    .load(conn)?;
    Ok(counts.into_iter().map(|c| (c.id, c.n)).collect())
}
