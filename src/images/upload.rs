//! Receiving a multipart upload: the file streamed to a spool file while it is hashed and
//! counted, stopping at the size limit; the text fields kept in memory, each small.

use std::{collections::HashMap, io::Write, path::PathBuf};

use actix_multipart::{Multipart, MultipartError};
use actix_web::web;
use futures_util::StreamExt;
use sha2::{Digest, Sha256};
use tempfile::NamedTempFile;

use crate::error::{ApiError, FieldCode, FieldError};

/// The text fields an upload may carry besides `file`.
pub const TEXT_FIELDS: [&str; 4] = ["alt", "caption", "credit", "title"];
/// A text part longer than this is refused without being kept.
const MAX_TEXT_PART_BYTES: usize = 16 * 1024;
/// Chunks are gathered to this size before a write, so the blocking pool is not asked for
/// every few kilobytes of network input.
const WRITE_BATCH_BYTES: usize = 256 * 1024;
/// Names that say "this is a picture".
pub const IMAGE_EXTENSIONS: [&str; 10] = [
    "jpg", "jpeg", "png", "webp", "gif", "avif", "heic", "bmp", "tif", "tiff",
];

pub struct Received {
    pub file: Spooled,
    pub text: HashMap<String, String>,
}

/// The uploaded file, on disk until dropped.
pub struct Spooled {
    pub temp: NamedTempFile,
    pub size: u64,
    pub sha256: String,
    /// The first bytes, where the type is told.
    pub head: Vec<u8>,
    /// Whether its name or part header said it is an image.
    pub claims_image: bool,
}

/// Reads the whole form. Past `max_bytes` of file it stops reading and answers 413; the rest of
/// the request is never read.
pub async fn receive(
    mut form: Multipart,
    max_bytes: u64,
    spool_dir: PathBuf,
) -> Result<Received, ApiError> {
    let mut file = None;
    let mut text = HashMap::new();
    let mut unknown = Vec::new();
    while let Some(part) = form.next().await {
        let mut part = part.map_err(multipart_error)?;
        let name = part.name().unwrap_or_default().to_owned();
        match name.as_str() {
            "file" if file.is_none() => {
                let claims_image = part
                    .content_type()
                    .is_some_and(|m| m.essence_str().starts_with("image/"))
                    || part
                        .content_disposition()
                        .and_then(|d| d.get_filename())
                        .and_then(|n| n.rsplit_once('.'))
                        .is_some_and(|(_, ext)| {
                            IMAGE_EXTENSIONS.contains(&ext.to_ascii_lowercase().as_str())
                        });
                file = Some(spool(&mut part, max_bytes, spool_dir.clone(), claims_image).await?);
            }
            "file" => {
                return Err(ApiError::field(
                    "file",
                    FieldCode::Invalid,
                    "send one file per upload",
                ));
            }
            field if TEXT_FIELDS.contains(&field) => {
                if text.contains_key(field) {
                    return Err(ApiError::field(field, FieldCode::Invalid, "send it once"));
                }
                let mut value = Vec::new();
                while let Some(chunk) = part.next().await {
                    let chunk = chunk.map_err(multipart_error)?;
                    if value.len() + chunk.len() > MAX_TEXT_PART_BYTES {
                        return Err(ApiError::field(
                            field,
                            FieldCode::TooLong,
                            format!("at most {MAX_TEXT_PART_BYTES} bytes"),
                        ));
                    }
                    value.extend_from_slice(&chunk);
                }
                let value = String::from_utf8(value).map_err(|_| {
                    ApiError::field(field, FieldCode::Invalid, "must be UTF-8 text")
                })?;
                text.insert(field.to_owned(), value);
            }
            other => {
                unknown.push(FieldError::new(
                    if other.is_empty() { "(unnamed)" } else { other },
                    FieldCode::UnknownField,
                    format!(
                        "unknown field; an upload takes file, {}",
                        TEXT_FIELDS.join(", ")
                    ),
                ));
                // Drained, not kept: it is bounded by the server's connection limits.
                while let Some(chunk) = part.next().await {
                    chunk.map_err(multipart_error)?;
                }
            }
        }
    }
    if !unknown.is_empty() {
        return Err(ApiError::Validation(unknown));
    }
    let file = file
        .ok_or_else(|| ApiError::field("file", FieldCode::Required, "the image file is missing"))?;
    if file.size == 0 {
        return Err(ApiError::field(
            "file",
            FieldCode::Invalid,
            "the file is empty",
        ));
    }
    Ok(Received { file, text })
}

async fn spool(
    part: &mut actix_multipart::Field,
    max_bytes: u64,
    spool_dir: PathBuf,
    claims_image: bool,
) -> Result<Spooled, ApiError> {
    let temp = web::block(move || NamedTempFile::new_in(spool_dir))
        .await
        .map_err(ApiError::internal)?
        .map_err(ApiError::internal)?;
    let mut temp = Some(temp);
    let mut hasher = Sha256::new();
    let mut size = 0u64;
    let mut head = Vec::with_capacity(64);
    let mut batch = Vec::with_capacity(WRITE_BATCH_BYTES);
    while let Some(chunk) = part.next().await {
        let chunk = chunk.map_err(multipart_error)?;
        size += chunk.len() as u64;
        if size > max_bytes {
            return Err(ApiError::PayloadTooLarge(format!(
                "the file is larger than the {max_bytes} bytes allowed"
            )));
        }
        hasher.update(&chunk);
        if head.len() < 64 {
            let take = (64 - head.len()).min(chunk.len());
            head.extend_from_slice(&chunk[..take]);
        }
        batch.extend_from_slice(&chunk);
        if batch.len() >= WRITE_BATCH_BYTES {
            temp = Some(write(temp.take(), std::mem::take(&mut batch)).await?);
        }
    }
    let temp = write(temp.take(), batch).await?;
    Ok(Spooled {
        temp,
        size,
        sha256: hex(&hasher.finalize()),
        head,
        claims_image,
    })
}

async fn write(temp: Option<NamedTempFile>, bytes: Vec<u8>) -> Result<NamedTempFile, ApiError> {
    let mut temp = temp.ok_or_else(|| ApiError::internal("spool file lost"))?;
    web::block(move || temp.write_all(&bytes).map(|()| temp))
        .await
        .map_err(ApiError::internal)?
        .map_err(ApiError::internal)
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn multipart_error(error: MultipartError) -> ApiError {
    match error {
        MultipartError::ContentTypeMissing
        | MultipartError::ContentTypeParse
        | MultipartError::ContentTypeIncompatible => ApiError::UnsupportedMediaType(
            "send the image as multipart/form-data with a `file` part".into(),
        ),
        MultipartError::Payload(e) => ApiError::BadRequest(format!("the upload broke off: {e}")),
        other => ApiError::BadRequest(format!("the multipart body is malformed: {other}")),
    }
}
