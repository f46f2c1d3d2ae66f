//! The files behind images: storing an upload, making the variants and the presets' files once,
//! and serving them under `/media/{sha256}/{name}`.
//!
//! Storage keys: `originals/{sha256}` holds the bytes as uploaded (never served: they may carry
//! the photographer's location), `public/{sha256}/original.{ext}` the original without its
//! metadata, `public/{sha256}/{width}.{ext}` the variants (`{width}_w{fingerprint}.{ext}` with
//! the watermark), and beside them the presets' and transforms' files named in
//! [`presets::Derived`].

use std::{
    collections::HashMap,
    io::Cursor,
    sync::{Arc, Mutex},
};

use actix_web::FromRequest;
use actix_web::{
    HttpRequest, HttpResponse,
    http::{StatusCode, header},
    web,
};
use futures_util::{FutureExt, future::Shared};
use hmac::{Hmac, Mac};
use image::{ImageDecoder, ImageReader, metadata::Orientation};
use sha2::Sha256;
use tokio::sync::{Semaphore, oneshot};

use diesel::Connection;

use crate::{
    auth::{AuthUser, min},
    db::{self, Pool},
    error::{ApiError, FieldCode},
    images::{
        files,
        model::{Image, NewImage},
        pictures,
        presets::{Derived, Watermark},
        process::{self, Decoded, Format, Refusal, Stamp},
        queries,
        storage::Storage,
        upload::Spooled,
    },
    state::AppState,
};

/// Served files never change: their names are derived from the content.
const IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// A clean original behind a watermark: no shared cache may keep it for others.
const STAFF_ONLY: &str = "private, no-store";

type Done = Shared<oneshot::Receiver<()>>;

pub struct Media {
    pub storage: Storage,
    /// One slot a core: decoding and resizing are CPU-bound, and each holds a whole picture in
    /// memory, so more at once would only add memory, not speed.
    decodes: Arc<Semaphore>,
    /// Jobs under way: the variants by upload hash, a preset's files by hash and crop. A
    /// request for a file not yet made waits for its job instead of starting another.
    running: Mutex<HashMap<String, Done>>,
    max_pixels: u64,
    /// Signs transform URLs; derived from the token secret, so it needs no setting of its own.
    transforms: Hmac<Sha256>,
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

/// The original and the variants of a picture, the variants with the watermark `mark`
/// (a fingerprint) in their names when they carry it.
pub fn public_names(format: Format, width: u32, height: u32, mark: Option<&str>) -> Vec<String> {
    let mut names = vec![format!("original.{}", format.extension())];
    names.extend(
        crate::images::dto::variant_files(
            format,
            i32::try_from(width).unwrap_or(i32::MAX),
            i32::try_from(height).unwrap_or(i32::MAX),
        )
        .map(|(w, _, f)| variant_name(w.unsigned_abs(), mark, f)),
    );
    names
}

fn variant_name(width: u32, mark: Option<&str>, format: Format) -> String {
    match mark {
        Some(fingerprint) => format!("{width}_w{fingerprint}.{}", format.extension()),
        None => format!("{width}.{}", format.extension()),
    }
}

/// The variants' watermark, ready to draw, with its fingerprint.
type VariantMark = Option<(Arc<Stamp>, String)>;

impl Media {
    pub fn new(storage: Storage, max_pixels: u64, secret: &[u8]) -> Self {
        let cores = std::thread::available_parallelism().map_or(2, usize::from);
        let key = Hmac::<Sha256>::new_from_slice(secret)
            .map(|mac| {
                mac.chain_update(b"masthead transform URLs")
                    .finalize()
                    .into_bytes()
            })
            .unwrap_or_default();
        Self {
            storage,
            decodes: Arc::new(Semaphore::new(cores)),
            running: Mutex::new(HashMap::new()),
            max_pixels,
            // HMAC takes keys of any length: this cannot fail.
            transforms: Hmac::new_from_slice(&key).unwrap_or_else(|_| unreachable!()),
        }
    }

