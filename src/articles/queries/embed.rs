//! The related rows that `include` embeds in an article.

use diesel::prelude::*;
use uuid::Uuid;

use crate::schema::{authors, categories, tags};

/// Rows to embed with `include`, as JSON objects keyed by id: one statement per relation.
pub fn embeddable_authors(
    conn: &mut PgConnection,
    ids: &[Uuid],
) -> QueryResult<Vec<(Uuid, serde_json::Value)>> {
    authors::table
        .filter(authors::id.eq_any(ids))
        .select((
            authors::id,
            authors::slug,
            authors::name,
            authors::avatar_id,
        ))
        .load::<(Uuid, String, String, Option<Uuid>)>(conn)
        .map(|rows| {
            rows.into_iter()
                .map(|(id, slug, name, avatar)| {
                    (
                        id,
                        serde_json::json!({"id": id, "slug": slug, "name": name, "avatar": avatar}),
                    )
                })
                .collect()
        })
}

pub fn embeddable_tags(
    conn: &mut PgConnection,
    ids: &[Uuid],
) -> QueryResult<Vec<(Uuid, serde_json::Value)>> {
    tags::table
        .filter(tags::id.eq_any(ids))
        .select((tags::id, tags::slug, tags::name))
        .load::<(Uuid, String, String)>(conn)
        .map(|rows| {
            rows.into_iter()
                .map(|(id, slug, name)| {
                    (
                        id,
                        serde_json::json!({"id": id, "slug": slug, "name": name}),
                    )
                })
                .collect()
        })
}

pub fn embeddable_categories(
    conn: &mut PgConnection,
    ids: &[Uuid],
) -> QueryResult<Vec<(Uuid, serde_json::Value)>> {
    categories::table
        .filter(categories::id.eq_any(ids))
        .select((
            categories::id,
            categories::slug,
            categories::name,
            categories::parent_id,
        ))
        .load::<(Uuid, String, String, Option<Uuid>)>(conn)
        .map(|rows| {
            rows.into_iter()
                .map(|(id, slug, name, parent)| {
                    (
                        id,
                        serde_json::json!({"id": id, "slug": slug, "name": name, "parent": parent}),
                    )
                })
                .collect()
        })
}
