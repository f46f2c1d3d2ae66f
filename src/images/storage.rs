//! Where image files live: a local directory, or an S3-compatible object store that several
//! Masthead processes can share. Every call blocks; callers run them on the blocking pool.

use std::{
    fs, io,
    ops::RangeInclusive,
    path::{Path, PathBuf},
    time::Duration,
};

use rusty_s3::{Bucket, Credentials, S3Action, UrlStyle};

use crate::config::S3Settings;

/// Signed URLs only live for the request that uses them.
const SIGNED_FOR: Duration = Duration::from_secs(60);

pub enum Storage {
    Local(Local),
    S3(Box<S3>),
}

pub struct Local {
    root: PathBuf,
}

pub struct S3 {
    bucket: Bucket,
    credentials: Credentials,
    agent: ureq::Agent,
}

/// Part or all of a stored file.
pub struct Slice {
    pub bytes: Vec<u8>,
    /// The size of the whole file.
    pub total: u64,
}

impl Storage {
    pub fn local(root: impl Into<PathBuf>) -> Self {
        Self::Local(Local { root: root.into() })
    }

    pub fn s3(settings: &S3Settings) -> Result<Self, String> {
        let endpoint = settings
            .endpoint
            .parse()
            .map_err(|e| format!("MASTHEAD_S3_ENDPOINT is not a URL: {e}"))?;
        let style = if settings.path_style {
            UrlStyle::Path
        } else {
            UrlStyle::VirtualHost
        };
        let bucket = Bucket::new(
            endpoint,
            style,
            settings.bucket.clone(),
            settings.region.clone(),
        )
        .map_err(|e| format!("the S3 bucket settings are not usable: {e}"))?;
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(60)))
            .build()
            .into();
        Ok(Self::S3(Box::new(S3 {
            bucket,
            credentials: Credentials::new(
                settings.access_key.clone(),
                settings.secret_key.expose().to_owned(),
            ),
            agent,
        })))
    }

    /// Where uploads are spooled while they arrive: beside the files for local storage, so a
    /// finished upload is moved rather than copied.
    pub fn spool_dir(&self) -> io::Result<PathBuf> {
        let dir = match self {
            Self::Local(local) => local.root.join("spool"),
            Self::S3(_) => std::env::temp_dir().join("masthead-spool"),
        };
        fs::create_dir_all(&dir)?;
        Ok(dir)
    }

    /// The size of the file, or `None` when there is none.
    pub fn size(&self, key: &str) -> io::Result<Option<u64>> {
        match self {
            Self::Local(local) => match fs::metadata(local.path(key)) {
                Ok(meta) => Ok(Some(meta.len())),
                Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
                Err(e) => Err(e),
            },
            Self::S3(s3) => {
                let url = s3
                    .bucket
                    .head_object(Some(&s3.credentials), key)
                    .sign(SIGNED_FOR);
                let response = s3
                    .agent
                    .head(url.as_str())
                    .call()
                    .map_err(io::Error::other)?;
                match response.status().as_u16() {
                    200 => Ok(response
                        .headers()
                        .get("content-length")
                        .and_then(|v| v.to_str().ok())
                        .and_then(|v| v.parse().ok())),
                    404 => Ok(None),
                    status => Err(io::Error::other(format!("S3 HEAD {key}: {status}"))),
                }
            }
        }
    }

    /// Stores `bytes` under `key`, replacing any file there; readers never see half a file.
    pub fn put(&self, key: &str, bytes: &[u8]) -> io::Result<()> {
        match self {
            Self::Local(local) => {
                let path = local.path(key);
                let dir = path.parent().unwrap_or(&local.root);
                fs::create_dir_all(dir)?;
                let mut temp = tempfile::NamedTempFile::new_in(dir)?;
                io::Write::write_all(&mut temp, bytes)?;
                temp.persist(&path).map_err(|e| e.error)?;
                Ok(())
            }
            Self::S3(s3) => {
                let url = s3
                    .bucket
                    .put_object(Some(&s3.credentials), key)
                    .sign(SIGNED_FOR);
                let response = s3
                    .agent
                    .put(url.as_str())
                    .send(bytes)
                    .map_err(io::Error::other)?;
                s3_ok(response.status().as_u16(), "PUT", key)
            }
        }
    }

    /// Stores the file at `path` under `key`, moving it when it is on the same disk.
    pub fn put_file(&self, key: &str, path: &Path) -> io::Result<()> {
        match self {
            Self::Local(local) => {
                let target = local.path(key);
                fs::create_dir_all(target.parent().unwrap_or(&local.root))?;
                if fs::hard_link(path, &target).is_err() && !target.exists() {
                    fs::copy(path, &target)?;
                }
                Ok(())
            }
            Self::S3(_) => self.put(key, &fs::read(path)?),
        }
    }

    /// The whole file, or `None` when there is none.
    pub fn read(&self, key: &str) -> io::Result<Option<Vec<u8>>> {
        Ok(self.read_range(key, None)?.map(|slice| slice.bytes))
    }

    /// The bytes of `range` (inclusive, already checked against the size) or of the whole file.
    pub fn read_range(
        &self,
        key: &str,
        range: Option<RangeInclusive<u64>>,
    ) -> io::Result<Option<Slice>> {
        match self {
            Self::Local(local) => {
                use std::io::{Read, Seek, SeekFrom};
                let mut file = match fs::File::open(local.path(key)) {
                    Ok(file) => file,
                    Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
                    Err(e) => return Err(e),
                };
                let total = file.metadata()?.len();
                let bytes = match range {
                    None => {
                        let mut bytes = Vec::with_capacity(usize::try_from(total).unwrap_or(0));
                        file.read_to_end(&mut bytes)?;
                        bytes
                    }
                    Some(range) => {
                        file.seek(SeekFrom::Start(*range.start()))?;
                        let length = range.end().saturating_sub(*range.start()) + 1;
                        let mut bytes = Vec::new();
                        file.take(length).read_to_end(&mut bytes)?;
                        bytes
                    }
                };
                Ok(Some(Slice { bytes, total }))
            }
            Self::S3(s3) => {
                let url = s3
                    .bucket
                    .get_object(Some(&s3.credentials), key)
                    .sign(SIGNED_FOR);
                let mut request = s3.agent.get(url.as_str());
                if let Some(range) = &range {
                    request =
                        request.header("Range", format!("bytes={}-{}", range.start(), range.end()));
                }
                let mut response = request.call().map_err(io::Error::other)?;
                let status = response.status().as_u16();
                if status == 404 {
                    return Ok(None);
                }
                s3_ok(status, "GET", key)?;
                let total = total_size(response.headers(), status);
                let bytes = response
                    .body_mut()
                    .with_config()
                    .limit(u64::MAX)
                    .read_to_vec()
                    .map_err(io::Error::other)?;
                let total = total.unwrap_or(bytes.len() as u64);
                Ok(Some(Slice { bytes, total }))
            }
        }
    }

    /// Removes the file; a file already gone is not an error.
    pub fn delete(&self, key: &str) -> io::Result<()> {
        match self {
            Self::Local(local) => match fs::remove_file(local.path(key)) {
                Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
                _ => Ok(()),
            },
            Self::S3(s3) => {
                let url = s3
                    .bucket
                    .delete_object(Some(&s3.credentials), key)
                    .sign(SIGNED_FOR);
                let response = s3
                    .agent
                    .delete(url.as_str())
                    .call()
                    .map_err(io::Error::other)?;
                match response.status().as_u16() {
                    404 => Ok(()),
                    status => s3_ok(status, "DELETE", key),
                }
            }
        }
    }
}

