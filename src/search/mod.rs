//! Full-text search that understands Chinese: jieba segments the text at write time into a
//! weighted `tsvector`, queries are segmented the same way, and trigrams catch misspellings.

pub mod dto;
mod handlers;
mod idf;
pub mod index;
pub mod model;
pub mod queries;
pub mod text;

use utoipa_actix_web::service_config::ServiceConfig;

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(handlers::search_articles);
}

/// The most characters a query may have.
const QUERY_MAX_CHARS: usize = 200;

/// A query's terms, or a 400 when it is empty, too long, or holds nothing to search for (only
/// punctuation or stop-words): like any bad query parameter.
pub fn parse_query(q: &str) -> Result<Vec<text::Term>, crate::error::ApiError> {
    use crate::error::ApiError;
    // The length is of the query as sent, as the OpenAPI document states it.
    if q.chars().count() > QUERY_MAX_CHARS {
        return Err(ApiError::BadRequest(format!(
            "q: at most {QUERY_MAX_CHARS} characters"
        )));
    }
    let q = q.trim();
    if q.is_empty() {
        return Err(ApiError::BadRequest(
            "q: give the words to search for".into(),
        ));
    }
    let terms = text::query_terms(q);
    if terms.is_empty() {
        return Err(ApiError::BadRequest(
            "q: has no words to search for, only punctuation or words too common to search".into(),
        ));
    }
    Ok(terms)
}
