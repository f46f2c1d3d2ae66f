//! What readers may see, item by item: each item as an anonymous reader gets it now, the items
//! a run of changes touched, and every readable item in a stable order. Sync and live events
//! both speak through here, so they cannot disagree about what is public.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use diesel::{OptionalExtension, prelude::*};
use serde::Serialize;
use serde_json::{Value, value::RawValue};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::{
    articles::{
        self,
        dto::ArticleView,
        live::live,
        model::{Article, ArticleSummary},
        queries::Lookup,
    },
    authors::{self, dto::AuthorView},
    carousels,
    categories::{self, dto::CategoryView},
    changes::model::Change,
    error::ApiError,
    links::{self, dto::LinkView},
    recommendations::{self, dto::RecommendationView},
    schema::{
        articles as articles_table, articles_seen, authors as authors_table, carousel_slides,
        carousels as carousels_table, categories as categories_table, links as links_table,
        recommendations as recommendations_table, tags as tags_table,
    },
    site::{self, dto::SiteView},
    slugs::Key,
    tags::{self, dto::TagView},
};

/// The kinds of item a reader may see, in the order a first sync pages through them.
pub const KINDS: [&str; 8] = [
    "article",
    "author",
    "category",
    "tag",
    "carousel",
    "recommendation",
    "link",
    "site",
];

/// One item: a kind and its id (none for the site, of which there is one).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ItemKey {
    pub kind: &'static str,
    pub id: Option<Uuid>,
}

impl ItemKey {
    /// A carousel, touched by a change to a slide or to an image it shows.
    fn carousel(id: Uuid) -> Self {
        Self {
            kind: "carousel",
            id: Some(id),
        }
    }
}

/// An item as a reader gets it now, or word that readers can no longer get it.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(tag = "op", rename_all = "lowercase")]
pub enum Entry {
    /// Add or replace the item.
    Upsert {
        /// `article`, `author`, `category`, `tag`, `carousel`, `recommendation`, `link` or `site`.
        #[schema(example = "article")]
        kind: String,
        /// Null only for the site.
        id: Option<Uuid>,
        /// The item as its own public read gives it (an article as a summary unless `full`).
        #[schema(value_type = Object)]
        item: Box<RawValue>,
    },
    /// Remove the item: trashed, purged, unpublished, archived, taken down, unapproved, deleted.
    Delete {
        #[schema(example = "article")]
        kind: String,
        id: Option<Uuid>,
        /// Its slug (or key) when known, so a frontend can drop the page it had.
        slug: Option<String>,
        /// When it stopped being readable (the change that did it).
        at: DateTime<Utc>,
    },
}

/// How items are shown.
#[derive(Debug, Clone)]
pub struct Showing {
    pub media_url: String,
    /// Articles with their bodies (`body`, `body_html`, `body_text`).
    pub full: bool,
    pub now: DateTime<Utc>,
}

fn article_view(article: Article, full: bool) -> ArticleView {
    if full {
        ArticleView::full(article)
    } else {
        ArticleView::new(ArticleSummary::from(article), None)
    }
}

/// The item's JSON, written once: an article's bodies go out as they were escaped here.
fn json(view: impl Serialize) -> Result<Box<RawValue>, ApiError> {
    serde_json::value::to_raw_value(&view).map_err(ApiError::internal)
}

fn live_article(conn: &mut PgConnection, id: Uuid) -> Result<Option<Article>, ApiError> {
    Ok(match articles::queries::find(conn, &Key::Id(id))? {
        Lookup::Found(article) if articles::access::is_live(&article) => Some(*article),
        _ => None,
    })
}

