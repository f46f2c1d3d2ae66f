//! Turning what a client sends into an article's stored content: checked fields, rendered body,
//! computed excerpt, counts and slug.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use diesel::PgConnection;
use uuid::Uuid;

use crate::{
    articles::{
        dto::{CreateArticle, Seo, UpdateArticle, UpdateSeo},
        figures,
        model::{Article, Content, Kind},
        queries,
    },
    error::{ApiError, FieldCode, FieldError, Fields},
    images, slugs, text,
    text::{
        fields::{locale, name, optional_plain_text, slug, slug_base, website},
        markdown::InlineImage,
    },
};

pub const MAX_TITLE_CHARS: usize = 300;
/// Bodies past this are refused with 413 before any work is done on them.
pub const MAX_BODY_BYTES: usize = 1_000_000;
const MAX_AUTHORS: usize = 20;
const MAX_TAGS: usize = 50;
pub const DEFAULT_LOCALE: &str = "zh-CN";

/// Whether PostgreSQL can store the time: chrono parses years far outside `timestamptz`'s range.
pub fn storable(time: chrono::DateTime<chrono::Utc>) -> bool {
    use chrono::Datelike;
    (1..=9999).contains(&time.year())
}

/// A time given in a query parameter (RFC 3339, one PostgreSQL can store), or a 400 naming the
/// parameter.
pub fn query_time(
    name: &str,
    value: Option<&str>,
) -> Result<Option<DateTime<Utc>>, crate::error::ApiError> {
    value
        .map(|v| {
            DateTime::parse_from_rfc3339(v)
                .map(|t| t.with_timezone(&Utc))
                .ok()
                .filter(|t| storable(*t))
                .ok_or_else(|| {
                    crate::error::ApiError::BadRequest(format!(
                        "{name}: {v:?} is not an RFC 3339 time of years 1 to 9999"
                    ))
                })
        })
        .transpose()
}

/// A time PostgreSQL can store, or the field's 422.
pub fn storable_time(field: &str, time: DateTime<Utc>) -> Result<DateTime<Utc>, FieldError> {
    if storable(time) {
        Ok(time)
    } else {
        Err(FieldError::new(
            field,
            FieldCode::Invalid,
            "must be a time between the years 1 and 9999",
        ))
    }
}

/// An article cannot come down before it goes up: `unpublish_at` must be after `published_at`.
pub fn check_unpublish_at(
    published_at: Option<DateTime<Utc>>,
    unpublish_at: Option<DateTime<Utc>>,
) -> Result<(), ApiError> {
    match (published_at, unpublish_at) {
        (Some(published), Some(until)) if until <= published => Err(ApiError::field(
            "unpublish_at",
            FieldCode::Invalid,
            "must be after published_at",
        )),
        _ => Ok(()),
    }
}

/// Fields of a request, checked; `None` means "not sent".
#[derive(Debug, Default)]
pub struct Checked {
    pub title: Option<String>,
    pub slug: Option<String>,
    pub subtitle: Option<Option<String>>,
    pub excerpt: Option<Option<String>>,
    pub body: Option<String>,
    pub cover_image: Option<Option<Uuid>>,
    pub authors: Option<Vec<Uuid>>,
    pub category: Option<Option<Uuid>>,
    pub tags: Option<Vec<Uuid>>,
    pub featured: Option<bool>,
    pub kind: Option<Kind>,
    pub source: Option<Option<String>>,
    pub locale: Option<String>,
    pub translation_of: Option<Option<Uuid>>,
    pub seo: SeoChanges,
    /// The images the new body shows, fetched by [`Checked::check_references`].
    pub figures: HashMap<Uuid, InlineImage>,
    /// A new take-down time (`Some(None)` clears it); not part of the content revisions keep.
    pub unpublish_at: Option<Option<DateTime<Utc>>>,
}

fn distinct(field: &str, ids: Vec<Uuid>, max: usize) -> Result<Vec<Uuid>, FieldError> {
    let mut seen = Vec::with_capacity(ids.len());
    for id in ids {
        if seen.contains(&id) {
            return Err(FieldError::new(
                field,
                FieldCode::Invalid,
                "lists an id twice",
            ));
        }
        seen.push(id);
    }
    if seen.len() > max {
        return Err(FieldError::new(
            field,
            FieldCode::TooLong,
            format!("may list at most {max}"),
        ));
    }
    Ok(seen)
}

