//! Authors as stored.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use uuid::Uuid;

use crate::schema::authors;

#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = authors, check_for_backend(diesel::pg::Pg))]
pub struct Author {
    pub id: Uuid,
    pub slug: String,
    pub name: String,
    pub bio: String,
    pub avatar_id: Option<Uuid>,
    pub website: Option<String>,
    pub user_id: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = authors)]
pub struct NewAuthor {
    pub id: Uuid,
    pub slug: String,
    pub name: String,
    pub bio: String,
    pub avatar_id: Option<Uuid>,
    pub website: Option<String>,
    pub user_id: Option<Uuid>,
}

#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = authors)]
pub struct AuthorChanges {
    pub slug: Option<String>,
    pub name: Option<String>,
    pub bio: Option<String>,
    pub avatar_id: Option<Option<Uuid>>,
    pub website: Option<Option<String>>,
    pub user_id: Option<Option<Uuid>>,
}

pub const NAME_MAX_CHARS: usize = 100;
pub const BIO_MAX_CHARS: usize = 5000;
