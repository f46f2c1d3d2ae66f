//! The files behind images: storing an upload, making the variants once, and serving them under
//! `/media/{sha256}/{name}`.
//!
//! Storage keys: `originals/{sha256}` holds the bytes as uploaded (never served: they may carry
//! the photographer's location), `public/{sha256}/original.{ext}` the original without its
//! metadata, and `public/{sha256}/{width}.{ext}` the variants.

use std::{
    collections::HashMap,
    io::Cursor,
    sync::{Arc, Mutex},
};

use actix_web::{
    HttpRequest, HttpResponse,
    http::{StatusCode, header},
    web,
};
use futures_util::{FutureExt, future::Shared};
use image::{ImageDecoder, ImageReader, metadata::Orientation};
use tokio::sync::{Semaphore, oneshot};

use diesel::Connection;

use crate::{
    db::{self, Pool},
    error::{ApiError, FieldCode},
    images::{
        files,
        model::{Image, NewImage},
        process::{self, Decoded, Format, Refusal},
        queries,
        storage::Storage,
        upload::Spooled,
    },
    state::AppState,
};

/// Served files never change: their names are derived from the content.
const IMMUTABLE: &str = "public, max-age=31536000, immutable";

type Done = Shared<oneshot::Receiver<()>>;

pub struct Media {
    pub storage: Storage,
    /// One slot a core: decoding and resizing are CPU-bound, and each holds a whole picture in
    /// memory, so more at once would only add memory, not speed.
    decodes: Arc<Semaphore>,
    /// Variant jobs under way, by file: a request for a variant not yet made waits for its job
    /// instead of starting another.
    running: Mutex<HashMap<String, Done>>,
    max_pixels: u64,
}

/// What an upload's files measure.
#[derive(Debug, Clone)]
pub struct Stored {
    pub format: Format,
    pub width: u32,
    pub height: u32,
    pub size_bytes: u64,
    pub blurhash: String,
}

pub fn original_key(sha256: &str) -> String {
    format!("originals/{sha256}")
}

fn public_key(sha256: &str, name: &str) -> String {
    format!("public/{sha256}/{name}")
}

/// Every served file of a picture: the original and the variants.
pub fn public_names(format: Format, width: u32, height: u32) -> Vec<String> {
    let mut names = vec![format!("original.{}", format.extension())];
    names.extend(
        crate::images::dto::variant_files(
            format,
            i32::try_from(width).unwrap_or(i32::MAX),
            i32::try_from(height).unwrap_or(i32::MAX),
        )
        .map(|(w, _, f)| format!("{w}.{}", f.extension())),
    );
    names
}

impl Media {
    pub fn new(storage: Storage, max_pixels: u64) -> Self {
        let cores = std::thread::available_parallelism().map_or(2, usize::from);
        Self {
            storage,
            decodes: Arc::new(Semaphore::new(cores)),
            running: Mutex::new(HashMap::new()),
            max_pixels,
        }
    }

    /// Decodes and checks an upload, then stores the bytes as uploaded and the cleaned original.
    /// Answers as soon as those are stored; the variants are made right after, on the same
    /// decode slot, without decoding the picture again.
    async fn store(self: &Arc<Self>, spooled: Spooled, format: Format) -> Result<Stored, ApiError> {
        let permit = Arc::clone(&self.decodes)
            .acquire_owned()
            .await
            .map_err(ApiError::internal)?;
        let (answer, answered) = oneshot::channel();
        let done = self.start_job(&spooled.sha256);
        let media = Arc::clone(self);
        actix_web::rt::task::spawn_blocking(move || {
            let sha256 = spooled.sha256.clone();
            match media.first_files(&spooled, format) {
                Ok((stored, decoded)) => {
                    let _ = answer.send(Ok(stored));
                    // The spool file goes now, not after the variants.
                    drop(spooled);
                    media.write_variants(&sha256, &decoded);
                }
                Err(error) => {
                    let _ = answer.send(Err(error));
                }
            }
            media.end_job(&sha256, done);
            drop(permit);
        });
        answered.await.map_err(ApiError::internal)?
    }

