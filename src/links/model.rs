//! Friend links as stored.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use uuid::Uuid;

use crate::schema::links;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = links, check_for_backend(diesel::pg::Pg))]
pub struct Link {
    pub id: Uuid,
    pub name: String,
    pub url: String,
    pub logo_id: Option<Uuid>,
    pub group: String,
    pub position: i32,
    pub approved: bool,
    pub contact_email: Option<String>,
    pub note: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = links)]
pub struct NewLink {
    pub id: Uuid,
    pub name: String,
    pub url: String,
    pub logo_id: Option<Uuid>,
    pub group: String,
    pub position: i32,
    pub approved: bool,
    pub contact_email: Option<String>,
    pub note: Option<String>,
}

#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = links)]
pub struct LinkChanges {
    pub name: Option<String>,
    pub url: Option<String>,
    pub logo_id: Option<Option<Uuid>>,
    pub group: Option<String>,
    pub position: Option<i32>,
    pub approved: Option<bool>,
    pub note: Option<Option<String>>,
}

pub const NAME_MAX_CHARS: usize = 100;
pub const GROUP_MAX_CHARS: usize = 50;
pub const NOTE_MAX_CHARS: usize = 1000;
pub const DEFAULT_GROUP: &str = "friends";
