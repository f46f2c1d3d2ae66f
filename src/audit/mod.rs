//! The audit trail: who changed what and when (the change log), and who signed in.

pub mod dto;
mod handlers;
pub mod queries;

use utoipa_actix_web::service_config::ServiceConfig;

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(handlers::list_audit);
}