    fn first_files(
        &self,
        spooled: &Spooled,
        format: Format,
    ) -> Result<(Stored, Decoded), ApiError> {
        let bytes = std::fs::read(spooled.temp.path()).map_err(ApiError::internal)?;
        let decoded = process::decode(&bytes, format, self.max_pixels).map_err(refused)?;
        drop(bytes);
        let original = original_key(&spooled.sha256);
        if self
            .storage
            .size(&original)
            .map_err(ApiError::internal)?
            .is_none()
        {
            self.storage
                .put_file(&original, spooled.temp.path())
                .map_err(ApiError::internal)?;
        }
        let name = format!("original.{}", format.extension());
        self.storage
            .put(&public_key(&spooled.sha256, &name), &decoded.cleaned)
            .map_err(ApiError::internal)?;
        let stored = Stored {
            format,
            width: decoded.width(),
            height: decoded.height(),
            size_bytes: decoded.cleaned.len() as u64,
            blurhash: decoded.blurhash.clone(),
        };
        Ok((stored, decoded))
    }

    fn write_variants(&self, sha256: &str, decoded: &Decoded) {
        for (width, format, bytes) in process::variants(&decoded.image, decoded.format) {
            let key = public_key(sha256, &format!("{width}.{}", format.extension()));
            if let Err(error) = self.storage.put(&key, &bytes) {
                tracing::error!(%error, key, "could not store an image variant");
            }
        }
    }

    /// Registers a job for `sha256`; the returned sender, dropped, tells its waiters it ended.
    fn start_job(&self, sha256: &str) -> oneshot::Sender<()> {
        let (done, finished) = oneshot::channel();
        if let Ok(mut running) = self.running.lock() {
            running.insert(sha256.to_owned(), finished.shared());
        }
        done
    }

    fn end_job(&self, sha256: &str, done: oneshot::Sender<()>) {
        if let Ok(mut running) = self.running.lock() {
            running.remove(sha256);
        }
        drop(done);
    }

    fn job(&self, sha256: &str) -> Option<Done> {
        self.running.lock().ok()?.get(sha256).cloned()
    }

    /// Makes sure the served file `name` exists, making the variants from the stored upload if
    /// they are missing (a process stopped before its job finished, or the variants of an
    /// older version). Returns whether the file exists.
    async fn ensure(self: &Arc<Self>, sha256: &str, name: &str) -> Result<bool, ApiError> {
        let key = public_key(sha256, name);
        if self.exists(&key).await? {
            return Ok(true);
        }
        if let Some(job) = self.job(sha256) {
            let _ = job.await;
            return self.exists(&key).await;
        }
        let permit = Arc::clone(&self.decodes)
            .acquire_owned()
            .await
            .map_err(ApiError::internal)?;
        // Another request may have made it while this one waited for the slot.
        if self.exists(&key).await? {
            return Ok(true);
        }
        if let Some(job) = self.job(sha256) {
            drop(permit);
            let _ = job.await;
            return self.exists(&key).await;
        }
        let done = self.start_job(sha256);
        let media = Arc::clone(self);
        let (sha, wanted) = (sha256.to_owned(), name.to_owned());
        web::block(move || {
            let result = media.remake(&sha, &wanted);
            media.end_job(&sha, done);
            drop(permit);
            result
        })
        .await
        .map_err(ApiError::internal)?
    }

    /// Remakes the served files of `sha256` from its upload, but only when `wanted` is one of
    /// them: a request for a name the picture never has costs no decoding.
    fn remake(&self, sha256: &str, wanted: &str) -> Result<bool, ApiError> {
        let Some(bytes) = self
            .storage
            .read(&original_key(sha256))
            .map_err(ApiError::internal)?
        else {
            return Ok(false);
        };
        let Ok(format) = process::sniff(&bytes, true) else {
            return Ok(false);
        };
        let Some((width, height)) = seen_size(&bytes, format) else {
            return Ok(false);
        };
        if !public_names(format, width, height)
            .iter()
            .any(|n| n == wanted)
        {
            return Ok(false);
        }
        let Ok(decoded) = process::decode(&bytes, format, self.max_pixels) else {
            return Ok(false);
        };
        drop(bytes);
        let original = public_key(sha256, &format!("original.{}", format.extension()));
        if self
            .storage
            .size(&original)
            .map_err(ApiError::internal)?
            .is_none()
        {
            self.storage
                .put(&original, &decoded.cleaned)
                .map_err(ApiError::internal)?;
        }
        self.write_variants(sha256, &decoded);
        Ok(true)
    }

    async fn exists(self: &Arc<Self>, key: &str) -> Result<bool, ApiError> {
        let media = Arc::clone(self);
        let key = key.to_owned();
        Ok(web::block(move || media.storage.size(&key))
            .await
            .map_err(ApiError::internal)?
            .map_err(ApiError::internal)?
            .is_some())
    }

