use chrono::{DateTime, Utc};
use diesel::{
    prelude::*,
    sql_types::{BigInt, Jsonb, Nullable, Text, Timestamptz, Uuid as SqlUuid},
};
use serde_json::Value;
use uuid::Uuid;

use crate::schema::auth_events;

/// A security event that changes nothing the change log holds.
#[derive(Debug, Insertable)]
#[diesel(table_name = auth_events)]
pub struct AuthEvent {
    /// `sign_in`, `sign_in_failed` or `refresh_token_reused`.
    pub action: &'static str,
    pub user_id: Option<Uuid>,
    pub email: Option<String>,
    pub address: Option<String>,
    pub user_agent: Option<String>,
}

pub fn record(conn: &mut PgConnection, event: &AuthEvent) -> QueryResult<()> {
    diesel::insert_into(auth_events::table)
        .values(event)
        .execute(conn)
        .map(drop)
}

pub fn prune(conn: &mut PgConnection, before: DateTime<Utc>) -> QueryResult<usize> {
    diesel::delete(auth_events::table.filter(auth_events::at.lt(before))).execute(conn)
}

/// What the trail is narrowed to; `None` narrows nothing.
#[derive(Debug, Clone, Default)]
pub struct Filters {
    pub actor_type: Option<String>,
    pub actor_id: Option<Uuid>,
    pub resource: Option<String>,
    pub resource_id: Option<Uuid>,
    pub action: Option<String>,
    pub since: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
}

/// Where a page starts: after this entry, newest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Position {
    pub at: DateTime<Utc>,
    pub source: String,
    pub id: i64,
}

#[derive(Debug, QueryableByName)]
pub struct Entry {
    /// `change` or `sign_in`.
    #[diesel(sql_type = Text)]
    pub source: String,
    #[diesel(sql_type = BigInt)]
    pub id: i64,
    #[diesel(sql_type = Nullable<BigInt>)]
    pub seq: Option<i64>,
    #[diesel(sql_type = Timestamptz)]
    pub at: DateTime<Utc>,
    #[diesel(sql_type = Text)]
    pub actor_type: String,
    #[diesel(sql_type = Nullable<SqlUuid>)]
    pub actor_id: Option<Uuid>,
    #[diesel(sql_type = Nullable<Text>)]
    pub resource: Option<String>,
    #[diesel(sql_type = Nullable<SqlUuid>)]
    pub resource_id: Option<Uuid>,
    #[diesel(sql_type = Text)]
    pub action: String,
    #[diesel(sql_type = Nullable<Jsonb>)]
    pub changes: Option<Value>,
    #[diesel(sql_type = Nullable<Text>)]
    pub email: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub address: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub user_agent: Option<String>,
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    total: i64,
}

/// The change log and the sign-ins as one list, newest first. Sign-ins concern accounts, so a
/// `resource` filter other than `user` leaves them out.
const ENTRIES: &str = "
    SELECT 'change' AS source, c.id, c.seq, c.at, c.actor_type, c.actor_id, c.resource,
           c.resource_id, c.action, c.changes, NULL::text AS email, NULL::text AS address,
           NULL::text AS user_agent
    FROM change_log c
    WHERE c.seq IS NOT NULL
      AND ($1::text IS NULL OR c.actor_type = $1) AND ($2::uuid IS NULL OR c.actor_id = $2)
      AND ($3::text IS NULL OR c.resource = $3) AND ($4::uuid IS NULL OR c.resource_id = $4)
      AND ($5::text IS NULL OR c.action = $5)
      AND ($6::timestamptz IS NULL OR c.at >= $6) AND ($7::timestamptz IS NULL OR c.at < $7)
    UNION ALL
    SELECT 'sign_in', a.id, NULL, a.at,
           CASE WHEN a.action = 'sign_in' THEN 'user' ELSE 'anonymous' END,
           CASE WHEN a.action = 'sign_in' THEN a.user_id END,
           'user', a.user_id, a.action, NULL, a.email, a.address, a.user_agent
    FROM auth_events a
    WHERE ($1::text IS NULL OR $1 = CASE WHEN a.action = 'sign_in' THEN 'user' ELSE 'anonymous' END)
      AND ($2::uuid IS NULL OR (a.action = 'sign_in' AND a.user_id = $2))
      AND ($3::text IS NULL OR $3 = 'user') AND ($4::uuid IS NULL OR a.user_id = $4)
      AND ($5::text IS NULL OR a.action = $5)
      AND ($6::timestamptz IS NULL OR a.at >= $6) AND ($7::timestamptz IS NULL OR a.at < $7)
";

macro_rules! bind_filters {
    ($query:expr, $filters:expr) => {
        $query
            .bind::<Nullable<Text>, _>($filters.actor_type.clone())
            .bind::<Nullable<SqlUuid>, _>($filters.actor_id)
            .bind::<Nullable<Text>, _>($filters.resource.clone())
            .bind::<Nullable<SqlUuid>, _>($filters.resource_id)
            .bind::<Nullable<Text>, _>($filters.action.clone())
            .bind::<Nullable<Timestamptz>, _>($filters.since)
            .bind::<Nullable<Timestamptz>, _>($filters.until)
    };
}

/// A page of entries after `after` (newest first), and how many entries match in all.
pub fn list(
    conn: &mut PgConnection,
    filters: &Filters,
    after: Option<&Position>,
    limit: i64,
) -> QueryResult<(Vec<Entry>, i64)> {
    let page = format!(
        "SELECT * FROM ({ENTRIES}) e
         WHERE $8::timestamptz IS NULL OR (e.at, e.source, e.id) < ($8, $9, $10)
         ORDER BY e.at DESC, e.source DESC, e.id DESC
         LIMIT $11"
    );
    let rows = bind_filters!(diesel::sql_query(page), filters)
        .bind::<Nullable<Timestamptz>, _>(after.map(|p| p.at))
        .bind::<Text, _>(after.map(|p| p.source.clone()).unwrap_or_default())
        .bind::<BigInt, _>(after.map_or(0, |p| p.id))
        .bind::<BigInt, _>(limit)
        .load(conn)?;
    let count = format!("SELECT count(*) AS total FROM ({ENTRIES}) e");
    let total = bind_filters!(diesel::sql_query(count), filters)
        .get_result::<Count>(conn)?
        .total;
    Ok((rows, total))
}
