//! Forgets what is older than its retention: changes, sign-in records, finished deliveries.

use std::time::Duration;

use actix_web::web;

use crate::{audit, db, state::AppState, webhooks};

/// Pruning is a daily chore; hourly keeps each run small.
const INTERVAL: Duration = Duration::from_secs(60 * 60);

pub async fn run(state: web::Data<AppState>) {
    let mut ticks = actix_web::rt::time::interval(INTERVAL);
    loop {
        ticks.tick().await;
        if let Err(error) = prune(&state).await {
            tracing::warn!(%error, "could not prune the change log");
        }
    }
}

/// One pruning pass; returns how many changes, sign-in records and deliveries went.
pub async fn prune(state: &AppState) -> Result<(usize, usize, usize), crate::error::ApiError> {
    let now = state.clock.now();
    let changes_before = now - state.config.change_log_retention;
    let audit_before = now - state.config.audit_retention;
    let pruned = db::run(&state.pool, move |conn| {
        Ok((
            super::queries::prune(conn, changes_before)?,
            audit::queries::prune(conn, audit_before)?,
            webhooks::queries::prune(conn, changes_before)?,
        ))
    })
    .await?;
    if pruned != (0, 0, 0) {
        tracing::info!(
            changes = pruned.0,
            sign_ins = pruned.1,
            deliveries = pruned.2,
            "pruned"
        );
    }
    Ok(pruned)
}
