//! Writing articles: a new one, its content, its status, the trash, and the scheduled ones
//! published when their time comes.

use chrono::{DateTime, Utc};
use diesel::{
    dsl::{AsSelect, now},
    pg::Pg,
    prelude::*,
    query_builder::{AstPass, Query, QueryFragment, QueryId},
    sql_types::{Nullable, Text, Timestamptz, Uuid as SqlUuid},
};
use uuid::Uuid;

use crate::{
    articles::{
        model::{Article, Content, Status},
        publication::Workflow,
    },
    schema::articles,
};

/// A new article, in the workflow where `(status, published_at, unpublish_at)` put it. Every
/// value is bound (none falls back to `DEFAULT`), so the statement's text is always the same and
/// Diesel prepares it once per connection.
pub fn insert(
    conn: &mut PgConnection,
    id: Uuid,
    content: &Content,
    created_by: Uuid,
    (status, published_at, unpublish_at): Workflow,
) -> QueryResult<Article> {
    diesel::insert_into(articles::table)
        .values((
            articles::id.eq(id),
            content,
            articles::created_by.eq(created_by),
            articles::status.eq(status.as_str()),
            articles::published_at.eq(published_at),
            articles::unpublish_at.eq(unpublish_at),
        ))
        .returning(Article::as_returning())
        .get_result(conn)
}

pub fn update_content(
    conn: &mut PgConnection,
    id: Uuid,
    content: &Content,
) -> QueryResult<Article> {
    diesel::update(articles::table.find(id))
        .set((
            content,
            articles::updated_at.eq(now),
            articles::version.eq(articles::version + 1),
        ))
        .returning(Article::as_returning())
        .get_result(conn)
}

pub fn set_status(
    conn: &mut PgConnection,
    id: Uuid,
    status: Status,
    published_at: Option<DateTime<Utc>>,
    unpublish_at: Option<DateTime<Utc>>,
) -> QueryResult<Article> {
    StatusChange {
        id,
        status: status.as_str(),
        published_at,
        unpublish_at,
        returning: Article::as_returning(),
    }
    .get_result(conn)
}

/// A publish, schedule or unpublish, as a statement of fixed text with a static query id, which
/// Diesel prepares once per connection. Diesel sends its own `UPDATE` unprepared, and
/// PostgreSQL parsing and planning this one (every column returned) on each publish cost about
/// 0.2 ms of its time (pgbench).
#[derive(QueryId)]
struct StatusChange {
    id: Uuid,
    status: &'static str,
    published_at: Option<DateTime<Utc>>,
    unpublish_at: Option<DateTime<Utc>>,
    returning: AsSelect<Article, Pg>,
}

impl QueryFragment<Pg> for StatusChange {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        out.push_sql("UPDATE articles SET status = ");
        out.push_bind_param::<Text, _>(&self.status)?;
        out.push_sql(", published_at = ");
        out.push_bind_param::<Nullable<Timestamptz>, _>(&self.published_at)?;
        out.push_sql(", unpublish_at = ");
        out.push_bind_param::<Nullable<Timestamptz>, _>(&self.unpublish_at)?;
        out.push_sql(", updated_at = CURRENT_TIMESTAMP, version = version + 1 WHERE id = ");
        out.push_bind_param::<SqlUuid, _>(&self.id)?;
        out.push_sql(" RETURNING ");
        self.returning.walk_ast(out.reborrow())
    }
}

impl Query for StatusChange {
    type SqlType = AsSelect<Article, Pg>;
}

impl RunQueryDsl<PgConnection> for StatusChange {}

/// Sets (or clears) when the article comes down by itself; part of an edit, which counts the
/// version.
pub fn set_unpublish_at(
    conn: &mut PgConnection,
    id: Uuid,
    unpublish_at: Option<DateTime<Utc>>,
) -> QueryResult<Article> {
    diesel::update(articles::table.find(id))
        .set(articles::unpublish_at.eq(unpublish_at))
        .returning(Article::as_returning())
        .get_result(conn)
}

pub fn set_trashed(conn: &mut PgConnection, id: Uuid, trashed: bool) -> QueryResult<Article> {
    let deleted_at: Option<DateTime<Utc>> = trashed.then(Utc::now);
    diesel::update(articles::table.find(id))
        .set((
            articles::deleted_at.eq(deleted_at),
            articles::updated_at.eq(now),
            articles::version.eq(articles::version + 1),
        ))
        .returning(Article::as_returning())
        .get_result(conn)
}

pub fn purge(conn: &mut PgConnection, id: Uuid) -> QueryResult<usize> {
    diesel::delete(articles::table.find(id)).execute(conn)
}

/// Publishes every scheduled article whose time has come, and returns their ids.
///
/// `SKIP LOCKED` lets several Masthead processes run this at once: each due article is taken
/// by exactly one of them, and a row already flipped no longer matches.
pub fn publish_due(conn: &mut PgConnection) -> QueryResult<Vec<Uuid>> {
    diesel::sql_query(
        "UPDATE articles SET status = 'published', updated_at = now(), version = version + 1 \
         WHERE id IN (SELECT id FROM articles WHERE status = 'scheduled' AND published_at <= now() \
                      AND deleted_at IS NULL FOR UPDATE SKIP LOCKED) \
         RETURNING id",
    )
    .load::<PublishedId>(conn)
    .map(|rows| rows.into_iter().map(|r| r.id).collect())
}

/// Archives every live article whose `unpublish_at` has come, and returns their ids; the change
/// log names it `unpublished`. Several processes may run it at once, as [`publish_due`].
pub fn unpublish_due(conn: &mut PgConnection) -> QueryResult<Vec<Uuid>> {
    conn.transaction(|conn| {
        crate::changes::name_action(conn, "unpublished")?;
        diesel::sql_query(
            "UPDATE articles SET status = 'archived', updated_at = now(), version = version + 1 \
             WHERE id IN (SELECT id FROM articles WHERE status IN ('published', 'scheduled') \
                          AND unpublish_at <= now() AND deleted_at IS NULL FOR UPDATE SKIP LOCKED) \
             RETURNING id",
        )
        .load::<PublishedId>(conn)
        .map(|rows| rows.into_iter().map(|r| r.id).collect())
    })
}

#[derive(QueryableByName)]
struct PublishedId {
    #[diesel(sql_type = SqlUuid)]
    id: Uuid,
}
