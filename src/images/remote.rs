//! Fetching a remote picture for an import: only where `MASTHEAD_OUTBOUND` allows, checked on
//! the addresses the name resolves to and again for every redirect, within one time budget,
//! reading no more than an upload may hold. Blocking; callers run it on the blocking pool.

use std::{
    io::{Read, Write},
    path::PathBuf,
    time::{Duration, Instant},
};

use sha2::{Digest, Sha256};
use tempfile::NamedTempFile;
use url::Url;

use crate::{
    images::upload::{IMAGE_EXTENSIONS, Spooled, hex},
    outbound::{self, Outbound, SendError},
};

/// The whole fetch, redirects included.
pub const TIMEOUT: Duration = Duration::from_secs(10);
/// Redirects followed; each is checked like the first URL.
pub const MAX_REDIRECTS: usize = 3;

/// Why a remote picture could not be fetched; each message is for the person who gave the URL.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    #[error("{0}")]
    Refused(String),
    #[error("more than {MAX_REDIRECTS} redirects")]
    Redirects,
    #[error("the server answered {0}")]
    Status(u16),
    #[error("the picture is larger than the {0} bytes an upload may be")]
    TooLarge(u64),
    #[error("the server sent nothing")]
    Empty,
    #[error("{0}")]
    Failed(String),
    /// Storage for the spool file failed: Masthead's fault, not the URL's.
    #[error("the spool file could not be written: {0}")]
    Spool(std::io::Error),
}

/// Fetches `url` (already checked with [`Outbound::check_url`]) into a spool file in
/// `spool_dir`, hashing it as it comes.
pub fn fetch(
    outbound: &Outbound,
    agent: &ureq::Agent,
    url: Url,
    max_bytes: u64,
    spool_dir: PathBuf,
) -> Result<Spooled, FetchError> {
    let started = Instant::now();
    let mut current = url;
    let mut redirects = 0;
    loop {
        let left = TIMEOUT
            .checked_sub(started.elapsed())
            .filter(|left| !left.is_zero())
            .ok_or_else(|| FetchError::Failed(timed_out()))?;
        let mut response =
            outbound::get(agent, current.as_str(), left).map_err(|error| match error {
                SendError::Refused(message) => FetchError::Refused(message),
                SendError::Timeout(_) => FetchError::Failed(timed_out()),
                other => FetchError::Failed(other.to_string()),
            })?;
        let status = response.status().as_u16();
        if (300..400).contains(&status) && status != 304 {
            let location = response
                .headers()
                .get("location")
                .and_then(|v| v.to_str().ok())
                .ok_or(FetchError::Status(status))?;
            if redirects == MAX_REDIRECTS {
                return Err(FetchError::Redirects);
            }
            redirects += 1;
            let next = current
                .join(location)
                .map_err(|e| FetchError::Failed(format!("a redirect to a bad URL: {e}")))?;
            // Checked like the first URL: a public server may redirect to a private address.
            current = outbound
                .check_url(next.as_str())
                .map_err(|e| FetchError::Refused(format!("a redirect was refused: {e}")))?;
            continue;
        }
        if !(200..300).contains(&status) {
            return Err(FetchError::Status(status));
        }
        let declared = response
            .headers()
            .get("content-length")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok());
        if declared.is_some_and(|length| length > max_bytes) {
            return Err(FetchError::TooLarge(max_bytes));
        }
        let claims_image = response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.trim().to_ascii_lowercase().starts_with("image/"))
            || current.path().rsplit_once('.').is_some_and(|(_, ext)| {
                IMAGE_EXTENSIONS.contains(&ext.to_ascii_lowercase().as_str())
            });
        let reader = response.body_mut().as_reader().take(max_bytes + 1);
        return spool(reader, max_bytes, spool_dir, claims_image);
    }
}

fn timed_out() -> String {
    format!("no whole answer within {} s", TIMEOUT.as_secs())
}

fn spool(
    mut reader: impl Read,
    max_bytes: u64,
    spool_dir: PathBuf,
    claims_image: bool,
) -> Result<Spooled, FetchError> {
    let mut temp = NamedTempFile::new_in(spool_dir).map_err(FetchError::Spool)?;
    let mut hasher = Sha256::new();
    let mut head = Vec::with_capacity(64);
    let mut size = 0u64;
    let mut buffer = vec![0; 64 * 1024];
    loop {
        let read = match reader.read(&mut buffer) {
            Ok(0) => break,
            Ok(read) => read,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) if e.kind() == std::io::ErrorKind::TimedOut => {
                return Err(FetchError::Failed(timed_out()));
            }
            Err(e) => return Err(FetchError::Failed(format!("the answer broke off: {e}"))),
        };
        let chunk = &buffer[..read];
        size += read as u64;
        if size > max_bytes {
            return Err(FetchError::TooLarge(max_bytes));
        }
        hasher.update(chunk);
        if head.len() < 64 {
            let take = (64 - head.len()).min(chunk.len());
            head.extend_from_slice(&chunk[..take]);
        }
        temp.write_all(chunk).map_err(FetchError::Spool)?;
    }
    if size == 0 {
        return Err(FetchError::Empty);
    }
    Ok(Spooled {
        temp,
        size,
        sha256: hex(&hasher.finalize()),
        head,
        claims_image,
    })
}
