//! Every query on `categories`.

use std::collections::HashMap;

use chrono::Utc;
use diesel::{
    dsl::{count_star, exists},
    pg::Pg,
    prelude::*,
    sql_query,
    sql_types::{Bool, Uuid as SqlUuid},
};
use uuid::Uuid;

use crate::{
    articles::live::live,
    categories::model::{Category, CategoryChanges, NewCategory},
    db::{self, LockKind},
    pagination::Page,
    schema::{articles, categories},
    slugs::{self, Key},
};

type ByKey = Box<dyn BoxableExpression<categories::table, Pg, SqlType = Bool>>;

fn by_key(key: &Key) -> ByKey {
    match key {
        Key::Id(id) => Box::new(categories::id.eq(*id)),
        Key::Slug(slug) => Box::new(categories::slug.eq(slug.clone())),
    }
}

pub fn find(conn: &mut PgConnection, key: &Key) -> QueryResult<Category> {
    categories::table
        .filter(by_key(key))
        .select(Category::as_select())
        .first(conn)
}

/// The row locked for the rest of the transaction, for read-check-write updates.
pub fn find_for_update(conn: &mut PgConnection, key: &Key) -> QueryResult<Category> {
    categories::table
        .filter(by_key(key))
        .select(Category::as_select())
        .for_update()
        .first(conn)
}

/// The id of the category `key` names, if any.
pub fn resolve(conn: &mut PgConnection, key: &Key) -> QueryResult<Option<Uuid>> {
    categories::table
        .filter(by_key(key))
        .select(categories::id)
        .first(conn)
        .optional()
}

/// A page of categories by position, then name; with `parent`, only its direct subcategories.
pub fn list(
    conn: &mut PgConnection,
    page: Page,
    parent: Option<Uuid>,
) -> QueryResult<(Vec<Category>, i64)> {
    let filtered = || {
        let mut query = categories::table.into_boxed();
        if let Some(parent) = parent {
            query = query.filter(categories::parent_id.eq(parent));
        }
        query
    };
    let rows = filtered()
        .select(Category::as_select())
        .order((categories::position, categories::name, categories::id))
        .limit(page.limit())
        .offset(page.offset())
        .load(conn)?;
    let total = filtered().count().get_result(conn)?;
    Ok((rows, total))
}

/// Live articles per category, for all of `ids` in one query; categories without any are absent.
pub fn article_counts(conn: &mut PgConnection, ids: &[Uuid]) -> QueryResult<HashMap<Uuid, i64>> {
    let counts: Vec<(Option<Uuid>, i64)> = articles::table
        .filter(articles::category_id.eq_any(ids))
        .filter(live())
        .group_by(articles::category_id)
        .select((articles::category_id, count_star()))
        .load(conn)?;
    Ok(counts
        .into_iter()
        .filter_map(|(id, n)| id.map(|id| (id, n)))
        .collect())
}

pub fn article_count(conn: &mut PgConnection, id: Uuid) -> QueryResult<i64> {
    Ok(article_counts(conn, &[id])?.get(&id).copied().unwrap_or(0))
}

/// Every article in the category, trashed ones included: they may be restored.
pub fn all_article_count(conn: &mut PgConnection, id: Uuid) -> QueryResult<i64> {
    articles::table
        .filter(articles::category_id.eq(id))
        .count()
        .get_result(conn)
}

/// Moves every article of `from`, trashed ones included, to `to`.
pub fn move_articles(conn: &mut PgConnection, from: Uuid, to: Uuid) -> QueryResult<usize> {
    diesel::update(articles::table.filter(articles::category_id.eq(from)))
        .set(articles::category_id.eq(to))
        .execute(conn)
}

pub fn has_children(conn: &mut PgConnection, id: Uuid) -> QueryResult<bool> {
    diesel::select(exists(
        categories::table.filter(categories::parent_id.eq(id)),
    ))
    .get_result(conn)
}

/// Whether the category exists, holding it until the transaction ends so that it cannot be
/// deleted from under a child being attached to it.
pub fn exists_locked(conn: &mut PgConnection, id: Uuid) -> QueryResult<bool> {
    categories::table
        .find(id)
        .select(categories::id)
        .for_key_share()
        .first::<Uuid>(conn)
        .optional()
        .map(|found| found.is_some())
}

/// Serialises changes of parent, so that two moves at once cannot close a cycle together
/// (A under B and B under A), each having checked the tree before the other changed it.
pub fn lock_tree(conn: &mut PgConnection) -> QueryResult<()> {
    db::lock_until_commit(conn, LockKind::CategoryTree, "")
}

#[derive(QueryableByName)]
struct Found {
    #[diesel(sql_type = Bool)]
    found: bool,
}

/// Whether `candidate` is `category` itself or somewhere below it.
pub fn is_self_or_descendant(
    conn: &mut PgConnection,
    category: Uuid,
    candidate: Uuid,
) -> QueryResult<bool> {
    let row: Found = sql_query(
        "WITH RECURSIVE below(id) AS ( \
             SELECT $1::uuid \
             UNION \
             SELECT c.id FROM categories c JOIN below ON c.parent_id = below.id \
         ) \
         SELECT EXISTS (SELECT 1 FROM below WHERE id = $2) AS found",
    )
    .bind::<SqlUuid, _>(category)
    .bind::<SqlUuid, _>(candidate)
    .get_result(conn)?;
    Ok(row.found)
}

/// `base`, or the first of `base-2`, `base-3`, … that no category has. Free until the
/// transaction ends (see [`slugs::reserve`]).
pub fn free_slug(conn: &mut PgConnection, base: &str) -> QueryResult<String> {
    slugs::reserve(conn, slugs::Scope::Categories, base)?;
    let taken: Vec<String> = categories::table
        .filter(slugs::starting_with(categories::slug, base))
        .select(categories::slug)
        .load(conn)?;
    Ok(slugs::next_free(base, &taken))
}

pub fn insert(conn: &mut PgConnection, category: &NewCategory) -> QueryResult<Category> {
    diesel::insert_into(categories::table)
        .values(category)
        .returning(Category::as_returning())
        .get_result(conn)
}

pub fn update(
    conn: &mut PgConnection,
    id: Uuid,
    changes: &CategoryChanges,
) -> QueryResult<Category> {
    diesel::update(categories::table.find(id))
        .set((
            changes,
            categories::updated_at.eq(Utc::now()),
            categories::version.eq(categories::version + 1),
        ))
        .returning(Category::as_returning())
        .get_result(conn)
}

pub fn delete(conn: &mut PgConnection, id: Uuid) -> QueryResult<usize> {
    diesel::delete(categories::table.find(id)).execute(conn)
}