fn body(value: Option<String>) -> Result<Option<String>, ApiError> {
    match value {
        Some(body) if body.len() > MAX_BODY_BYTES => Err(ApiError::PayloadTooLarge(format!(
            "body may be at most {MAX_BODY_BYTES} bytes"
        ))),
        other => Ok(other),
    }
}

/// Each SEO field: `None` keeps it, `Some(None)` clears it.
#[derive(Debug, Default)]
pub struct SeoChanges {
    pub meta_title: Option<Option<String>>,
    pub meta_description: Option<Option<String>>,
    pub canonical_url: Option<Option<String>>,
}

fn seo_changes(value: UpdateSeo) -> Result<SeoChanges, FieldError> {
    let canonical = |url: Option<String>| {
        url.as_deref()
            .map_or(Ok(None), website)
            .map_err(|e| FieldError::new("seo.canonical_url", e.code, e.message))
    };
    Ok(SeoChanges {
        meta_title: value
            .meta_title
            .map(|t| optional_plain_text("seo.meta_title", t.as_deref(), MAX_TITLE_CHARS))
            .transpose()?,
        meta_description: value
            .meta_description
            .map(|d| optional_plain_text("seo.meta_description", d.as_deref(), 1000))
            .transpose()?,
        canonical_url: value.canonical_url.map(canonical).transpose()?,
    })
}

/// On create, every SEO field is set: to what was sent, or to nothing.
fn seo(value: Option<Seo>) -> Result<SeoChanges, FieldError> {
    let seo = value.unwrap_or_default();
    seo_changes(UpdateSeo {
        meta_title: Some(seo.meta_title),
        meta_description: Some(seo.meta_description),
        canonical_url: Some(seo.canonical_url),
    })
}

impl Checked {
    pub fn from_create(input: CreateArticle) -> Result<Self, ApiError> {
        let authors_given = input.authors.as_ref().is_some_and(|a| !a.is_empty());
        let body = body(input.body)?;
        let (title, slug, subtitle, excerpt, source, locale, seo, lists) = (
            name("title", &input.title, MAX_TITLE_CHARS),
            slug(input.slug.as_deref()),
            optional_plain_text("subtitle", input.subtitle.as_deref(), MAX_TITLE_CHARS),
            optional_plain_text("excerpt", input.excerpt.as_deref(), 1000),
            optional_plain_text("source", input.source.as_deref(), 200),
            input.locale.as_deref().map(locale).transpose(),
            seo(input.seo),
            distinct("authors", input.authors.unwrap_or_default(), MAX_AUTHORS).and_then(|a| {
                Ok((
                    a,
                    distinct("tags", input.tags.unwrap_or_default(), MAX_TAGS)?,
                ))
            }),
        )
            .parsed()?;
        let (authors, tags) = lists;
        Ok(Self {
            title: Some(title),
            slug,
            subtitle: Some(subtitle),
            excerpt: Some(excerpt),
            body: Some(body.unwrap_or_default()),
            cover_image: Some(input.cover_image),
            authors: authors_given.then_some(authors),
            category: Some(input.category),
            tags: Some(tags),
            featured: Some(input.featured.unwrap_or(false)),
            kind: Some(input.kind.unwrap_or_default()),
            source: Some(source),
            locale: Some(locale.unwrap_or_else(|| DEFAULT_LOCALE.to_owned())),
            translation_of: Some(input.translation_of),
            seo,
            figures: HashMap::new(),
            unpublish_at: None,
        })
    }

