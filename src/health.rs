//! Liveness and readiness for orchestrators and load balancers.

use actix_web::{HttpResponse, web};
use diesel::{RunQueryDsl, sql_query};
use serde_json::json;

use crate::{db, error::ApiError, state::AppState};

/// `GET /healthz`: the process is up. Never touches the database.
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(json!({"status": "ok"}))
}

/// `GET /readyz`: the process can serve, which means the database answers.
pub async fn readyz(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    db::run(&state.pool, |conn| {
        sql_query("SELECT 1").execute(conn)?;
        Ok(())
    })
    .await?;
    Ok(HttpResponse::Ok().json(json!({"status": "ready", "database": "ok"})))
}