/// The item as an anonymous reader gets it now; `None` when readers cannot get it.
pub fn render(
    conn: &mut PgConnection,
    key: &ItemKey,
    showing: &Showing,
) -> Result<Option<Box<RawValue>>, ApiError> {
    let media = showing.media_url.as_str();
    let Some(id) = key.id else {
        return if key.kind == "site" {
            let settings = site::queries::find(conn)?;
            json(SiteView::new(settings, None)).map(Some)
        } else {
            Ok(None)
        };
    };
    let found = match key.kind {
        "article" => {
            return live_article(conn, id)?
                .map(|article| json(article_view(article, showing.full)))
                .transpose();
        }
        "author" => authors::queries::find(conn, &Key::Id(id))
            .optional()?
            .map(|author| {
                let count = authors::queries::article_count(conn, id)?;
                json(AuthorView::new(author, count))
            }),
        "category" => categories::queries::find(conn, &Key::Id(id))
            .optional()?
            .map(|category| {
                let count = categories::queries::article_count(conn, id)?;
                json(CategoryView::new(category, count))
            }),
        "tag" => tags::queries::find(conn, &Key::Id(id))
            .optional()?
            .map(|tag| {
                let count = tags::queries::article_count(conn, id)?;
                json(TagView::new(tag, count))
            }),
        "carousel" => match carousels::public_view_of(conn, id, media, showing.now) {
            Ok(view) => Some(json(view)),
            Err(ApiError::NotFound(_)) => None,
            Err(other) => return Err(other),
        },
        "recommendation" => {
            let Some((entry, target)) = recommendations::queries::find(conn, id).optional()? else {
                return Ok(None);
            };
            // As the public list: its article live, and the article it is for, if any.
            let readable = live_article(conn, entry.target_article_id)?.is_some()
                && match entry.source_article_id {
                    Some(source) => live_article(conn, source)?.is_some(),
                    None => true,
                };
            readable.then(|| json(RecommendationView::new(entry, target)))
        }
        "link" => links::queries::find(conn, id)
            .optional()?
            .filter(|link| link.approved)
            .map(|link| json(LinkView::new(link, false))),
        _ => None,
    };
    found.transpose()
}

/// Ids of `kind` after `after`, in id order, that may be readable (each is rendered to know).
pub fn ids_after(
    conn: &mut PgConnection,
    kind: &str,
    after: Option<Uuid>,
    limit: i64,
) -> Result<Vec<Uuid>, ApiError> {
    let after = after.unwrap_or(Uuid::nil());
    macro_rules! ids {
        ($table:ident $(, $filter:expr)?) => {
            $table::table
                .filter($table::id.gt(after))
                $(.filter($filter))?
                .order($table::id)
                .select($table::id)
                .limit(limit)
                .load(conn)?
        };
    }
    Ok(match kind {
        "article" => ids!(articles_table, live()),
        "author" => ids!(authors_table),
        "category" => ids!(categories_table),
        "tag" => ids!(tags_table),
        "carousel" => ids!(carousels_table),
        "recommendation" => ids!(recommendations_table),
        "link" => ids!(links_table, links_table::approved.eq(true)),
        _ => Vec::new(),
    })
}

/// Live articles as readers get them, in id order after `after`: one statement for a page.
pub fn live_articles_after(
    conn: &mut PgConnection,
    after: Option<Uuid>,
    limit: i64,
    full: bool,
) -> Result<Vec<(Uuid, Box<RawValue>)>, ApiError> {
    let rows: Vec<Article> = articles_table::table
        .filter(articles_table::id.gt(after.unwrap_or(Uuid::nil())))
        .filter(live())
        .order(articles_table::id)
        .select(Article::as_select())
        .limit(limit)
        .load(conn)?;
    rows.into_iter()
        .map(|article| Ok((article.id, json(article_view(article, full))?)))
        .collect()
}

/// What the changes say of one item: when it last changed, the slug it had, and whether it may
/// ever have been readable (so that a tombstone tells nothing of drafts that never were).
#[derive(Debug, Clone)]
pub struct Touched {
    pub at: DateTime<Utc>,
    pub seq: i64,
    pub slug: Option<String>,
    pub was_public: bool,
}

fn text(value: Option<&Value>) -> Option<String> {
    value.and_then(Value::as_str).map(str::to_owned)
}

fn uuid(value: Option<&Value>) -> Option<Uuid> {
    value.and_then(Value::as_str).and_then(|v| v.parse().ok())
}

/// Whether a change shows the row in a state readers could see (for the kinds that have
/// hidden states: articles that were never published, links never approved).
fn shows_public(change: &Change) -> bool {
    let values = |field: &str| [change.before(field), change.after(field)];
    match change.resource.as_str() {
        // Whether readers saw an article is kept beside it (`articles_seen`): see [`entry`].
        "article" => false,
        "link" => values("approved")
            .into_iter()
            .flatten()
            .any(|approved| approved.as_bool() == Some(true)),
        _ => true,
    }
}