    pub fn from_update(input: UpdateArticle) -> Result<Self, ApiError> {
        let body = body(input.body)?;
        let (title, slug, subtitle, excerpt, source, locale, seo, authors) = (
            input
                .title
                .as_deref()
                .map(|t| name("title", t, MAX_TITLE_CHARS))
                .transpose(),
            slug(input.slug.as_deref()),
            input
                .subtitle
                .map(|s| optional_plain_text("subtitle", s.as_deref(), MAX_TITLE_CHARS))
                .transpose(),
            input
                .excerpt
                .map(|e| optional_plain_text("excerpt", e.as_deref(), 1000))
                .transpose(),
            input
                .source
                .map(|s| optional_plain_text("source", s.as_deref(), 200))
                .transpose(),
            input.locale.as_deref().map(locale).transpose(),
            input.seo.map(seo_changes).transpose(),
            input
                .authors
                .map(|a| distinct("authors", a, MAX_AUTHORS))
                .transpose(),
        )
            .parsed()?;
        let (tags, unpublish_at) = (
            input
                .tags
                .map(|t| distinct("tags", t, MAX_TAGS))
                .transpose(),
            input
                .unpublish_at
                .map(|until| {
                    until
                        .map(|at| storable_time("unpublish_at", at))
                        .transpose()
                })
                .transpose(),
        )
            .parsed()?;
        Ok(Self {
            title,
            slug,
            subtitle,
            excerpt,
            body,
            cover_image: input.cover_image,
            authors,
            category: input.category,
            tags,
            featured: input.featured,
            kind: input.kind,
            source,
            locale,
            translation_of: input.translation_of,
            seo: seo.unwrap_or_default(),
            figures: HashMap::new(),
            unpublish_at,
        })
    }

    /// Checks that every id the request names exists: one statement per kind, all failures in
    /// one 422.
    ///
    /// Images a new body refers to must exist, except those the current body already showed:
    /// an image deleted with `force` leaves a reference behind that must not block every later
    /// edit (it renders as nothing).
    pub fn check_references(
        &mut self,
        conn: &mut PgConnection,
        current: Option<&Article>,
        media_url: &str,
    ) -> Result<(), ApiError> {
        let article = current.map(|a| a.id);
        let mut errors = Vec::new();
        if let Some(Some(cover)) = self.cover_image {
            errors.extend(images::missing(conn, "cover_image", cover)?);
        }
        if let Some(body) = &self.body {
            let shown = text::markdown::image_ids(body);
            self.figures = figures::inline_images(conn, &shown, media_url)?;
            let shown_before = current.map_or(&[][..], |a| a.body_image_ids.as_slice());
            let missing: Vec<Uuid> = shown
                .into_iter()
                .filter(|id| !self.figures.contains_key(id) && !shown_before.contains(id))
                .collect();
            if !missing.is_empty() {
                errors.push(not_found("body", "image", &missing));
            }
        }
        if let Some(authors) = self.authors.as_deref().filter(|a| !a.is_empty()) {
            let missing = queries::missing_authors(conn, authors)?;
            if !missing.is_empty() {
                errors.push(not_found("authors", "author", &missing));
            }
        }
        if let Some(tags) = self.tags.as_deref().filter(|t| !t.is_empty()) {
            let missing = queries::missing_tags(conn, tags)?;
            if !missing.is_empty() {
                errors.push(not_found("tags", "tag", &missing));
            }
        }
        if let Some(Some(category)) = self.category
            && !queries::category_exists(conn, category)?
        {
            errors.push(not_found("category", "category", &[category]));
        }
        if let Some(Some(original)) = self.translation_of {
            if Some(original) == article {
                errors.push(FieldError::new(
                    "translation_of",
                    FieldCode::Invalid,
                    "an article cannot translate itself",
                ));
            } else if !queries::article_exists(conn, original)? {
                errors.push(not_found("translation_of", "article", &[original]));
            }
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(ApiError::Validation(errors))
        }
    }

