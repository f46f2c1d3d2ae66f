//! The numbered snapshots of an article's content.

use diesel::{dsl::now, prelude::*};
use uuid::Uuid;

use crate::{
    articles::model::{Revision, RevisionMark},
    pagination::Page,
    schema::article_revisions,
};

pub fn latest_revision(
    conn: &mut PgConnection,
    article: Uuid,
) -> QueryResult<Option<RevisionMark>> {
    article_revisions::table
        .filter(article_revisions::article_id.eq(article))
        .order(article_revisions::number.desc())
        .select(RevisionMark::as_select())
        .first(conn)
        .optional()
}

pub fn insert_revision(
    conn: &mut PgConnection,
    article: Uuid,
    number: i32,
    by: Uuid,
    content: &serde_json::Value,
) -> QueryResult<usize> {
    diesel::insert_into(article_revisions::table)
        .values((
            article_revisions::id.eq(Uuid::now_v7()),
            article_revisions::article_id.eq(article),
            article_revisions::number.eq(number),
            article_revisions::created_by.eq(by),
            article_revisions::content.eq(content),
        ))
        .execute(conn)
}

pub fn fold_into_revision(
    conn: &mut PgConnection,
    revision: Uuid,
    content: &serde_json::Value,
) -> QueryResult<usize> {
    diesel::update(article_revisions::table.find(revision))
        .set((
            article_revisions::content.eq(content),
            article_revisions::updated_at.eq(now),
        ))
        .execute(conn)
}

/// A page of the article's revisions, newest first, and how many it has.
pub fn list_revisions(
    conn: &mut PgConnection,
    article: Uuid,
    page: Page,
) -> QueryResult<(Vec<Revision>, i64)> {
    let of_article = || article_revisions::table.filter(article_revisions::article_id.eq(article));
    let rows = of_article()
        .order(article_revisions::number.desc())
        .select(Revision::as_select())
        .limit(page.limit())
        .offset(page.offset())
        .load(conn)?;
    Ok((rows, of_article().count().get_result(conn)?))
}

pub fn find_revision(conn: &mut PgConnection, article: Uuid, number: i32) -> QueryResult<Revision> {
    article_revisions::table
        .filter(article_revisions::article_id.eq(article))
        .filter(article_revisions::number.eq(number))
        .select(Revision::as_select())
        .first(conn)
}