/// The items `changes` (in commit order) touched, each once, in the order of its last change.
/// A slide or an image touches the carousels showing it; an article touches the
/// recommendations that show it.
pub fn touched(
    conn: &mut PgConnection,
    changes: &[Change],
) -> Result<Vec<(ItemKey, Touched)>, ApiError> {
    let mut found: HashMap<ItemKey, Touched> = HashMap::new();
    let mut note = |key: ItemKey, change: &Change, slug: Option<String>, public: bool| {
        let entry = found.entry(key).or_insert(Touched {
            at: change.at,
            seq: change.number(),
            slug: None,
            was_public: false,
        });
        entry.at = change.at;
        entry.seq = change.number();
        entry.slug = slug.or(entry.slug.take());
        entry.was_public |= public;
    };
    for change in changes {
        let id = change.resource_id;
        let slug = text(change.after("slug").or(change.before("slug")))
            .or_else(|| text(change.after("key").or(change.before("key"))));
        let kind = match change.resource.as_str() {
            "slide" => {
                let carousel = uuid(change.after("carousel_id").or(change.before("carousel_id")))
                    .or_else(|| {
                        id.and_then(|slide| carousels::queries::find_slide(conn, slide).ok())
                            .map(|slide| slide.carousel_id)
                    });
                if let Some(carousel) = carousel {
                    note(ItemKey::carousel(carousel), change, None, true);
                }
                continue;
            }
            // Carousels embed their slides' images: an edited caption changes what they show.
            "image" => {
                let showing: Vec<Uuid> = carousel_slides::table
                    .filter(carousel_slides::image_id.nullable().eq(id))
                    .select(carousel_slides::carousel_id)
                    .distinct()
                    .load(conn)?;
                for carousel in showing {
                    note(ItemKey::carousel(carousel), change, None, true);
                }
                continue;
            }
            "site" => "site",
            other => match KINDS.iter().find(|kind| **kind == other) {
                Some(kind) => kind,
                None => continue,
            },
        };
        note(ItemKey { kind, id }, change, slug, shows_public(change));
        if kind == "article"
            && let Some(article) = id
        {
            let showing: Vec<Uuid> = recommendations_table::table
                .filter(
                    recommendations_table::target_article_id
                        .eq(article)
                        .or(recommendations_table::source_article_id.eq(article)),
                )
                .select(recommendations_table::id)
                .load(conn)?;
            for entry in showing {
                note(
                    ItemKey {
                        kind: "recommendation",
                        id: Some(entry),
                    },
                    change,
                    None,
                    true,
                );
            }
        }
    }
    let mut touched: Vec<(ItemKey, Touched)> = found.into_iter().collect();
    touched.sort_by_key(|(_, t)| t.seq);
    Ok(touched)
}

/// Whether readers may have seen an article: noted at every write while it was live, or live now
/// by the clock (its time has come since the last write, and it may be taken down by the clock
/// since).
fn article_seen(conn: &mut PgConnection, id: Uuid) -> QueryResult<bool> {
    let come_due = articles_table::table
        .find(id)
        .filter(articles_table::deleted_at.is_null())
        .filter(articles_table::status.eq_any(["published", "scheduled"]))
        .filter(articles_table::published_at.le(diesel::dsl::now));
    diesel::select(
        diesel::dsl::exists(articles_seen::table.find(id)).or(diesel::dsl::exists(come_due)),
    )
    .get_result(conn)
}

/// The entry for a touched item: as readers get it now, or a tombstone when they cannot and
/// may once have.
pub fn entry(
    conn: &mut PgConnection,
    key: &ItemKey,
    touched: &Touched,
    showing: &Showing,
) -> Result<Option<Entry>, ApiError> {
    if let Some(item) = render(conn, key, showing)? {
        return Ok(Some(Entry::Upsert {
            kind: key.kind.to_owned(),
            id: key.id,
            item,
        }));
    }
    let mut slug = touched.slug.clone();
    let mut was_public = touched.was_public;
    if key.kind == "article"
        && let Some(id) = key.id
    {
        was_public = article_seen(conn, id)?;
        let current: Option<String> = articles_table::table
            .find(id)
            .select(articles_table::slug)
            .first(conn)
            .optional()?;
        slug = current.or(slug);
    }
    Ok(was_public.then(|| Entry::Delete {
        kind: key.kind.to_owned(),
        id: key.id,
        slug,
        at: touched.at,
    }))
}
