//! Importing a remote picture: fetched within `MASTHEAD_OUTBOUND`, then accepted exactly like an
//! upload, with the URL it came from kept on the record. The same URL imported again gives the
//! image it gave the first time, without fetching anything.

use actix_web::web;
use uuid::Uuid;

use crate::{
    db,
    error::{ApiError, FieldCode},
    images::{
        handlers::Texts,
        model::Image,
        pictures::{self, Pictures},
        process::{self, Refusal},
        queries,
        remote::{self, FetchError},
    },
    state::AppState,
};

/// What an import gave.
pub struct Imported {
    pub image: Image,
    pub pictures: Pictures,
    /// False when the URL had been imported before.
    pub created: bool,
}

/// Imports the picture at `url` for the account `user`; refusals are 422s about `field`.
pub async fn import(
    state: &AppState,
    user: Uuid,
    field: &str,
    url: &str,
    texts: Texts,
) -> Result<Imported, ApiError> {
    let outbound = state.config.outbound.clone();
    let url = outbound
        .check_url(url.trim())
        .map_err(|e| ApiError::field(field, FieldCode::Invalid, e.to_string()))?;
    let source = url.to_string();
    let media_url = state.config.media_url.clone();
    let (earlier, pictures) = {
        let source = source.clone();
        db::run(&state.pool, move |conn| {
            Ok((
                queries::imported_from(conn, &source)?,
                pictures::load(conn, &media_url)?,
            ))
        })
        .await?
    };
    if let Some(image) = earlier {
        return Ok(Imported {
            image,
            pictures,
            created: false,
        });
    }
    let media = state.media.clone();
    let agent = state.import_agent.clone();
    let limit = state.config.max_upload_bytes;
    let fetched = web::block(move || {
        let spool_dir = media.storage.spool_dir().map_err(FetchError::Spool)?;
        remote::fetch(&outbound, &agent, url, limit, spool_dir)
    })
    .await
    .map_err(ApiError::internal)?;
    let file = match fetched {
        Ok(file) => file,
        Err(FetchError::Spool(error)) => return Err(ApiError::internal(error)),
        Err(error) => {
            return Err(ApiError::field(
                field,
                FieldCode::Invalid,
                format!("could not import {source}: {error}"),
            ));
        }
    };
    let format = process::sniff(&file.head, file.claims_image).map_err(|refusal| {
        let (Refusal::Unsupported(message) | Refusal::Invalid(message)) = refusal;
        ApiError::field(field, FieldCode::Invalid, format!("{source}: {message}"))
    })?;
    let id = Uuid::now_v7();
    let sha256 = file.sha256.clone();
    let fetched_sha = sha256.clone();
    let record_source = source.clone();
    let image = state
        .media
        .accept(
            &state.pool,
            file,
            format,
            pictures.variant_watermark().cloned(),
            move |stored| texts.into_record(id, sha256, stored, Some(user), Some(record_source)),
        )
        .await
        .map_err(|error| match error {
            // A picture that is broken or too large is the URL's problem, not the request's file.
            ApiError::Validation(errors) => ApiError::field(
                field,
                FieldCode::Invalid,
                format!(
                    "{source}: {}",
                    errors
                        .iter()
                        .map(|e| e.message.as_str())
                        .collect::<Vec<_>>()
                        .join("; ")
                ),
            ),
            other => other,
        })?;
    let created = image.id == id;
    if !created && image.sha256 != fetched_sha {
        // Another import of the URL won the race with other bytes: these files are nobody's.
        state.media.remove_unused(&state.pool, &fetched_sha).await?;
    }
    Ok(Imported {
        image,
        pictures,
        created,
    })
}