    /// Removes every file of `sha256`; called once no image record names it. The upload goes
    /// first, so no new job can start from it, and a job under way is waited for, so that it
    /// does not write variants after they were removed.
    /// Removes the files of `sha256` unless an image record or an upload still names them.
    pub async fn remove_unused(
        self: &Arc<Self>,
        pool: &Pool,
        image: &Image,
    ) -> Result<(), ApiError> {
        let Some(format) = Format::from_mime(&image.mime) else {
            return Ok(());
        };
        let sha256 = image.sha256.clone();
        if let Some(job) = self.job(&sha256) {
            let _ = job.await;
        }
        let (width, height) = (image.width.unsigned_abs(), image.height.unsigned_abs());
        let mut keys = vec![original_key(&sha256)];
        keys.extend(
            public_names(format, width, height)
                .iter()
                .map(|name| public_key(&sha256, name)),
        );
        let media = Arc::clone(self);
        db::run(pool, move |conn| {
            conn.transaction(|conn| {
                files::lock(conn, &sha256)?;
                if files::unused(conn, &sha256)? {
                    for key in keys {
                        if let Err(error) = media.storage.delete(&key) {
                            tracing::error!(%error, key, "could not remove an image file");
                        }
                    }
                }
                Ok(())
            })
        })
        .await
    }

    /// Stores an upload's files, or shares those of an earlier upload of the same bytes that are
    /// still stored, and writes the record `record` makes of them. The files stay claimed until
    /// the record is written, so deleting the last other record meanwhile cannot remove them.
    pub async fn accept(
        self: &Arc<Self>,
        pool: &Pool,
        spooled: Spooled,
        format: Format,
        record: impl FnOnce(Stored) -> Result<NewImage, ApiError> + Send + 'static,
    ) -> Result<Image, ApiError> {
        let sha256 = spooled.sha256.clone();
        let (claim, earlier) = db::run(pool, move |conn| {
            conn.transaction(|conn| {
                files::lock(conn, &sha256)?;
                Ok((
                    files::claim(conn, &sha256)?,
                    queries::same_file(conn, &sha256)?,
                ))
            })
        })
        .await?;
        let written = match self.files_for(spooled, format, earlier).await {
            Ok(stored) => {
                db::run(pool, move |conn| {
                    let new = record(stored)?;
                    conn.transaction(|conn| {
                        let image = queries::insert(conn, &new)?;
                        files::let_go(conn, claim)?;
                        Ok(image)
                    })
                })
                .await
            }
            Err(error) => Err(error),
        };
        if written.is_err() {
            // A claim left behind would only keep unused files longer; it also expires.
            let _ = db::run(pool, move |conn| Ok(files::let_go(conn, claim)?)).await;
        }
        written
    }

    /// The measures of the files shared with `earlier` when they are all still stored, else
    /// those of this upload's own, stored now.
    async fn files_for(
        self: &Arc<Self>,
        spooled: Spooled,
        format: Format,
        earlier: Option<Image>,
    ) -> Result<Stored, ApiError> {
        if let Some(image) = earlier {
            let media = Arc::clone(self);
            let keys = [
                original_key(&image.sha256),
                public_key(&image.sha256, &format!("original.{}", format.extension())),
            ];
            let stored = web::block(move || -> std::io::Result<bool> {
                for key in &keys {
                    if media.storage.size(key)?.is_none() {
                        return Ok(false);
                    }
                }
                Ok(true)
            })
            .await
            .map_err(ApiError::internal)?
            .map_err(ApiError::internal)?;
            if stored {
                return Ok(Stored {
                    format,
                    width: image.width.unsigned_abs(),
                    height: image.height.unsigned_abs(),
                    size_bytes: image.size_bytes.unsigned_abs(),
                    blurhash: image.blurhash,
                });
            }
        }
        self.store(spooled, format).await
    }
}

/// The size of the picture as seen, read from its header alone.
fn seen_size(bytes: &[u8], format: Format) -> Option<(u32, u32)> {
    let image_format = image::ImageFormat::from_mime_type(format.mime())?;
    let mut decoder = ImageReader::with_format(Cursor::new(bytes), image_format)
        .into_decoder()
        .ok()?;
    let (width, height) = decoder.dimensions();
    let turned = matches!(
        decoder.orientation().unwrap_or(Orientation::NoTransforms),
        Orientation::Rotate90
            | Orientation::Rotate270
            | Orientation::Rotate90FlipH
            | Orientation::Rotate270FlipH
    );
    Some(if turned {
        (height, width)
    } else {
        (width, height)
    })
}

pub fn refused(refusal: Refusal) -> ApiError {
    match refusal {
        Refusal::Unsupported(message) => ApiError::UnsupportedMediaType(message),
        Refusal::Invalid(message) => ApiError::field("file", FieldCode::Invalid, message),
    }
}

