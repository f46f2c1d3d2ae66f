//! The closed list of event names hooks subscribe to, and how a subscription matches them.

use utoipa::{
    PartialSchema, ToSchema,
    openapi::{
        RefOr, Schema,
        schema::{ObjectBuilder, SchemaType, Type},
    },
};

/// Every kind of resource the change log records, by its event prefix.
pub const RESOURCES: [&str; 13] = [
    "article",
    "author",
    "category",
    "tag",
    "image",
    "carousel",
    "slide",
    "recommendation",
    "link",
    "site",
    "user",
    "api_key",
    "webhook",
];

/// What an article's own workflow fires besides `created`, `updated` and `deleted`.
pub const ARTICLE_TRANSITIONS: [&str; 5] = [
    "published",
    "unpublished",
    "archived",
    "trashed",
    "restored",
];

/// Sent by `POST /webhooks/{id}/ping` only; nothing subscribes to it.
pub const PING: &str = "ping";

/// Every event name, in a stable order.
pub fn names() -> Vec<String> {
    let mut names = Vec::new();
    for resource in RESOURCES {
        if resource == "site" {
            // The site's settings always exist: they are only ever updated.
            names.push("site.updated".to_owned());
            continue;
        }
        for action in ["created", "updated", "deleted"] {
            names.push(format!("{resource}.{action}"));
        }
        if resource == "article" {
            names.extend(ARTICLE_TRANSITIONS.iter().map(|t| format!("article.{t}")));
        }
    }
    names
}

/// Every subscription a hook may list: an event name, `resource.*`, or `*`.
pub fn patterns() -> Vec<String> {
    let mut patterns = vec!["*".to_owned()];
    patterns.extend(RESOURCES.iter().map(|r| format!("{r}.*")));
    patterns.extend(names());
    patterns
}

pub fn is_pattern(value: &str) -> bool {
    value == "*"
        || value
            .strip_suffix(".*")
            .is_some_and(|resource| RESOURCES.contains(&resource))
        || names().iter().any(|name| name == value)
}

/// Whether a hook subscribed to `patterns` receives `event`.
pub fn subscribed(patterns: &[String], event: &str) -> bool {
    let resource = event.split('.').next().unwrap_or_default();
    patterns.iter().any(|pattern| {
        pattern == "*"
            || pattern == event
            || pattern
                .strip_suffix(".*")
                .is_some_and(|prefix| prefix == resource)
    })
}

/// An event name or a wildcard, as listed in a hook's `events`.
pub struct EventPattern;

impl PartialSchema for EventPattern {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(SchemaType::Type(Type::String))
            .description(Some(
                "An event (`article.published`), every event of a resource (`image.*`), or \
                 every event (`*`)",
            ))
            .enum_values(Some(patterns()))
            .into()
    }
}

impl ToSchema for EventPattern {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards_cover_a_resource_or_everything() {
        let image = ["image.*".to_owned()];
        assert!(subscribed(&image, "image.deleted"));
        assert!(!subscribed(&image, "article.published"));
        assert!(subscribed(&["*".to_owned()], "site.updated"));
        let exact = ["article.published".to_owned()];
        assert!(subscribed(&exact, "article.published"));
        assert!(!subscribed(&exact, "article.updated"));
    }

    #[test]
    fn only_listed_names_and_wildcards_are_patterns() {
        for good in [
            "*",
            "article.*",
            "article.trashed",
            "site.updated",
            "api_key.created",
        ] {
            assert!(is_pattern(good), "{good}");
        }
        for bad in [
            "",
            "article",
            "article.*.*",
            "site.created",
            "tag.published",
            "x.*",
            "**",
        ] {
            assert!(!is_pattern(bad), "{bad}");
        }
    }
}