    /// The stored content after applying these changes to `current` (or to nothing, on create).
    pub fn apply(self, current: Option<&Content>, slug: String) -> Content {
        let keep = |current: Option<&Content>| current.cloned();
        let base = keep(current);
        let pick = |new: Option<String>, old: Option<&String>| {
            new.or_else(|| old.cloned()).unwrap_or_default()
        };
        let body = pick(self.body, base.as_ref().map(|c| &c.body));
        let body_changed = base.as_ref().is_none_or(|c| c.body != body);
        let (body_html, body_text) = match (&base, body_changed) {
            (Some(c), false) => (c.body_html.clone(), c.body_text.clone()),
            _ => {
                let rendered = text::markdown::render(&body, &self.figures);
                (rendered.html, rendered.text)
            }
        };
        let body_image_ids = match (&base, body_changed) {
            (Some(c), false) => c.body_image_ids.clone(),
            // Every reference, a dangling one too: it was checked when it was written.
            _ => text::markdown::image_ids(&body),
        };
        let custom_excerpt = match self.excerpt {
            Some(excerpt) => excerpt,
            None => base
                .as_ref()
                .filter(|c| c.excerpt_is_custom)
                .map(|c| c.excerpt.clone()),
        };
        let seo = Seo {
            meta_title: self
                .seo
                .meta_title
                .unwrap_or_else(|| base.as_ref().and_then(|c| c.meta_title.clone())),
            meta_description: self
                .seo
                .meta_description
                .unwrap_or_else(|| base.as_ref().and_then(|c| c.meta_description.clone())),
            canonical_url: self
                .seo
                .canonical_url
                .unwrap_or_else(|| base.as_ref().and_then(|c| c.canonical_url.clone())),
        };
        Content {
            slug,
            title: pick(self.title, base.as_ref().map(|c| &c.title)),
            subtitle: self
                .subtitle
                .unwrap_or_else(|| base.as_ref().and_then(|c| c.subtitle.clone())),
            excerpt_is_custom: custom_excerpt.is_some(),
            excerpt: custom_excerpt.unwrap_or_else(|| text::stats::excerpt(&body_text)),
            word_count: text::stats::word_count(&body_text),
            reading_time_minutes: text::stats::reading_time_minutes(&body_text),
            body,
            body_html,
            body_text,
            body_image_ids,
            cover_image_id: self
                .cover_image
                .unwrap_or_else(|| base.as_ref().and_then(|c| c.cover_image_id)),
            category_id: self
                .category
                .unwrap_or_else(|| base.as_ref().and_then(|c| c.category_id)),
            author_ids: self
                .authors
                .or_else(|| base.as_ref().map(|c| c.author_ids.clone()))
                .unwrap_or_default(),
            tag_ids: self
                .tags
                .or_else(|| base.as_ref().map(|c| c.tag_ids.clone()))
                .unwrap_or_default(),
            featured: self
                .featured
                .or_else(|| base.as_ref().map(|c| c.featured))
                .unwrap_or(false),
            kind: self
                .kind
                .map(|k| k.as_str().to_owned())
                .or_else(|| base.as_ref().map(|c| c.kind.clone()))
                .unwrap_or_else(|| Kind::Post.as_str().to_owned()),
            source: self
                .source
                .unwrap_or_else(|| base.as_ref().and_then(|c| c.source.clone())),
            locale: pick(self.locale, base.as_ref().map(|c| &c.locale)),
            translation_of: self
                .translation_of
                .unwrap_or_else(|| base.as_ref().and_then(|c| c.translation_of)),
            meta_title: seo.meta_title,
            meta_description: seo.meta_description,
            canonical_url: seo.canonical_url,
        }
    }
}

fn not_found(field: &str, what: &str, ids: &[Uuid]) -> FieldError {
    let list: Vec<String> = ids.iter().map(Uuid::to_string).collect();
    FieldError::new(
        field,
        FieldCode::NotFound,
        format!("no {what} has id {}", list.join(", ")),
    )
}

/// The slug for new content: the one asked for (409 when taken), or one made from the title.
pub fn choose_slug(
    conn: &mut PgConnection,
    asked: Option<&str>,
    title: &str,
    article: Option<Uuid>,
) -> Result<String, ApiError> {
    if let Some(slug) = asked {
        slugs::reserve(conn, slugs::Scope::Articles, slug)?;
        if queries::slug_taken(conn, slug, article)? {
            return Err(ApiError::Conflict(format!(
                "slug: another article has or had the slug {slug}"
            )));
        }
        return Ok(slug.to_owned());
    }
    let base = slug_base(title, "article");
    slugs::reserve(conn, slugs::Scope::Articles, &base)?;
    Ok(slugs::next_free(&base, &queries::taken_slugs(conn, &base)?))
}
