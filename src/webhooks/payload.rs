//! What a hook receives for a change: the event's name, and the resource as it is now with the
//! frontend paths the change affects, rendered once when the delivery is recorded.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::{
    articles::{self, dto::ArticleView, queries::Lookup},
    authors::{self, dto::AuthorView},
    carousels,
    categories::{self, dto::CategoryView},
    changes::model::Change,
    config::Config,
    error::ApiError,
    images,
    links::{self, dto::LinkView},
    recommendations::{self, dto::RecommendationView},
    schema::articles as articles_table,
    site::{self, dto::SiteView},
    slugs::Key,
    tags::{self, dto::TagView},
    users::{self, dto::UserView},
    webhooks::events,
};

/// The changes one transaction made to one resource: they make one event.
pub struct ChangeGroup<'a> {
    pub changes: Vec<&'a Change>,
}

impl ChangeGroup<'_> {
    fn first(&self) -> &Change {
        self.changes[0]
    }

    pub fn resource(&self) -> &str {
        &self.first().resource
    }

    pub fn resource_id(&self) -> Option<Uuid> {
        self.first().resource_id
    }

    /// The last change's commit number.
    pub fn seq(&self) -> i64 {
        self.changes.last().map_or(0, |c| c.number())
    }

    pub fn at(&self) -> DateTime<Utc> {
        self.changes.last().map_or_else(Utc::now, |c| c.at)
    }

    fn has(&self, action: &str) -> bool {
        self.changes.iter().any(|c| c.action == action)
    }

    /// A field's value before the first change of the group.
    fn before(&self, field: &str) -> Option<&Value> {
        self.changes.iter().find_map(|c| c.before(field))
    }

    /// A field's value after the last change of the group, when the group changed it.
    fn after(&self, field: &str) -> Option<&Value> {
        self.changes.iter().rev().find_map(|c| c.after(field))
    }

    /// The events this group fires: its own, and besides `article.created` also
    /// `article.published` for an article created live (published in the request that made
    /// it), so that hooks following what goes live hear of it too.
    pub fn events(&self) -> Vec<String> {
        let event = self.event();
        let created_live = event == "article.created"
            && self.after("status").and_then(Value::as_str) == Some("published");
        let mut events = vec![event];
        if created_live {
            events.push("article.published".to_owned());
        }
        events
    }

    /// The group's own event. Creation and deletion win over anything else done in the same
    /// transaction; an article's last workflow step names its event.
    fn event(&self) -> String {
        let resource = self.resource();
        // A link application is a new link; a revoked key is a deleted one.
        let action = if self.has("created") || self.has("applied") {
            "created"
        } else if self.has("deleted") || self.has("revoked") {
            "deleted"
        } else if resource == "article" {
            self.changes
                .iter()
                .rev()
                .find_map(|c| {
                    events::ARTICLE_TRANSITIONS
                        .iter()
                        .find(|t| **t == c.action)
                        .copied()
                })
                .unwrap_or("updated")
        } else {
            "updated"
        };
        format!("{resource}.{action}")
    }

    /// Every field any change of the group touched.
    fn fields(&self) -> BTreeSet<String> {
        self.changes
            .iter()
            .filter_map(|c| c.changes.as_object())
            .flat_map(|fields| fields.keys().cloned())
            .collect()
    }
}

/// Splits changes (in commit order) into groups of one transaction and one resource, in the
/// order each group first appears.
pub fn group(changes: &[Change]) -> Vec<ChangeGroup<'_>> {
    let mut groups: Vec<ChangeGroup<'_>> = Vec::new();
    for change in changes {
        let same = |g: &ChangeGroup<'_>| {
            let first = g.first();
            first.tx == change.tx
                && first.resource == change.resource
                && first.resource_id == change.resource_id
        };
        match groups.iter_mut().find(|g| same(g)) {
            Some(existing) => existing.changes.push(change),
            None => groups.push(ChangeGroup {
                changes: vec![change],
            }),
        }
    }
    groups
}

