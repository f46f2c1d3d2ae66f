//! Every query on `tags`.

use std::collections::HashMap;

use chrono::Utc;
use diesel::{
    pg::Pg,
    prelude::*,
    sql_query,
    sql_types::{Bool, Uuid as SqlUuid},
};
use uuid::Uuid;

use crate::{
    articles::live,
    pagination::Page,
    schema::tags,
    slugs::{self, Key},
    tags::model::{NewTag, Tag, TagChanges},
};

type ByKey = Box<dyn BoxableExpression<tags::table, Pg, SqlType = Bool>>;

fn by_key(key: &Key) -> ByKey {
    match key {
        Key::Id(id) => Box::new(tags::id.eq(*id)),
        Key::Slug(slug) => Box::new(tags::slug.eq(slug.clone())),
    }
}

pub fn find(conn: &mut PgConnection, key: &Key) -> QueryResult<Tag> {
    tags::table
        .filter(by_key(key))
        .select(Tag::as_select())
        .first(conn)
}

/// The row locked for the rest of the transaction, for read-check-write updates.
pub fn find_for_update(conn: &mut PgConnection, key: &Key) -> QueryResult<Tag> {
    tags::table
        .filter(by_key(key))
        .select(Tag::as_select())
        .for_update()
        .first(conn)
}

/// `text` as a `LIKE` pattern that matches it literally.
fn escape_like(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '\\' | '%' | '_') {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    escaped
}

/// A page of tags by name; with `q`, those whose name contains it, the ones starting with it
/// first (what a tag picker's autocompletion wants).
pub fn list(conn: &mut PgConnection, page: Page, q: Option<&str>) -> QueryResult<(Vec<Tag>, i64)> {
    let q = q.map(escape_like);
    let filtered = || {
        let mut query = tags::table.into_boxed();
        if let Some(q) = &q {
            query = query.filter(tags::name.ilike(format!("%{q}%")));
        }
        query
    };
    let mut rows = filtered().select(Tag::as_select());
    if let Some(q) = &q {
        rows = rows.order(tags::name.ilike(format!("{q}%")).desc());
    }
    let rows = rows
        .then_order_by((tags::name, tags::id))
        .limit(page.limit())
        .offset(page.offset())
        .load(conn)?;
    let total = filtered().count().get_result(conn)?;
    Ok((rows, total))
}

/// Live articles per tag, for all of `ids` in one query; tags without any are absent.
pub fn article_counts(conn: &mut PgConnection, ids: &[Uuid]) -> QueryResult<HashMap<Uuid, i64>> {
    live::counts_naming(conn, live::Naming::Tags, ids)
}

pub fn article_count(conn: &mut PgConnection, id: Uuid) -> QueryResult<i64> {
    Ok(article_counts(conn, &[id])?.get(&id).copied().unwrap_or(0))
}

/// Takes the tag off every article that has it, trashed ones included.
pub fn remove_from_articles(conn: &mut PgConnection, id: Uuid) -> QueryResult<usize> {
    sql_query(
        "UPDATE articles SET tag_ids = array_remove(tag_ids, $1) \
         WHERE tag_ids @> ARRAY[$1]",
    )
    .bind::<SqlUuid, _>(id)
    .execute(conn)
}

/// `base`, or the first of `base-2`, `base-3`, … that no tag has. Free until the
/// transaction ends (see [`slugs::reserve`]).
pub fn free_slug(conn: &mut PgConnection, base: &str) -> QueryResult<String> {
    slugs::reserve(conn, slugs::Scope::Tags, base)?;
    let taken: Vec<String> = tags::table
        .filter(slugs::starting_with(tags::slug, base))
        .select(tags::slug)
        .load(conn)?;
    Ok(slugs::next_free(base, &taken))
}

pub fn insert(conn: &mut PgConnection, tag: &NewTag) -> QueryResult<Tag> {
    diesel::insert_into(tags::table)
        .values(tag)
        .returning(Tag::as_returning())
        .get_result(conn)
}

pub fn update(conn: &mut PgConnection, id: Uuid, changes: &TagChanges) -> QueryResult<Tag> {
    diesel::update(tags::table.find(id))
        .set((
            changes,
            tags::updated_at.eq(Utc::now()),
            tags::version.eq(tags::version + 1),
        ))
        .returning(Tag::as_returning())
        .get_result(conn)
}

pub fn delete(conn: &mut PgConnection, id: Uuid) -> QueryResult<usize> {
    diesel::delete(tags::table.find(id)).execute(conn)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_wildcards_are_escaped() {
        assert_eq!(escape_like("50%_off\\"), "50\\%\\_off\\\\");
        assert_eq!(escape_like("养老"), "养老");
    }
}