impl Storage {
    /// Removes every file whose key starts with `prefix` (a folder, ending in `/`): the derived
    /// files of a picture, whose names depend on crops and settings that may have changed since.
    pub fn delete_under(&self, prefix: &str) -> io::Result<()> {
        match self {
            Self::Local(local) => match fs::remove_dir_all(local.path(prefix)) {
                Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
                _ => Ok(()),
            },
            Self::S3(s3) => {
                let mut token = None::<String>;
                loop {
                    let mut list = s3.bucket.list_objects_v2(Some(&s3.credentials));
                    list.with_prefix(prefix);
                    if let Some(token) = &token {
                        list.with_continuation_token(token.clone());
                    }
                    let url = list.sign(SIGNED_FOR);
                    let mut response = s3
                        .agent
                        .get(url.as_str())
                        .call()
                        .map_err(io::Error::other)?;
                    s3_ok(response.status().as_u16(), "LIST", prefix)?;
                    let text = response
                        .body_mut()
                        .read_to_string()
                        .map_err(io::Error::other)?;
                    let listed = rusty_s3::actions::ListObjectsV2::parse_response(&text)
                        .map_err(io::Error::other)?;
                    for object in listed.contents {
                        self.delete(&object.key)?;
                    }
                    match listed.next_continuation_token {
                        Some(next) => token = Some(next),
                        None => return Ok(()),
                    }
                }
            }
        }
    }
}

impl Local {
    /// Keys are made by this module's callers from hex digests and fixed names, never from
    /// client text, so joining them cannot leave the root.
    fn path(&self, key: &str) -> PathBuf {
        self.root.join(key)
    }
}

fn s3_ok(status: u16, method: &str, key: &str) -> io::Result<()> {
    if (200..300).contains(&status) {
        Ok(())
    } else {
        Err(io::Error::other(format!("S3 {method} {key}: {status}")))
    }
}

/// The whole object's size: from `Content-Range` on a partial answer, else `Content-Length`.
fn total_size(headers: &ureq::http::HeaderMap, status: u16) -> Option<u64> {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    if status == 206 {
        header("content-range")
            .and_then(|v| v.rsplit('/').next())
            .and_then(|v| v.parse().ok())
    } else {
        header("content-length").and_then(|v| v.parse().ok())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_files_round_trip_with_ranges() {
        let dir = tempfile::tempdir().expect("temp dir");
        let storage = Storage::local(dir.path());
        assert_eq!(storage.size("public/ab/x").expect("size"), None);
        storage.put("public/ab/x", b"0123456789").expect("put");
        assert_eq!(storage.size("public/ab/x").expect("size"), Some(10));
        let slice = storage
            .read_range("public/ab/x", Some(2..=4))
            .expect("read")
            .expect("present");
        assert_eq!((slice.bytes.as_slice(), slice.total), (&b"234"[..], 10));
        assert_eq!(
            storage.read("public/ab/x").expect("read").as_deref(),
            Some(&b"0123456789"[..])
        );
        storage.delete("public/ab/x").expect("delete");
        storage
            .delete("public/ab/x")
            .expect("deleting twice is fine");
        assert!(storage.read("public/ab/x").expect("read").is_none());
    }
}
