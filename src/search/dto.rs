//! Search on the wire.

use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::articles::dto::ArticleView;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchParams {
    /// What to look for, in Chinese or other languages; words are found wherever they are in
    /// the title, subtitle, tags, excerpt or body. Required; 1 to 200 characters.
    #[param(example = "养老服务")]
    pub q: Option<String>,
    /// Staff only: draft, scheduled, published or archived. Others always search live articles.
    pub status: Option<String>,
    #[param(minimum = 1)]
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
