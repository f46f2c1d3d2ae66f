//! Accounts as stored, and the checked values they are built from.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use uuid::Uuid;

use crate::{
    auth::Role,
    error::{FieldCode, FieldError},
    schema::users,
    text::fields::{self, too_long},
};

#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = users, check_for_backend(diesel::pg::Pg))]
pub struct User {
    pub id: Uuid,
    pub email: String,
    pub name: String,
    pub password_hash: String,
    pub role: String,
    pub active: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
}

impl User {
    /// The role column is constrained by the database to the names `Role` parses.
    pub fn role(&self) -> Role {
        self.role.parse().unwrap_or(Role::Member)
    }
}

#[derive(Debug, Insertable)]
#[diesel(table_name = users)]
pub struct NewUser {
    pub id: Uuid,
    pub email: String,
    pub name: String,
    pub password_hash: String,
    pub role: String,
}

#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = users)]
pub struct UserChanges {
    pub name: Option<String>,
    pub role: Option<String>,
    pub active: Option<bool>,
    pub password_hash: Option<String>,
}

/// An email address, lower-cased so that lookups and the unique constraint ignore case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    pub fn parse(field: &str, value: &str) -> Result<Self, FieldError> {
        fields::email(field, value).map(Self)
    }

    pub fn into_inner(self) -> String {
        self.0
    }
}

/// A password of 10 to 256 characters. The upper bound keeps hashing cheap to refuse.
#[derive(Clone)]
pub struct Password(String);

impl Password {
    pub const MIN_CHARS: usize = 10;
    const MAX_CHARS: usize = 256;

    pub fn parse(field: &str, value: &str) -> Result<Self, FieldError> {
        let chars = value.chars().count();
        if chars < Self::MIN_CHARS {
            Err(FieldError::new(
                field,
                FieldCode::TooShort,
                format!("must be at least {} characters", Self::MIN_CHARS),
            ))
        } else if chars > Self::MAX_CHARS {
            Err(FieldError::new(
                field,
                FieldCode::TooLong,
                format!("must be at most {} characters", Self::MAX_CHARS),
            ))
        } else {
            Ok(Self(value.to_owned()))
        }
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

/// A display name: 1 to 100 characters after trimming.
#[derive(Debug, Clone)]
pub struct PersonName(String);

impl PersonName {
    pub fn parse(field: &str, value: &str) -> Result<Self, FieldError> {
        too_long(field, value, 100)?;
        let value = value.trim();
        if value.is_empty() {
            Err(FieldError::new(
                field,
                FieldCode::Required,
                "must not be empty",
            ))
        } else if value.chars().any(char::is_control) {
            Err(FieldError::new(
                field,
                FieldCode::Invalid,
                "must not contain control characters",
            ))
        } else {
            Ok(Self(value.to_owned()))
        }
    }

    pub fn into_inner(self) -> String {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_lower_cased_and_checked() {
        assert_eq!(
            Email::parse("email", " Ed@Example.COM ")
                .expect("valid")
                .into_inner(),
            "ed@example.com"
        );
        for bad in [
            "",
            "no-at-sign",
            "@example.com",
            "a@b",
            "a b@example.com",
            "a@.com",
            "a@b@c.com",
        ] {
            assert!(
                Email::parse("email", bad).is_err(),
                "{bad:?} should be refused"
            );
        }
    }

    #[test]
    fn passwords_need_ten_characters() {
        assert!(Password::parse("password", "123456789").is_err());
        assert!(Password::parse("password", "1234567890").is_ok());
        assert!(Password::parse("password", "密码密码密码密码密码").is_ok());
    }
}
