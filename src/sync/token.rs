//! Sync tokens: where a client is in the change log, opaque to it.
//!
//! A token names a commit number and the time from which the changes after it are needed. That
//! time, not the number, decides whether the change log still holds them: the log forgets only
//! what is older than its retention.

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::{error::ApiError, sync::items::KINDS};

/// Where a sync goes on from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Position {
    /// Paging through everything readable; afterwards, the changes after `snapshot`.
    First {
        snapshot: i64,
        kind: usize,
        after: Option<Uuid>,
    },
    /// The changes committed after `seq`.
    Since { seq: i64 },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SyncToken {
    pub position: Position,
    /// Every change after the position was committed at or after this time.
    pub since: DateTime<Utc>,
}

const VERSION: &str = "1";

impl SyncToken {
    pub fn encode(&self) -> String {
        let since = self.since.timestamp_millis();
        let text = match self.position {
            Position::First {
                snapshot,
                kind,
                after,
            } => {
                let after = after.map_or_else(|| "-".to_owned(), |id| id.simple().to_string());
                format!("{VERSION}.{since}.f.{snapshot}.{kind}.{after}")
            }
            Position::Since { seq } => format!("{VERSION}.{since}.d.{seq}"),
        };
        URL_SAFE_NO_PAD.encode(text)
    }

    pub fn decode(token: &str) -> Result<Self, ApiError> {
        Self::parse(token).ok_or_else(|| {
            ApiError::BadRequest(
                "sync_token: not a token this server gave; start over without one".into(),
            )
        })
    }

    fn parse(token: &str) -> Option<Self> {
        let bytes = URL_SAFE_NO_PAD.decode(token.trim()).ok()?;
        let text = String::from_utf8(bytes).ok()?;
        let parts: Vec<&str> = text.split('.').collect();
        let (version, since, rest) = match parts.as_slice() {
            [version, since, rest @ ..] => (*version, *since, rest),
            _ => return None,
        };
        if version != VERSION {
            return None;
        }
        let since = DateTime::from_timestamp_millis(since.parse().ok()?)?;
        let seq = |text: &str| text.parse::<i64>().ok().filter(|seq| *seq >= 0);
        let position = match rest {
            ["d", number] => Position::Since { seq: seq(number)? },
            ["f", snapshot, kind, after] => Position::First {
                snapshot: seq(snapshot)?,
                kind: kind.parse().ok().filter(|kind| *kind < KINDS.len())?,
                after: match *after {
                    "-" => None,
                    id => Some(Uuid::try_parse(id).ok()?),
                },
            },
            _ => return None,
        };
        Some(Self { position, since })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_read_back_as_they_were_made() {
        let since = DateTime::from_timestamp_millis(1_790_000_000_123).expect("a time");
        for position in [
            Position::Since { seq: 42 },
            Position::First {
                snapshot: 7,
                kind: 3,
                after: Some(Uuid::now_v7()),
            },
            Position::First {
                snapshot: 0,
                kind: 0,
                after: None,
            },
        ] {
            let token = SyncToken { position, since };
            assert_eq!(SyncToken::decode(&token.encode()).ok(), Some(token));
        }
    }

    #[test]
    fn garbage_is_refused() {
        for bad in [
            "",
            "abc",
            "%%%",
            &URL_SAFE_NO_PAD.encode("1.x.d.1"),
            &URL_SAFE_NO_PAD.encode("1.0.d.-5"),
            &URL_SAFE_NO_PAD.encode("2.0.d.5"),
            &URL_SAFE_NO_PAD.encode("1.0.f.1.99.-"),
            &URL_SAFE_NO_PAD.encode("1.0.f.1.0.nope"),
        ] {
            assert!(SyncToken::decode(bad).is_err(), "{bad}");
        }
    }
}
