//! Recommendations and related articles on the wire.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::{
    articles::{dto::ArticleView, model::ArticleSummary},
    extract::nullable,
    recommendations::model::Recommendation,
};

/// A curated pick.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RecommendationView {
    pub id: Uuid,
    /// `related` (picks for one article) or a site-wide list such as `editors-picks`.
    #[schema(example = "editors-picks")]
    pub slot: String,
    /// The article the picks are for; only in the `related` slot.
    pub source_article: Option<Uuid>,
    /// The recommended article's id.
    pub target_article: Uuid,
    /// From 1, in the order readers see the slot.
    #[schema(example = 1)]
    pub position: i32,
    /// An editor's note, not shown to readers by the default frontends.
    #[schema(example = "头条下方")]
    pub note: Option<String>,
    /// The recommended article's summary, as the article list shows it.
    pub article: ArticleView,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Increases with every change.
    #[schema(example = 1)]
    pub version: i32,
}

impl RecommendationView {
    pub fn new(r: Recommendation, target: ArticleSummary) -> Self {
        Self {
            id: r.id,
            slot: r.slot,
            source_article: r.source_article_id,
            target_article: r.target_article_id,
            position: r.position,
            note: r.note,
            article: ArticleView::new(target, None),
            created_at: r.created_at,
            updated_at: r.updated_at,
            version: r.version,
        }
    }
}

/// A new pick. It goes to the end of its slot unless `position` says otherwise.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateRecommendation {
    /// `related`, or a site-wide slot name: lower-case letters and digits in words joined by
    /// `-`, at most 64 characters.
    #[schema(
        example = "editors-picks",
        max_length = 64,
        pattern = r#"^[a-z0-9]+(?:-[a-z0-9]+)*$"#
    )]
    pub slot: String,
    /// Required for the `related` slot, refused for others.
    pub source_article: Option<Uuid>,
    /// The article recommended; never the source article itself.
    pub target_article: Uuid,
    /// From 1; the entries from there on move down one.
    #[schema(minimum = 1, example = 1)]
    pub position: Option<i32>,
    /// At most 500 characters of plain text.
    #[schema(max_length = 500, pattern = r#"^[^<]*(?:<(?![A-Za-z/!?])[^<]*)*$"#)]
    pub note: Option<String>,
}

/// The fields to change; absent fields stay as they are.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateRecommendation {
    /// At most 500 characters of plain text; `null` clears it.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>, max_length = 500, pattern = r#"^[^<]*(?:<(?![A-Za-z/!?])[^<]*)*$"#)]
    pub note: Option<Option<String>>,
    /// Moves the entry within its slot; the others close up.
    #[schema(minimum = 1, example = 2)]
    pub position: Option<i32>,
}

/// A slot's entries in their new order.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReorderRecommendations {
    /// `related`, or a site-wide slot name.
    #[schema(
        example = "editors-picks",
        max_length = 64,
        pattern = r#"^[a-z0-9]+(?:-[a-z0-9]+)*$"#
    )]
    pub slot: String,
    /// For the `related` slot: whose picks.
    pub source_article: Option<Uuid>,
    /// Every entry of the slot, each exactly once, first one first.
    #[schema(value_type = std::collections::BTreeSet<Uuid>)]
    pub ids: Vec<Uuid>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RecommendationFilter {
    /// Only this slot.
    #[param(example = "editors-picks")]
    pub slot: Option<String>,
    /// Only the picks for this article (id or slug).
    pub source_article: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RelatedParams {
    /// How many, 1 to 20; 6 when omitted.
    #[param(minimum = 1, maximum = 20, example = 6)]
    pub limit: Option<i64>,
}

/// An article related to another.
#[derive(Debug, Serialize, ToSchema)]
pub struct RelatedItem {
    /// The related article's summary.
    pub article: ArticleView,
    /// Why: `curated`; `tags: …` (the tags both have); `keywords: …` (the article's keywords
    /// that the related one mentions); or `category`.
    #[schema(example = "keywords: 养老, 服务")]
    pub reason: String,
    /// Higher is more related; curated picks come first whatever their score.
    #[schema(example = 4.2)]
    pub score: f32,
}
