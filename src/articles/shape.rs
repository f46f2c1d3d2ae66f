//! `fields` and `include`: which parts of an article a response shows.

use std::collections::HashMap;

use diesel::PgConnection;
use serde_json::Value;
use uuid::Uuid;

use crate::{
    articles::{
        access::distinct_ids,
        dto::{ArticleView, Embedded},
        queries,
    },
    error::ApiError,
    images,
};

const FIELDS: &[&str] = &[
    "id",
    "slug",
    "title",
    "subtitle",
    "excerpt",
    "body",
    "body_html",
    "body_text",
    "cover_image",
    "authors",
    "category",
    "tags",
    "status",
    "published_at",
    "unpublish_at",
    "featured",
    "kind",
    "source",
    "locale",
    "translation_of",
    "seo",
    "word_count",
    "reading_time_minutes",
    "created_at",
    "updated_at",
    "version",
];
pub const BODY_FIELDS: &[&str] = &["body", "body_html", "body_text"];

#[derive(Debug, Clone, Default)]
pub struct Shape {
    pub fields: Option<Vec<String>>,
    pub authors: bool,
    pub tags: bool,
    pub category: bool,
    pub cover_image: bool,
}

impl Shape {
    /// 400 for a field or relation that does not exist, so a typo is never silently ignored.
    pub fn parse(fields: Option<&str>, include: Option<&str>) -> Result<Self, ApiError> {
        let mut shape = Self::default();
        if let Some(fields) = fields {
            let names: Vec<String> = fields
                .split(',')
                .map(str::trim)
                .filter(|f| !f.is_empty())
                .map(str::to_owned)
                .collect();
            if let Some(unknown) = names.iter().find(|f| !FIELDS.contains(&f.as_str())) {
                return Err(ApiError::BadRequest(format!(
                    "fields: there is no field {unknown:?}"
                )));
            }
            shape.fields = Some(names);
        }
        for relation in include
            .unwrap_or_default()
            .split(',')
            .map(str::trim)
            .filter(|r| !r.is_empty())
        {
            match relation {
                "authors" => shape.authors = true,
                "tags" => shape.tags = true,
                "category" => shape.category = true,
                "cover_image" => shape.cover_image = true,
                other => {
                    return Err(ApiError::BadRequest(format!(
                        "include: {other:?} cannot be included; use authors, tags, category or cover_image"
                    )));
                }
            }
        }
        Ok(shape)
    }

    /// Whether the response shows a body field, so the query must read them.
    pub fn wants_bodies(&self) -> bool {
        self.fields
            .as_ref()
            .is_some_and(|f| f.iter().any(|name| BODY_FIELDS.contains(&name.as_str())))
    }

    /// Replaces ids by objects for the included relations: one statement per relation, whatever
    /// the number of articles.
    pub fn embed(
        &self,
        conn: &mut PgConnection,
        views: &mut [ArticleView],
        media_url: &str,
    ) -> Result<(), ApiError> {
        let ids_of = |list: &[Embedded<Value>]| -> Vec<Uuid> {
            list.iter()
                .filter_map(|e| {
                    if let Embedded::Id(id) = e {
                        Some(*id)
                    } else {
                        None
                    }
                })
                .collect()
        };
        if self.authors {
            let lists: Vec<Vec<Uuid>> = views.iter().map(|v| ids_of(&v.authors)).collect();
            let found: HashMap<Uuid, Value> =
                queries::embeddable_authors(conn, &distinct_ids(lists.iter().map(Vec::as_slice)))?
                    .into_iter()
                    .collect();
            for view in views.iter_mut() {
                view.authors = replace(&view.authors, &found);
            }
        }
        if self.tags {
            let lists: Vec<Vec<Uuid>> = views.iter().map(|v| ids_of(&v.tags)).collect();
            let found: HashMap<Uuid, Value> =
                queries::embeddable_tags(conn, &distinct_ids(lists.iter().map(Vec::as_slice)))?
                    .into_iter()
                    .collect();
            for view in views.iter_mut() {
                view.tags = replace(&view.tags, &found);
            }
        }
        if self.category {
            let ids = single_ids(views.iter().map(|v| &v.category));
            let found: HashMap<Uuid, Value> = queries::embeddable_categories(conn, &ids)?
                .into_iter()
                .collect();
            for view in views.iter_mut() {
                view.category = replace_one(view.category.take(), &found);
            }
        }
        if self.cover_image {
            let ids = single_ids(views.iter().map(|v| &v.cover_image));
            let rows = images::queries::by_ids(conn, &ids)?;
            let found: HashMap<Uuid, Value> = images::views(conn, rows, media_url)?
                .into_iter()
                .map(|view| {
                    let id = view.id;
                    serde_json::to_value(view).map(|v| (id, v))
                })
                .collect::<Result<_, _>>()
                .map_err(ApiError::internal)?;
            for view in views.iter_mut() {
                view.cover_image = replace_one(view.cover_image.take(), &found);
            }
        }
        Ok(())
    }

    /// The JSON text of a view with only the asked-for fields; with all of them it is written
    /// straight from the view, keys in the view's order (an uncached read makes no
    /// intermediate JSON tree).
    pub fn to_json(&self, view: ArticleView) -> Result<Vec<u8>, ApiError> {
        match self.fields {
            None => serde_json::to_vec(&view),
            Some(_) => serde_json::to_vec(&self.project(view)?),
        }
        .map_err(ApiError::internal)
    }

    /// The JSON of a view with only the asked-for fields.
    pub fn project(&self, view: ArticleView) -> Result<Value, ApiError> {
        let value = view.into_value().map_err(ApiError::internal)?;
        let Some(fields) = &self.fields else {
            return Ok(value);
        };
        let Value::Object(mut object) = value else {
            return Ok(value);
        };
        object.retain(|key, _| fields.iter().any(|f| f == key));
        Ok(Value::Object(object))
    }
}

/// The distinct ids of a to-one relation across views.
fn single_ids<'a>(relations: impl Iterator<Item = &'a Option<Embedded<Value>>>) -> Vec<Uuid> {
    let ids: Vec<Uuid> = relations
        .filter_map(|r| match r {
            Some(Embedded::Id(id)) => Some(*id),
            _ => None,
        })
        .collect();
    distinct_ids(std::iter::once(ids.as_slice()))
}

fn replace_one(
    relation: Option<Embedded<Value>>,
    found: &HashMap<Uuid, Value>,
) -> Option<Embedded<Value>> {
    match relation {
        Some(Embedded::Id(id)) => Some(
            found
                .get(&id)
                .cloned()
                .map_or(Embedded::Id(id), Embedded::Object),
        ),
        other => other,
    }
}

fn replace(list: &[Embedded<Value>], found: &HashMap<Uuid, Value>) -> Vec<Embedded<Value>> {
    list.iter()
        .map(|e| match e {
            Embedded::Id(id) => found
                .get(id)
                .cloned()
                .map_or(Embedded::Id(*id), Embedded::Object),
            other => other.clone(),
        })
        .collect()
}
