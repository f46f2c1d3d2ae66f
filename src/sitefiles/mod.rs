//! The site files at the root: `/sitemap.xml` (an index of numbered parts when large),
//! `/sitemap.txt` and `/feed.xml`. Only live content ever appears in them.

mod handlers;
pub mod queries;
mod stream;
pub mod xml;

use utoipa_actix_web::service_config::ServiceConfig;

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(handlers::read_sitemap)
        .service(handlers::read_sitemap_part)
        .service(handlers::read_sitemap_text)
        .service(handlers::read_feed);
}