    /// The signature of a transform's file: the first 16 bytes of an HMAC-SHA256 of its path,
    /// in hex.
    pub fn sign(&self, sha256: &str, file: &Derived) -> String {
        let mut mac = self.transforms.clone();
        mac.update(format!("{sha256}/{}.{}", file.stem(), file.format.extension()).as_bytes());
        mac.finalize().into_bytes()[..16]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }

    fn signed(&self, sha256: &str, file: &Derived, signature: &str) -> bool {
        let Some(bytes) = (0..signature.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(signature.get(i..i + 2)?, 16).ok())
            .collect::<Option<Vec<u8>>>()
        else {
            return false;
        };
        let mut mac = self.transforms.clone();
        mac.update(format!("{sha256}/{}.{}", file.stem(), file.format.extension()).as_bytes());
        mac.verify_truncated_left(&bytes).is_ok()
    }

    /// The watermark picture, ready to draw; `None` when its file is gone.
    fn stamp(&self, watermark: &Watermark) -> Result<Option<Stamp>, ApiError> {
        let key = public_key(
            &watermark.sha256,
            &format!("original.{}", watermark.format.extension()),
        );
        let Some(bytes) = self.storage.read(&key).map_err(ApiError::internal)? else {
            return Ok(None);
        };
        let Ok((picture, _)) = process::pixels(&bytes, watermark.format, self.max_pixels) else {
            return Ok(None);
        };
        Ok(Some(Stamp {
            picture,
            thirds: watermark.position.thirds(),
            opacity: watermark.opacity,
            size: watermark.size,
        }))
    }

    fn variant_mark(&self, watermark: Option<&Watermark>) -> Result<VariantMark, ApiError> {
        let Some(watermark) = watermark else {
            return Ok(None);
        };
        Ok(self
            .stamp(watermark)?
            .map(|stamp| (Arc::new(stamp), watermark.fingerprint())))
    }

