//! Every route of the API in one table, read top to bottom.

use utoipa_actix_web::{scope, service_config::ServiceConfig};

use crate::{api_keys, articles, auth, authors, categories, images, site, sitefiles, tags, users};

/// The documented API under `/api/v1`, and the site files at the root (`/sitemap.xml`, …).
/// Operations routes (`/healthz`, `/metrics`, …) are added by the app builder, outside the
/// document.
pub fn api(cfg: &mut ServiceConfig) {
    cfg.service(
        scope::scope("/api/v1")
            .configure(auth::routes)
            .configure(users::routes)
            .configure(api_keys::routes)
            .configure(articles::routes)
            .configure(authors::routes)
            .configure(images::routes)
            .configure(categories::routes)
            .configure(tags::routes)
            .configure(site::routes),
    )
    .configure(sitefiles::routes);
}
