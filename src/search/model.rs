//! What the index is made from, shared by the indexer and the queries.

use chrono::{DateTime, Utc};
use uuid::Uuid;

/// What the index needs of an article: its words, and what filters and the visibility rule
/// look at.
#[derive(Debug, Clone)]
pub struct Source {
    pub id: Uuid,
    pub title: String,
    pub subtitle: Option<String>,
    pub excerpt: String,
    pub body_text: String,
    pub tag_ids: Vec<Uuid>,
    pub author_ids: Vec<Uuid>,
    pub category_id: Option<Uuid>,
    pub status: String,
    pub kind: String,
    pub locale: String,
    pub published_at: Option<DateTime<Utc>>,
    pub unpublish_at: Option<DateTime<Utc>>,
    pub trashed: bool,
}