    /// Decodes and checks an upload, then stores the bytes as uploaded and the cleaned original.
    /// Answers as soon as those are stored; the variants are made right after, on the same
    /// decode slot, without decoding the picture again.
    async fn store(
        self: &Arc<Self>,
        spooled: Spooled,
        format: Format,
        watermark: Option<Watermark>,
    ) -> Result<Stored, ApiError> {
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
                    match media.variant_mark(watermark.as_ref()) {
                        Ok(mark) => media.write_variants(&sha256, &decoded, &mark),
                        Err(error) => tracing::error!(%error, "could not read the watermark"),
                    }
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

    fn write_variants(&self, sha256: &str, decoded: &Decoded, mark: &VariantMark) {
        let stamp = mark.as_ref().map(|(stamp, _)| stamp.as_ref());
        let fingerprint = mark.as_ref().map(|(_, fp)| fp.as_str());
        for (width, format, bytes) in process::variants(&decoded.image, decoded.format, stamp) {
            let key = public_key(sha256, &variant_name(width, fingerprint, format));
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

    /// Makes sure the served file `key` exists, running `make` (on a decode slot, once however
    /// many requests ask at the same time: the others wait for the job named `job`) when it
    /// does not. Returns whether the file exists.
    async fn ensure(
        self: &Arc<Self>,
        key: &str,
        job: &str,
        make: impl FnOnce(&Media) -> Result<bool, ApiError> + Send + 'static,
    ) -> Result<bool, ApiError> {
        // A job under way may make the file (or, like the variants of an upload made before
        // a watermark was set, other files): wait for it, then look again.
        let mut waited = 0;
        let permit = loop {
            if self.exists(key).await? {
                return Ok(true);
            }
            if let Some(running) = self.job(job) {
                let _ = running.await;
                waited += 1;
                if waited < 3 {
                    continue;
                }
            }
            let permit = Arc::clone(&self.decodes)
                .acquire_owned()
                .await
                .map_err(ApiError::internal)?;
            // Another request may have made it, or started its job, while this one waited.
            if self.exists(key).await? {
                return Ok(true);
            }
            if self.job(job).is_none() || waited >= 3 {
                break permit;
            }
        };
        let done = self.start_job(job);
        let media = Arc::clone(self);
        let job = job.to_owned();
        web::block(move || {
            let result = make(&media);
            media.end_job(&job, done);
            drop(permit);
            result
        })
        .await
        .map_err(ApiError::internal)?
    }

    /// Makes sure the variant or original `name` exists, making them all from the stored upload
    /// if it is missing (a process stopped before its job finished, the variants of an older
    /// version, or the first request for variants with a new watermark).
    async fn ensure_variant(
        self: &Arc<Self>,
        sha256: &str,
        name: &str,
        watermark: Option<Watermark>,
    ) -> Result<bool, ApiError> {
        let (sha, wanted) = (sha256.to_owned(), name.to_owned());
        self.ensure(&public_key(sha256, name), sha256, move |media| {
            media.remake(&sha, &wanted, watermark.as_ref())
        })
        .await
    }

    /// The original's bytes and format, when they are stored and still read as a picture.
    fn original(&self, sha256: &str) -> Result<Option<(Vec<u8>, Format)>, ApiError> {
        let Some(bytes) = self
            .storage
            .read(&original_key(sha256))
            .map_err(ApiError::internal)?
        else {
            return Ok(None);
        };
        Ok(process::sniff(&bytes, true)
            .ok()
            .map(|format| (bytes, format)))
    }

    /// Remakes the served files of `sha256` from its upload, but only when `wanted` is one of
    /// them: a request for a name the picture never has costs no decoding.
    fn remake(
        &self,
        sha256: &str,
        wanted: &str,
        watermark: Option<&Watermark>,
    ) -> Result<bool, ApiError> {
        let Some((bytes, format)) = self.original(sha256)? else {
            return Ok(false);
        };
        let Some((width, height)) = seen_size(&bytes, format) else {
            return Ok(false);
        };
        let fingerprint = watermark.map(Watermark::fingerprint);
        if !public_names(format, width, height, fingerprint.as_deref())
            .iter()
            .any(|n| n == wanted)
        {
            return Ok(false);
        }
        let mark = self.variant_mark(watermark)?;
        if watermark.is_some() && mark.is_none() {
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
        self.write_variants(sha256, &decoded, &mark);
        Ok(true)
    }

    /// Makes sure the derived file `file` exists when it is one the picture has now (a preset's)
    /// or one an editor signed (a transform's), making every file of the same crop at once.
    async fn ensure_derived(
        self: &Arc<Self>,
        pool: &Pool,
        media_url: &str,
        sha256: &str,
        file: Derived,
        signature: Option<String>,
    ) -> Result<bool, ApiError> {
        let key = public_key(sha256, &file.name_with(signature.as_deref()));
        if self.exists(&key).await? {
            return Ok(true);
        }
        let (sha, url) = (sha256.to_owned(), media_url.to_owned());
        let (pictures, records) = db::run(pool, move |conn| {
            Ok((pictures::load(conn, &url)?, queries::with_file(conn, &sha)?))
        })
        .await?;
        let watermark = match (&file.watermark, &pictures.watermark) {
            (None, _) => None,
            (Some(wanted), Some(current)) if *wanted == current.fingerprint() => {
                Some(current.clone())
            }
            // Drawn with a watermark no longer set: nothing can make it again.
            (Some(_), _) => return Ok(false),
        };
        let group = match &signature {
            Some(signature) => {
                let fits = records
                    .first()
                    .is_some_and(|image| file.crop.fits(image.size().0, image.size().1));
                if !fits || !self.signed(sha256, &file, signature) {
                    return Ok(false);
                }
                vec![file.clone()]
            }
            None => {
                let Some(group) = records.iter().find_map(|image| {
                    let files = pictures.files_of(image);
                    files.contains(&file).then(|| {
                        files
                            .into_iter()
                            .filter(|f| f.preset == file.preset && f.crop == file.crop)
                            .collect::<Vec<_>>()
                    })
                }) else {
                    return Ok(false);
                };
                group
            }
        };
        let job = format!("{sha256}/{}", file.stem());
        let sha = sha256.to_owned();
        let signature = signature.clone();
        self.ensure(&key, &job, move |media| {
            media.make_derived(&sha, &group, signature.as_deref(), watermark.as_ref())
        })
        .await
    }

    /// Cuts `files` (one crop, several sizes and formats) from the stored upload.
    fn make_derived(
        &self,
        sha256: &str,
        files: &[Derived],
        signature: Option<&str>,
        watermark: Option<&Watermark>,
    ) -> Result<bool, ApiError> {
        let Some(first) = files.first() else {
            return Ok(false);
        };
        let stamp = match watermark {
            Some(watermark) => match self.stamp(watermark)? {
                Some(stamp) => Some(stamp),
                None => return Ok(false),
            },
            None => None,
        };
        let Some((bytes, format)) = self.original(sha256)? else {
            return Ok(false);
        };
        let Ok((image, _)) = process::pixels(&bytes, format, self.max_pixels) else {
            return Ok(false);
        };
        drop(bytes);
        let crop = first.crop;
        if !crop.fits(image.width(), image.height()) {
            return Ok(false);
        }
        let sizes: Vec<(u32, u32, Format)> = files
            .iter()
            .map(|f| (f.width, f.height, f.format))
            .collect();
        let made = process::cut(
            &image,
            (crop.x, crop.y, crop.width, crop.height),
            &sizes,
            stamp.as_ref(),
        );
        drop(image);
        for (file, bytes) in files.iter().zip(made) {
            let key = public_key(sha256, &file.name_with(signature));
            self.storage.put(&key, &bytes).map_err(ApiError::internal)?;
        }
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

    /// Removes the files of `sha256` unless an image record or an upload still names them: the
    /// upload goes first, so no new job can start from it, and a variant job under way is
    /// waited for, so that it does not write variants after they were removed.
    pub async fn remove_unused(
        self: &Arc<Self>,
        pool: &Pool,
        sha256: &str,
    ) -> Result<(), ApiError> {
        let sha256 = sha256.to_owned();
        if let Some(job) = self.job(&sha256) {
            let _ = job.await;
        }
        let media = Arc::clone(self);
        db::run(pool, move |conn| {
            conn.transaction(|conn| {
                files::lock(conn, &sha256)?;
                if files::unused(conn, &sha256)? {
                    let original = original_key(&sha256);
                    if let Err(error) = media.storage.delete(&original) {
                        tracing::error!(%error, key = original, "could not remove an image file");
                    }
                    // The derived files' names depend on crops and settings that may have
                    // changed since they were made: everything under the folder goes.
                    let folder = public_key(&sha256, "");
                    if let Err(error) = media.storage.delete_under(&folder) {
                        tracing::error!(%error, folder, "could not remove an image's files");
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
    /// `watermark` is the one the variants carry, if they carry one.
    pub async fn accept(
        self: &Arc<Self>,
        pool: &Pool,
        spooled: Spooled,
        format: Format,
        watermark: Option<Watermark>,
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
        let written = match self.files_for(spooled, format, earlier, watermark).await {
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
        watermark: Option<Watermark>,
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
        self.store(spooled, format, watermark).await
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
///
/// Only names Masthead makes are served: the original, the variants, the files the presets list
/// for some image of these bytes now, and transforms whose signature holds. While the variants
/// carry the watermark, the clean files (the original and unmarked variants) are for staff.
pub async fn serve(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (sha256, name) = path.into_inner();
    let Some((wanted, format)) = wanted(&sha256, &name) else {
        return Err(ApiError::not_found("file"));
    };
    let mut cache_control = IMMUTABLE;
    let exists = match wanted {
        Wanted::Derived { file, signature } => {
            state
                .media
                .ensure_derived(
                    &state.pool,
                    &state.config.media_url,
                    &sha256,
                    file,
                    signature,
                )
                .await?
        }
        Wanted::Plain { marked } => {
            let media_url = state.config.media_url.clone();
            let pictures = db::run(&state.pool, move |conn| {
                Ok(pictures::load(conn, &media_url)?)
            })
            .await?;
            let current = pictures.variant_watermark().cloned();
            match (marked, &current) {
                (None, Some(_)) => {
                    AuthUser::<min::Contributor>::extract(&req).await?;
                    cache_control = STAFF_ONLY;
                    state.media.ensure_variant(&sha256, &name, None).await?
                }
                (None, None) => state.media.ensure_variant(&sha256, &name, None).await?,
                (Some(fp), Some(watermark)) if fp == watermark.fingerprint() => {
                    state.media.ensure_variant(&sha256, &name, current).await?
                }
                // A watermark no longer set: only a file made while it was can be served.
                (Some(_), _) => state.media.exists(&public_key(&sha256, &name)).await?,
            }
        }
    };
    if !exists {
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
            .insert_header((header::CACHE_CONTROL, cache_control))
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
        .insert_header((header::CACHE_CONTROL, cache_control))
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

/// What a served file's name asks for.
#[derive(Debug, PartialEq)]
enum Wanted {
    /// The original or a variant, with the fingerprint of the watermark a variant carries.
    Plain { marked: Option<String> },
    /// A preset's file, or a transform's with its signature.
    Derived {
        file: Derived,
        signature: Option<String>,
    },
}

/// What `name` asks for and its type, if the name is one Masthead makes.
fn wanted(sha256: &str, name: &str) -> Option<(Wanted, Format)> {
    let hex = sha256.len() == 64
        && sha256
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
    if !hex {
        return None;
    }
    let (stem, extension) = name.split_once('.')?;
    let format = Format::from_extension(extension)?;
    if stem == "original" {
        return Some((Wanted::Plain { marked: None }, format));
    }
    let (width, marked) = match stem.split_once("_w") {
        Some((width, fp)) => (width, Some(fp)),
        None => (stem, None),
    };
    if process::VARIANT_WIDTHS
        .iter()
        .any(|w| w.to_string() == width)
    {
        let marked = match marked {
            Some(fp) if fp.len() == 8 && fp.bytes().all(|b| b.is_ascii_hexdigit()) => {
                Some(fp.to_owned())
            }
            Some(_) => return None,
            None => None,
        };
        return Some((Wanted::Plain { marked }, format));
    }
    let (file, signature) = Derived::parse(name)?;
    Some((Wanted::Derived { file, signature }, format))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_names_masthead_makes_are_served() {
        let sha = "a".repeat(64);
        let format = |name: &str| wanted(&sha, name).map(|(_, format)| format);
        assert_eq!(format("original.jpg"), Some(Format::Jpeg));
        assert_eq!(format("640.webp"), Some(Format::WebP));
        assert_eq!(format("640_w0123abcd.webp"), Some(Format::WebP));
        assert_eq!(format("card_640x480_c0-0-800-600.jpg"), Some(Format::Jpeg));
        assert_eq!(format("641.webp"), None);
        assert_eq!(format("640_wxyz.webp"), None);
        assert_eq!(format("original.jpeg"), None);
        assert_eq!(format("../original.jpg"), None);
        assert_eq!(format("t_640x480_c0-0-800-600.jpg"), None);
        assert_eq!(wanted(&"A".repeat(64), "original.jpg"), None);
        assert_eq!(wanted("abc", "original.jpg"), None);
    }

    #[test]
    fn transform_signatures_hold_only_for_what_was_signed() {
        let media = Media::new(Storage::local("/nonexistent"), 1_000_000, b"secret");
        let sha = "a".repeat(64);
        let file = Derived {
            preset: None,
            width: 300,
            height: 200,
            crop: crate::images::presets::Rect {
                x: 0,
                y: 0,
                width: 600,
                height: 400,
            },
            watermark: None,
            format: Format::WebP,
        };
        let signature = media.sign(&sha, &file);
        assert!(media.signed(&sha, &file, &signature));
        let wider = Derived {
            width: 301,
            ..file.clone()
        };
        assert!(!media.signed(&sha, &wider, &signature));
        assert!(!media.signed(&"b".repeat(64), &file, &signature));
        let other = Media::new(Storage::local("/nonexistent"), 1_000_000, b"another secret");
        assert!(!other.signed(&sha, &file, &signature));
        assert!(!media.signed(&sha, &file, "zz"));
    }

    #[test]
    fn a_picture_has_its_original_and_two_files_a_width() {
        assert_eq!(
            public_names(Format::Png, 700, 500, None),
            vec!["original.png", "320.png", "320.webp", "640.png", "640.webp"]
        );
        assert_eq!(
            public_names(Format::WebP, 400, 300, Some("0123abcd")),
            vec!["original.webp", "320_w0123abcd.webp"]
        );
    }
}
