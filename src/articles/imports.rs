//! `import_images=true` on article writes: the body's remote pictures copied into the library
//! before the write, and the body pointed at them. A picture that cannot be imported keeps its
//! URL and is reported; the write goes on.

use std::collections::HashMap;

use uuid::Uuid;

use crate::{
    articles::dto::ImportError,
    error::ApiError,
    images::{self, Texts, model::ALT_MAX_CHARS},
    state::AppState,
    text::{fields, markdown},
};

/// More remote pictures than this in one body are reported, not fetched: one request must not
/// keep the server calling out for minutes.
pub const MAX_IMPORTS: usize = 20;

/// `body` with its remote pictures imported and replaced by `image:<id>`, and the failures.
pub async fn import_images(
    state: &AppState,
    user: Uuid,
    body: &str,
) -> Result<(String, Vec<ImportError>), ApiError> {
    let mut imported: HashMap<String, Uuid> = HashMap::new();
    let mut failed: Vec<ImportError> = Vec::new();
    let mut edits = Vec::new();
    for found in markdown::remote_images(body) {
        if let Some(id) = imported.get(&found.url) {
            edits.push((found.at, format!("image:{id}")));
            continue;
        }
        if failed.iter().any(|f| f.url == found.url) {
            continue;
        }
        if imported.len() + failed.len() >= MAX_IMPORTS {
            failed.push(ImportError {
                detail: format!("not imported: at most {MAX_IMPORTS} images are imported at once"),
                url: found.url,
            });
            continue;
        }
        // Alt text that would not pass as an upload's is left out rather than failing the import.
        let alt = fields::optional_plain_text("alt", Some(&found.alt), ALT_MAX_CHARS)
            .ok()
            .flatten();
        let texts = Texts {
            title: None,
            alt,
            caption: None,
            credit: None,
        };
        match images::import::import(state, user, "body", &found.url, texts).await {
            Ok(done) => {
                edits.push((found.at, format!("image:{}", done.image.id)));
                imported.insert(found.url, done.image.id);
            }
            // The database or storage failing is the server's problem, not this picture's.
            Err(error @ (ApiError::Internal(_) | ApiError::Unavailable)) => return Err(error),
            Err(error) => failed.push(ImportError {
                detail: reason(&error),
                url: found.url,
            }),
        }
    }
    Ok((markdown::replace(body, edits), failed))
}

fn reason(error: &ApiError) -> String {
    match error {
        ApiError::Validation(errors) => errors
            .iter()
            .map(|e| e.message.as_str())
            .collect::<Vec<_>>()
            .join("; "),
        other => other.to_string(),
    }
}
