//! Full-text search that understands Chinese: an embedded tantivy index per process, made
//! with the project's jieba segmentation and kept current from the change log.

pub mod analysis;
pub mod dto;
pub mod engine;
mod handlers;
pub mod indexer;
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

/// The longest a search waits for the index to hold a write the caller may just have made.
const WRITE_WAIT: std::time::Duration = std::time::Duration::from_secs(2);

/// Read-your-writes: when the caller is staff (whose write may have gone through any process)
/// or this process has answered a write since the index last caught up, waits (at most
/// [`WRITE_WAIT`]) for the index to apply every change committed so far. Anonymous reads
/// otherwise take the index as it is, at most about a second behind.
fn wait_for_writes(
    conn: &mut diesel::PgConnection,
    index: &indexer::SearchIndex,
    staff: bool,
) -> Result<(), crate::error::ApiError> {
    if index.take_pending_write(staff) {
        let latest = crate::changes::queries::latest(conn)?;
        if !index.wait_for(latest, WRITE_WAIT) {
            index.keep_pending_write();
        }
    }
    Ok(())
}

/// This process's index for a query: 503 while it catches up with the database, and holding
/// the caller's writes (see [`wait_for_writes`]) once it has.
pub fn caught_up<'a>(
    conn: &mut diesel::PgConnection,
    index: &'a indexer::SearchIndex,
    staff: bool,
) -> Result<&'a engine::Opened, crate::error::ApiError> {
    let Some(opened) = index.ready() else {
        return Err(crate::error::ApiError::NotReady(
            "the search index is catching up with the database; try again shortly".into(),
        ));
    };
    wait_for_writes(conn, index, staff)?;
    Ok(opened)
}

/// The article list's `q`: the query, its terms, and (once looked up in this process's index)
/// the ids of the articles matching every word, at most [`MATCHES_CAP`] of the best.
#[derive(Clone, Default)]
pub struct Matches {
    pub query: String,
    pub terms: Vec<text::Term>,
    pub ids: Vec<uuid::Uuid>,
}

/// The most matches the article list's `q` filters by.
pub const MATCHES_CAP: usize = 10_000;

/// Only the query: it names the list's total in the count cache.
impl std::fmt::Debug for Matches {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?}", self.query)
    }
}

impl Matches {
    /// A checked query (400 as `/search` gives), not yet looked up.
    pub fn parse(q: &str) -> Result<Self, crate::error::ApiError> {
        Ok(Self {
            query: q.trim().to_owned(),
            terms: parse_query(q)?,
            ids: Vec::new(),
        })
    }

    /// Looks the query up in this process's index: what staff may see (out of the trash, or in
    /// it) or what is live.
    pub fn find(
        &mut self,
        conn: &mut diesel::PgConnection,
        state: &crate::state::AppState,
        visible: engine::Visible,
    ) -> Result<(), crate::error::ApiError> {
        use crate::error::ApiError;
        let staff = !matches!(visible, engine::Visible::Live);
        let index = caught_up(conn, &state.search, staff)?;
        self.ids = index
            .matching(
                engine::Asked {
                    terms: &self.terms,
                    raw: &self.query,
                },
                visible,
                state.clock.now(),
                MATCHES_CAP,
            )
            .map_err(ApiError::internal)?;
        Ok(())
    }
}