/// `GET /media/{sha256}/{name}`: a stored file, with `ETag`, `Range` and immutable caching.
pub async fn serve(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (sha256, name) = path.into_inner();
    let Some(format) = served_format(&sha256, &name) else {
        return Err(ApiError::not_found("file"));
    };
    if !state.media.ensure(&sha256, &name).await? {
        return Err(ApiError::not_found("file"));
    }
    let etag = format!("\"{}-{name}\"", &sha256[..32]);
    let unchanged = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| crate::etag::listed(v, &etag));
    if unchanged {
        return Ok(HttpResponse::NotModified()
            .insert_header((header::ETAG, etag))
            .insert_header((header::CACHE_CONTROL, IMMUTABLE))
            .finish());
    }
    let range = req
        .headers()
        .get(header::RANGE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let media = Arc::clone(&state.media);
    let key = public_key(&sha256, &name);
    let answer = web::block(move || read(&media.storage, &key, range.as_deref()))
        .await
        .map_err(ApiError::internal)??;
    let mut response = HttpResponse::build(answer.status);
    response
        .content_type(format.mime())
        .insert_header((header::ETAG, etag))
        .insert_header((header::CACHE_CONTROL, IMMUTABLE))
        .insert_header((header::ACCEPT_RANGES, "bytes"));
    if let Some(content_range) = answer.content_range {
        response.insert_header((header::CONTENT_RANGE, content_range));
    }
    Ok(response.body(answer.bytes))
}

struct Answer {
    status: StatusCode,
    content_range: Option<String>,
    bytes: Vec<u8>,
}

/// The file, or the one range asked for. Several ranges in one request get the whole file,
/// which RFC 9110 allows and no image client needs otherwise.
fn read(storage: &Storage, key: &str, range: Option<&str>) -> Result<Answer, ApiError> {
    let not_found = || ApiError::not_found("file");
    let Some(range) = range else {
        let slice = storage.read_range(key, None).map_err(ApiError::internal)?;
        let slice = slice.ok_or_else(not_found)?;
        return Ok(Answer {
            status: StatusCode::OK,
            content_range: None,
            bytes: slice.bytes,
        });
    };
    let size = storage
        .size(key)
        .map_err(ApiError::internal)?
        .ok_or_else(not_found)?;
    let ranges = http_range_header::parse_range_header(range)
        .and_then(|parsed| parsed.validate(size))
        .map_err(|_| ApiError::RangeNotSatisfiable(size))?;
    match ranges.as_slice() {
        [one] => {
            let slice = storage
                .read_range(key, Some(one.clone()))
                .map_err(ApiError::internal)?
                .ok_or_else(not_found)?;
            Ok(Answer {
                status: StatusCode::PARTIAL_CONTENT,
                content_range: Some(format!("bytes {}-{}/{size}", one.start(), one.end())),
                bytes: slice.bytes,
            })
        }
        _ => read(storage, key, None),
    }
}

/// The type of a served file from its name, if the name is one Masthead makes.
fn served_format(sha256: &str, name: &str) -> Option<Format> {
    let hex = sha256.len() == 64
        && sha256
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
    let (stem, extension) = name.split_once('.')?;
    let format = [Format::Jpeg, Format::Png, Format::WebP, Format::Gif]
        .into_iter()
        .find(|f| f.extension() == extension)?;
    let stem_ok = stem == "original"
        || process::VARIANT_WIDTHS
            .iter()
            .any(|w| w.to_string() == stem);
    (hex && stem_ok).then_some(format)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_names_masthead_makes_are_served() {
        let sha = "a".repeat(64);
        assert_eq!(served_format(&sha, "original.jpg"), Some(Format::Jpeg));
        assert_eq!(served_format(&sha, "640.webp"), Some(Format::WebP));
        assert_eq!(served_format(&sha, "641.webp"), None);
        assert_eq!(served_format(&sha, "original.jpeg"), None);
        assert_eq!(served_format(&sha, "../original.jpg"), None);
        assert_eq!(served_format(&"A".repeat(64), "original.jpg"), None);
        assert_eq!(served_format("abc", "original.jpg"), None);
    }

    #[test]
    fn a_picture_has_its_original_and_two_files_a_width() {
        assert_eq!(
            public_names(Format::Png, 700, 500),
            vec!["original.png", "320.png", "320.webp", "640.png", "640.webp"]
        );
        assert_eq!(
            public_names(Format::WebP, 400, 300),
            vec!["original.webp", "320.webp"]
        );
    }
}
