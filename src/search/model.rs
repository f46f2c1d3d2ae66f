//! What the index is made from and what it holds, shared by the indexer and the queries.

use uuid::Uuid;

use crate::articles::model::Article;

/// What the index needs of an article.
#[derive(Debug, Clone)]
pub struct Source {
    pub id: Uuid,
    pub title: String,
    pub subtitle: Option<String>,
    pub excerpt: String,
    pub body_text: String,
    pub tag_ids: Vec<Uuid>,
}

impl From<&Article> for Source {
    fn from(a: &Article) -> Self {
        Self {
            id: a.id,
            title: a.title.clone(),
            subtitle: a.subtitle.clone(),
            excerpt: a.excerpt.clone(),
            body_text: a.body_text.clone(),
            tag_ids: a.tag_ids.clone(),
        }
    }
}

/// One article's row of the index, segmented; PostgreSQL builds the `tsvector` from it.
#[derive(Debug, Clone)]
pub struct Entry {
    pub id: Uuid,
    pub title: String,
    pub secondary: String,
    pub excerpt: String,
    pub body: String,
    /// Space-separated.
    pub keywords: String,
    pub plain: String,
}
