//! Recommendations as stored.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use uuid::Uuid;

use crate::{
    error::{FieldCode, FieldError},
    schema::recommendations,
};

/// The slot that ties picks to one source article; every other slot is site-wide.
pub const RELATED: &str = "related";
pub const SLOT_MAX_CHARS: usize = 64;
pub const NOTE_MAX_CHARS: usize = 500;

#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = recommendations, check_for_backend(diesel::pg::Pg))]
pub struct Recommendation {
    pub id: Uuid,
    pub slot: String,
    pub source_article_id: Option<Uuid>,
    pub target_article_id: Uuid,
    pub position: i32,
    pub note: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = recommendations)]
pub struct NewRecommendation {
    pub id: Uuid,
    pub slot: String,
    pub source_article_id: Option<Uuid>,
    pub target_article_id: Uuid,
    pub position: i32,
    pub note: Option<String>,
}

/// A slot name: lower-case ASCII letters and digits in words joined by `-`, as slugs are.
pub fn parse_slot(value: &str) -> Result<String, FieldError> {
    let words_ok = value.split('-').all(|w| {
        !w.is_empty()
            && w.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
    });
    if value.is_empty() {
        Err(FieldError::new(
            "slot",
            FieldCode::Required,
            "must not be empty",
        ))
    } else if value.len() > SLOT_MAX_CHARS {
        Err(FieldError::new(
            "slot",
            FieldCode::TooLong,
            format!("must be at most {SLOT_MAX_CHARS} characters"),
        ))
    } else if !words_ok {
        Err(FieldError::new(
            "slot",
            FieldCode::Invalid,
            "must be lower-case letters and digits in words joined by '-', like editors-picks",
        ))
    } else {
        Ok(value.to_owned())
    }
}

/// The `related` slot needs a source article; a named slot is site-wide and takes none.
pub fn check_source(slot: &str, source: Option<Uuid>) -> Result<Option<Uuid>, FieldError> {
    match (slot == RELATED, source) {
        (true, None) => Err(FieldError::new(
            "source_article",
            FieldCode::Required,
            "the related slot needs the article the picks are for",
        )),
        (false, Some(_)) => Err(FieldError::new(
            "source_article",
            FieldCode::Invalid,
            "only the related slot takes a source article; named slots are site-wide",
        )),
        (_, source) => Ok(source),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_are_lower_case_words() {
        assert!(parse_slot("editors-picks").is_ok());
        assert!(parse_slot("top10").is_ok());
        for bad in ["", "Editors", "a--b", "-a", "a-", "编辑推荐", "a b"] {
            assert!(parse_slot(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn only_the_related_slot_has_a_source() {
        let id = Uuid::now_v7();
        assert!(check_source(RELATED, Some(id)).is_ok());
        assert!(check_source(RELATED, None).is_err());
        assert!(check_source("editors-picks", None).is_ok());
        assert!(check_source("editors-picks", Some(id)).is_err());
    }
}
