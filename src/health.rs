//! Liveness and readiness for orchestrators and load balancers.

use actix_web::{HttpResponse, web};
use diesel::{RunQueryDsl, sql_query};
use serde_json::json;

use crate::{db, error::ApiError, state::AppState};

/// `GET /healthz`: the process is up. Never touches the database.
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(json!({"status": "ok"}))
}

/// `GET /readyz`: the process can serve, which means the database answers and this process's
/// search index has caught up with the change log (503 with `Retry-After` until then, so a load
/// balancer sends searches elsewhere while it builds).
pub async fn readyz(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    db::run(&state.pool, |conn| {
        sql_query("SELECT 1").execute(conn)?;
        Ok(())
    })
    .await?;
    if state.search.ready().is_none() {
        return Err(ApiError::NotReady(
            "the search index is catching up with the database".into(),
        ));
    }
    Ok(HttpResponse::Ok().json(json!({
        "status": "ready",
        "database": "ok",
        "search": {"applied_change": state.search.applied()},
    })))
}
