use std::collections::HashMap;

use actix_web::{HttpResponse, http::header, post, web};

use crate::{
    auth::{AuthUser, min},
    error::ApiError,
    extract::Json,
    images::{
        dto::{ImageView, ImportImage},
        handlers::Texts,
        import,
    },
    openapi::{Restricted, WithBody},
    state::AppState,
};

/// Import a remote picture.
///
/// Authors and up. Masthead fetches the `http(s)` URL itself, into its own storage, with every
/// check of an upload (the type from the content, the size and pixel limits), and keeps the URL
/// as `source_url`. It calls only addresses `MASTHEAD_OUTBOUND` allows, checked on what the
/// name resolves to and again for each redirect (at most 3), and gives up after 10 s. A URL
/// already imported gives the image it gave then (`200`), without fetching again.
#[utoipa::path(
    tag = "images",
    request_body = ImportImage,
    responses(
        (status = 201, description = "The new image", body = ImageView,
            headers(("Location" = String, description = "The image's URL"))),
        (status = 200, description = "The image imported from this URL before", body = ImageView),
        Restricted, WithBody,
    ),
    security(("bearer" = [])),
)]
#[post("/images/import")]
pub async fn import_image(
    user: AuthUser<min::Author>,
    state: web::Data<AppState>,
    Json(body): Json<ImportImage>,
) -> Result<HttpResponse, ApiError> {
    let text: HashMap<String, String> = [
        ("alt", body.alt),
        ("caption", body.caption),
        ("credit", body.credit),
        ("title", body.title),
    ]
    .into_iter()
    .filter_map(|(name, value)| Some((name.to_owned(), value?)))
    .collect();
    let texts = Texts::check(&text)?;
    let imported = import::import(&state, user.id, "url", &body.url, texts).await?;
    let location = format!("/api/v1/images/{}", imported.image.id);
    let view = ImageView::new(imported.image, &imported.pictures);
    Ok(if imported.created {
        HttpResponse::Created()
            .insert_header((header::LOCATION, location))
            .json(view)
    } else {
        HttpResponse::Ok().json(view)
    })
}
