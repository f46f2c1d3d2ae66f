//! Search on the wire.

use serde::{Deserialize, Serialize};
use utoipa::{
    IntoParams, ToSchema,
    openapi::{Object, ObjectBuilder, Type},
};

use crate::articles::{dto::ArticleView, model::Kind};

/// What `status` takes (`handlers::parse_status`). The schema carries the description: with
/// `schema_with`, utoipa leaves out the field's doc comment.
fn status_filter() -> Object {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .description(Some(
            "Staff only: draft, scheduled, published or archived. Others always search live \
             articles.",
        ))
        .enum_values(Some(["draft", "scheduled", "published", "archived"]))
        .build()
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchParams {
    /// What to look for, in Chinese or other languages; words are found wherever they are in
    /// the title, subtitle, tags, excerpt or body. 1 to 200 characters; a query of nothing but
    /// punctuation or words too common to search is refused (400).
    #[param(
        example = "养老服务",
        required = true,
        max_length = 200,
        pattern = r#"^[\t-\r \x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*[^\t-\r \x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]"#
    )]
    pub q: Option<String>,
    #[param(schema_with = status_filter)]
    pub status: Option<String>,
    /// Only articles of this category (id or slug).
    pub category: Option<String>,
    /// Only articles with this tag (id or slug).
    pub tag: Option<String>,
    /// Only articles by this author (id or slug).
    pub author: Option<String>,
    /// Only articles in this locale.
    #[param(example = "zh-CN")]
    pub locale: Option<String>,
    pub kind: Option<Kind>,
    /// Only articles published at or after this time (RFC 3339).
    #[param(format = DateTime)]
    pub published_after: Option<String>,
    /// Only articles published before this time (RFC 3339).
    #[param(format = DateTime)]
    pub published_before: Option<String>,
    #[param(minimum = 1, maximum = 1000000)]
    pub page: Option<i64>,
    #[param(minimum = 1, maximum = 100)]
    pub per_page: Option<i64>,
}

/// One search result.
#[derive(Debug, Serialize, ToSchema)]
pub struct SearchHit {
    /// The article's summary, as the article list shows it.
    pub article: ArticleView,
    /// A piece of the body (or else the excerpt, or the title) around the first match,
    /// HTML-escaped, with `<mark>` around the words that matched.
    #[schema(example = "……全市新建社区<mark>养老</mark><mark>服务</mark>中心12家……")]
    pub snippet: String,
    /// Relevance from 0 to 1; title matches weigh most.
    #[schema(example = 0.87)]
    pub score: f32,
}