/// What every event of the group carries: the resource as it is now (none once deleted), with
/// the frontend paths the change affects. Read once for all of the group's events.
pub fn data(
    conn: &mut PgConnection,
    config: &Config,
    group: &ChangeGroup<'_>,
) -> Result<Value, ApiError> {
    let mut data = json!({
        "resource": group.resource(),
        "id": group.resource_id(),
        "actor": actor(group.first()),
        "changed_fields": group.fields(),
    });
    let mut paths = BTreeSet::new();
    let deleted = group.event().ends_with(".deleted");
    let object = match group.resource() {
        "article" => article(conn, config, group, &mut data, &mut paths, deleted)?,
        kind => {
            paths.extend(site_wide_paths(kind));
            if deleted {
                None
            } else {
                other(conn, config, group, &mut paths)?
            }
        }
    };
    if let Some(slug) = group.before("slug").and_then(Value::as_str)
        && data.get("slug").and_then(Value::as_str) != Some(slug)
    {
        data["previous_slug"] = json!(slug);
    }
    if data.get("slug").is_none()
        && let Some(slug) = object
            .as_ref()
            .and_then(|o| o.get("slug"))
            .or_else(|| group.before("slug"))
    {
        data["slug"] = slug.clone();
    }
    data["paths"] = json!(paths);
    data["object"] = object.unwrap_or(Value::Null);
    Ok(data)
}

/// The body of one delivery, as JSON text: `{type, timestamp, data}`.
pub fn body(event: &str, group: &ChangeGroup<'_>, data: &Value) -> Result<String, ApiError> {
    serde_json::to_string(&json!({
        "type": event,
        "timestamp": group.at(),
        "data": data,
    }))
    .map_err(ApiError::internal)
}

/// The body of `POST /webhooks/{id}/ping`.
pub fn ping(webhook: Uuid, at: DateTime<Utc>) -> String {
    json!({
        "type": events::PING,
        "timestamp": at,
        "data": {"resource": "webhook", "id": webhook},
    })
    .to_string()
}

fn actor(change: &Change) -> Value {
    json!({"type": change.actor_type, "id": change.actor_id})
}

/// Pages that show every item of a kind: the home page, mostly.
fn site_wide_paths(kind: &str) -> Vec<String> {
    match kind {
        "carousel" | "slide" | "link" | "site" | "recommendation" | "image" => vec!["/".into()],
        _ => Vec::new(),
    }
}

fn fill(pattern: &str, slug: &str) -> String {
    pattern.replace("{slug}", slug)
}

fn article_path(config: &Config, kind: &str, slug: &str) -> String {
    if kind == "page" {
        fill(&config.page_path, slug)
    } else {
        fill(&config.article_path, slug)
    }
}

/// The article's own data, and the paths of its pages before and after the change: its own,
/// its category's, its tags' and its authors', the home page, the site map and the feed.
fn article(
    conn: &mut PgConnection,
    config: &Config,
    group: &ChangeGroup<'_>,
    data: &mut Value,
    paths: &mut BTreeSet<String>,
    deleted: bool,
) -> Result<Option<Value>, ApiError> {
    let current = match group.resource_id() {
        Some(id) if !deleted => match articles::queries::find(conn, &Key::Id(id))? {
            Lookup::Found(article) | Lookup::Moved(article) => Some(*article),
            Lookup::Missing => None,
        },
        _ => None,
    };
    let before_text = |field: &str| {
        group
            .before(field)
            .and_then(Value::as_str)
            .map(str::to_owned)
    };
    let before_ids = |field: &str| -> Vec<Uuid> {
        match group.before(field) {
            Some(Value::Array(items)) => items
                .iter()
                .filter_map(|v| v.as_str()?.parse().ok())
                .collect(),
            Some(Value::String(id)) => id.parse().into_iter().collect(),
            _ => Vec::new(),
        }
    };
    let kind = current
        .as_ref()
        .map(|a| a.kind.clone())
        .or_else(|| before_text("kind"))
        .unwrap_or_else(|| "post".into());
    // The slug this change gave the article: what it is now may be later still (or gone).
    let changed_slug = group
        .after("slug")
        .and_then(Value::as_str)
        .map(str::to_owned);
    let mut slugs: Vec<String> = before_text("slug")
        .into_iter()
        .chain(changed_slug.clone())
        .collect();
    let mut categories = before_ids("category_id");
    let mut tags = before_ids("tag_ids");
    let mut authors = before_ids("author_ids");
    if let Some(article) = &current {
        slugs.push(article.slug.clone());
        categories.extend(article.category_id);
        tags.extend(article.tag_ids.iter().copied());
        authors.extend(article.author_ids.iter().copied());
        data["live"] = json!(articles::access::is_live(article));
    }
    if let Some(slug) = changed_slug.or_else(|| current.as_ref().map(|a| a.slug.clone())) {
        data["url"] = json!(format!(
            "{}{}",
            config.public_url,
            article_path(config, &kind, &slug)
        ));
        data["slug"] = json!(slug);
    }
    paths.extend(slugs.iter().map(|slug| article_path(config, &kind, slug)));
    let related = [
        (
            articles::queries::embeddable_categories(conn, &categories)?,
            &config.category_path,
        ),
        (
            articles::queries::embeddable_tags(conn, &tags)?,
            &config.tag_path,
        ),
        (
            articles::queries::embeddable_authors(conn, &authors)?,
            &config.author_path,
        ),
    ];
    for (rows, pattern) in related {
        paths.extend(
            rows.iter()
                .filter_map(|(_, row)| row["slug"].as_str())
                .map(|slug| fill(pattern, slug)),
        );
    }
    paths.extend(["/", "/sitemap.xml", "/feed.xml"].map(String::from));
    current
        .map(|article| {
            ArticleView::full(article)
                .into_value()
                .map_err(ApiError::internal)
        })
        .transpose()
}

