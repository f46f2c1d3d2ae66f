//! Friend links on the wire.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::{extract::nullable, links::model::Link};

/// A link to another site, as portals list them in their footers.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LinkView {
    pub id: Uuid,
    #[schema(example = "通辽新闻网")]
    pub name: String,
    #[schema(example = "https://www.tlnews.cn")]
    pub url: String,
    /// An image id.
    pub logo: Option<Uuid>,
    /// Lists are shown by group, e.g. `friends`, `government`, `media`.
    #[schema(example = "friends")]
    pub group: String,
    /// The link's place in its group, from 1.
    #[schema(minimum = 1, example = 1)]
    pub position: i32,
    /// Unapproved links (applications) are seen by editors only.
    pub approved: bool,
    /// From an application; editors only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contact_email: Option<String>,
    /// From an application, or the editors' own; editors only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    #[schema(example = 1)]
    pub version: i32,
}

impl LinkView {
    /// `staff`: include what applicants told the editors.
    pub fn new(link: Link, staff: bool) -> Self {
        Self {
            id: link.id,
            name: link.name,
            url: link.url,
            logo: link.logo_id,
            group: link.group,
            position: link.position,
            approved: link.approved,
            contact_email: link.contact_email.filter(|_| staff),
            note: link.note.filter(|_| staff),
            created_at: link.created_at,
            updated_at: link.updated_at,
            version: link.version,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateLink {
    /// 1 to 100 characters of plain text on one line.
    #[schema(
        example = "通辽新闻网",
        min_length = 1,
        max_length = 100,
        pattern = r#"^[\t-\r \x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*(?![\s\S]*<[A-Za-z/!?])[^\x00-\x20\x7F-\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000](?:[^\x00-\x1F\x7F-\x9F]*[^\x00-\x20\x7F-\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000])?[\t-\r \x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*$"#
    )]
    pub name: String,
    /// An `http` or `https` URL.
    #[schema(
        example = "https://www.tlnews.cn",
        min_length = 1,
        max_length = 2000,
        pattern = r#"^[\t-\r \x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*[Hh][Tt][Tt][Pp][Ss]?://(?:[^/?#<>"\x00-\x20\x7F-\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*@)?[^/?#@:.<>"\x00-\x20\x7F-\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000](?:[^/?#@:<>"\x00-\x20\x7F-\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*[^/?#@:.<>"\x00-\x20\x7F-\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000])?(?::[^/?#<>"\x00-\x20\x7F-\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*)?(?:[/?#][^\x00-\x20\x7F-\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000<>"]*)?[\t-\r \x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*$"#
    )]
    pub url: String,
    /// An image id.
    pub logo: Option<Uuid>,
    /// 1 to 50 characters of plain text on one line; `friends` when omitted.
    #[schema(
        example = "friends",
        min_length = 1,
        max_length = 50,
        pattern = r#"^[\t-\r \x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*(?![\s\S]*<[A-Za-z/!?])[^\x00-\x20\x7F-\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000](?:[^\x00-\x1F\x7F-\x9F]*[^\x00-\x20\x7F-\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000])?[\t-\r \x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*$"#
    )]
    pub group: Option<String>,
    /// The link's place in its group, from 1; 1 when omitted.
    #[schema(minimum = 1, example = 1)]
    pub position: Option<i32>,
    /// `true` when omitted: an editor's own link needs no review.
    pub approved: Option<bool>,
    /// At most 1000 characters of plain text.
    #[schema(max_length = 1000, pattern = r#"^[^<]*(?:<(?![A-Za-z/!?])[^<]*)*$"#)]
    pub note: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateLink {
    /// 1 to 100 characters of plain text on one line.
    #[schema(
        min_length = 1,
        max_length = 100,
        pattern = r#"^[\t-\r \x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*(?![\s\S]*<[A-Za-z/!?])[^\x00-\x20\x7F-\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000](?:[^\x00-\x1F\x7F-\x9F]*[^\x00-\x20\x7F-\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000])?[\t-\r \x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*$"#
    )]
    pub name: Option<String>,
    /// An `http` or `https` URL.
    #[schema(
        min_length = 1,
        max_length = 2000,
        pattern = r#"^[\t-\r \x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*[Hh][Tt][Tt][Pp][Ss]?://(?:[^/?#<>"\x00-\x20\x7F-\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*@)?[^/?#@:.<>"\x00-\x20\x7F-\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000](?:[^/?#@:<>"\x00-\x20\x7F-\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*[^/?#@:.<>"\x00-\x20\x7F-\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000])?(?::[^/?#<>"\x00-\x20\x7F-\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*)?(?:[/?#][^\x00-\x20\x7F-\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000<>"]*)?[\t-\r \x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*$"#
    )]
    pub url: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    pub logo: Option<Option<Uuid>>,
    /// 1 to 50 characters of plain text on one line.
    #[schema(
        min_length = 1,
        max_length = 50,
        pattern = r#"^[\t-\r \x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*(?![\s\S]*<[A-Za-z/!?])[^\x00-\x20\x7F-\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000](?:[^\x00-\x1F\x7F-\x9F]*[^\x00-\x20\x7F-\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000])?[\t-\r \x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*$"#
    )]
    pub group: Option<String>,
    /// The link's place in its group, from 1.
    #[schema(minimum = 1, example = 1)]
    pub position: Option<i32>,
    /// `true` approves an application.
    pub approved: Option<bool>,
    /// At most 1000 characters of plain text.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(max_length = 1000, pattern = r#"^[^<]*(?:<(?![A-Za-z/!?])[^<]*)*$"#)]
    pub note: Option<Option<String>>,
}

