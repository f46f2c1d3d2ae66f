//! Every route of the API in one table, read top to bottom.

use utoipa_actix_web::{scope, service_config::ServiceConfig};

use crate::{
    api_keys, articles, audit, authors, carousels, categories, images, links, recommendations,
    search, sessions, site, sitefiles, tags, users, webhooks,
};

/// The documented API under `/api/v1`, and the site files at the root (`/sitemap.xml`, …).
/// Operations routes (`/healthz`, `/metrics`, …) are added by the app builder, outside the
/// document.
pub fn api(cfg: &mut ServiceConfig) {
    cfg.service(
        scope::scope("/api/v1")
            .configure(sessions::routes)
            .configure(users::routes)
            .configure(api_keys::routes)
            .configure(articles::routes)
            .configure(authors::routes)
            .configure(images::routes)
            .configure(carousels::routes)
            .configure(links::routes)
            .configure(categories::routes)
            .configure(tags::routes)
            .configure(search::routes)
            .configure(recommendations::routes)
            .configure(site::routes)
            .configure(webhooks::routes)
            .configure(audit::routes),
    )
    .configure(sitefiles::routes);
}