/// Live articles that show an image (as cover or in the body): their pages change with it.
fn pages_showing_image(
    conn: &mut PgConnection,
    config: &Config,
    image: Uuid,
) -> QueryResult<Vec<String>> {
    let rows: Vec<(String, String)> = articles_table::table
        .filter(
            articles_table::cover_image_id
                .eq(image)
                .or(articles_table::body_image_ids.contains(vec![Some(image)])),
        )
        .filter(articles_table::deleted_at.is_null())
        .select((articles_table::kind, articles_table::slug))
        .limit(100)
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(kind, slug)| article_path(config, &kind, &slug))
        .collect())
}

/// Any other resource as its own `GET` shows it now (editors' view where readers see less).
fn other(
    conn: &mut PgConnection,
    config: &Config,
    group: &ChangeGroup<'_>,
    paths: &mut BTreeSet<String>,
) -> Result<Option<Value>, ApiError> {
    let media = config.media_url.as_str();
    let Some(id) = group.resource_id() else {
        return if group.resource() == "site" {
            let settings = site::queries::find(conn)?;
            json_of(SiteView::new(settings, None))
        } else {
            Ok(None)
        };
    };
    let found = match group.resource() {
        "author" => authors::queries::find(conn, &Key::Id(id)).map(|author| {
            paths.insert(fill(&config.author_path, &author.slug));
            let count = authors::queries::article_count(conn, id).unwrap_or_default();
            serde_json::to_value(AuthorView::new(author, count))
        }),
        "category" => categories::queries::find(conn, &Key::Id(id)).map(|category| {
            paths.insert(fill(&config.category_path, &category.slug));
            let count = categories::queries::article_count(conn, id).unwrap_or_default();
            serde_json::to_value(CategoryView::new(category, count))
        }),
        "tag" => tags::queries::find(conn, &Key::Id(id)).map(|tag| {
            paths.insert(fill(&config.tag_path, &tag.slug));
            let count = tags::queries::article_count(conn, id).unwrap_or_default();
            serde_json::to_value(TagView::new(tag, count))
        }),
        "image" => images::queries::find(conn, id).and_then(|image| {
            paths.extend(pages_showing_image(conn, config, id).unwrap_or_default());
            let views = images::views(conn, vec![image], media)?;
            Ok(serde_json::to_value(views.first()))
        }),
        "carousel" => return gone_is_none(carousels::staff_view_of(conn, id, media)),
        "slide" => {
            let carousel = carousels::queries::find_slide(conn, id)
                .map(|slide| slide.carousel_id)
                .ok()
                .or_else(|| {
                    group
                        .before("carousel_id")
                        .and_then(Value::as_str)
                        .and_then(|c| c.parse().ok())
                });
            return match carousel {
                Some(carousel) => gone_is_none(carousels::staff_view_of(conn, carousel, media)),
                None => Ok(None),
            };
        }
        "recommendation" => recommendations::queries::find(conn, id).map(|(r, target)| {
            if let Some(source) = r.source_article_id
                && let Ok(Lookup::Found(article)) = articles::queries::find(conn, &Key::Id(source))
            {
                paths.insert(article_path(config, &article.kind, &article.slug));
            }
            serde_json::to_value(RecommendationView::new(r, target))
        }),
        "link" => links::queries::find(conn, id)
            .map(|link| serde_json::to_value(LinkView::new(link, true))),
        "user" => {
            users::queries::find(conn, id).map(|user| serde_json::to_value(UserView::from(user)))
        }
        // A hook's extra headers may hold another system's token: receivers get their names.
        "webhook" => crate::webhooks::queries::find(conn, id).map(|hook| {
            let mut view = crate::webhooks::dto::WebhookView::from(hook);
            view.headers
                .values_mut()
                .for_each(|value| *value = "(hidden)".into());
            serde_json::to_value(view)
        }),
        _ => return Ok(None),
    };
    match found {
        Ok(value) => value.map(Some).map_err(ApiError::internal),
        // Gone since (a later transaction deleted it): that transaction has its own event.
        Err(diesel::result::Error::NotFound) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// A resource deleted since the change (by a later transaction, which has its own event) has
/// no object.
fn gone_is_none(view: Result<Value, ApiError>) -> Result<Option<Value>, ApiError> {
    match view {
        Ok(value) => Ok(Some(value)),
        Err(ApiError::NotFound(_)) => Ok(None),
        Err(other) => Err(other),
    }
}

fn json_of(view: impl serde::Serialize) -> Result<Option<Value>, ApiError> {
    serde_json::to_value(view)
        .map(Some)
        .map_err(ApiError::internal)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(seq: i64, tx: i64, resource: &str, id: u128, action: &str) -> Change {
        Change {
            id: seq,
            seq: Some(seq),
            tx,
            at: Utc::now(),
            actor_type: "system".into(),
            actor_id: None,
            resource: resource.into(),
            resource_id: Some(Uuid::from_u128(id)),
            action: action.into(),
            changes: json!({}),
        }
    }

    #[test]
    fn one_transaction_on_one_resource_is_one_event() {
        let changes = vec![
            change(1, 10, "article", 1, "created"),
            change(2, 10, "article", 1, "updated"),
            change(3, 10, "image", 2, "updated"),
            change(4, 11, "article", 1, "published"),
            change(5, 12, "article", 1, "updated"),
            change(6, 12, "article", 1, "trashed"),
        ];
        let events: Vec<String> = group(&changes).iter().map(ChangeGroup::event).collect();
        assert_eq!(
            events,
            [
                "article.created",
                "image.updated",
                "article.published",
                "article.trashed"
            ]
        );
    }

    #[test]
    fn an_article_created_live_is_created_then_published() {
        let with_status = |mut change: Change, status: &str| {
            change.changes = json!({"status": {"after": status}});
            change
        };
        let changes = vec![
            with_status(change(1, 10, "article", 1, "created"), "published"),
            with_status(change(2, 11, "article", 2, "created"), "scheduled"),
            with_status(change(3, 12, "article", 3, "created"), "draft"),
            change(4, 13, "article", 4, "created"),
            with_status(change(5, 13, "article", 4, "published"), "published"),
            with_status(change(6, 14, "author", 5, "created"), "published"),
        ];
        let events: Vec<Vec<String>> = group(&changes).iter().map(ChangeGroup::events).collect();
        assert_eq!(
            events,
            [
                vec!["article.created", "article.published"],
                vec!["article.created"],
                vec!["article.created"],
                vec!["article.created", "article.published"],
                vec!["author.created"],
            ]
        );
    }

    #[test]
    fn an_article_change_outside_its_workflow_is_an_update() {
        let changes = vec![
            change(1, 10, "article", 1, "scheduled"),
            change(2, 11, "article", 1, "slug_changed"),
            change(3, 12, "article", 1, "deleted"),
        ];
        let events: Vec<String> = group(&changes).iter().map(ChangeGroup::event).collect();
        assert_eq!(
            events,
            ["article.updated", "article.updated", "article.deleted"]
        );
    }
}