/// Another site asks for a link exchange.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LinkApplication {
    /// The applying site's name: 1 to 100 characters of plain text on one line.
    #[schema(
        example = "科尔沁旅游网",
        min_length = 1,
        max_length = 100,
        pattern = r#"^[\t-\r \x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*(?![\s\S]*<[A-Za-z/!?])[^\x00-\x20\x7F-\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000](?:[^\x00-\x1F\x7F-\x9F]*[^\x00-\x20\x7F-\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000])?[\t-\r \x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*$"#
    )]
    pub name: String,
    /// The applying site's address, an `http` or `https` URL.
    #[schema(
        example = "https://www.example.com",
        min_length = 1,
        max_length = 2000,
        pattern = r#"^[\t-\r \x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*[Hh][Tt][Tt][Pp][Ss]?://(?:[^/?#<>"\x00-\x20\x7F-\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*@)?[^/?#@:.<>"\x00-\x20\x7F-\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000](?:[^/?#@:<>"\x00-\x20\x7F-\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*[^/?#@:.<>"\x00-\x20\x7F-\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000])?(?::[^/?#<>"\x00-\x20\x7F-\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*)?(?:[/?#][^\x00-\x20\x7F-\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000<>"]*)?[\t-\r \x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*$"#
    )]
    pub url: String,
    /// Where the editors can answer.
    #[schema(
        example = "webmaster@example.com",
        max_length = 254,
        pattern = r#"^[\t-\r \x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*[^@\x00-\x20\x7F-\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]+@[^@.\x00-\x20\x7F-\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000][^@\x00-\x20\x7F-\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*\.[^@\x00-\x20\x7F-\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*[^@.\x00-\x20\x7F-\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000][\t-\r \x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*$"#
    )]
    pub contact_email: String,
    /// At most 1000 characters of plain text.
    #[schema(max_length = 1000, pattern = r#"^[^<]*(?:<(?![A-Za-z/!?])[^<]*)*$"#)]
    pub note: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// Only this group.
    #[param(example = "friends")]
    pub group: Option<String>,
    /// `false` lists the applications waiting for review (editors only).
    pub approved: Option<bool>,
    #[param(minimum = 1, maximum = 1000000, example = 1)]
    pub page: Option<i64>,
    #[param(minimum = 1, maximum = 100, example = 20)]
    pub per_page: Option<i64>,
}
