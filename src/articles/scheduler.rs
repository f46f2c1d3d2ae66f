//! Publishes scheduled articles when their time comes, and takes them down at `unpublish_at`.

use std::time::Duration;

use actix_web::web;

use crate::{articles::queries, db, state::AppState};

/// How often due articles are looked for. Readers never wait on it: an article whose
/// `published_at` has passed is served as live already (and one whose `unpublish_at` has passed
/// is hidden already); the job makes its status say so, and records the change.
pub const INTERVAL: Duration = Duration::from_secs(10);

pub async fn run(state: web::Data<AppState>) {
    let mut ticks = actix_web::rt::time::interval(INTERVAL);
    loop {
        ticks.tick().await;
        match db::run(&state.pool, |conn| Ok(queries::publish_due(conn)?)).await {
            Ok(published) if !published.is_empty() => {
                state.cache.clear();
                tracing::info!(count = published.len(), ids = ?published, "published scheduled articles");
            }
            Ok(_) => {}
            Err(error) => tracing::warn!(%error, "could not publish scheduled articles"),
        }
        match db::run(&state.pool, |conn| Ok(queries::unpublish_due(conn)?)).await {
            Ok(archived) if !archived.is_empty() => {
                state.cache.clear();
                tracing::info!(count = archived.len(), ids = ?archived, "took down articles at their unpublish_at");
            }
            Ok(_) => {}
            Err(error) => tracing::warn!(%error, "could not take down articles"),
        }
    }
}
