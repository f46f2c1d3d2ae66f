//! The caller of a request, and the role it needs, stated in the handler's signature.
//!
//! A handler that takes `AuthUser<min::Editor>` cannot run for anyone less than an editor: the
//! check is part of the type, so it cannot be forgotten in the body. Ownership rules ("the owner
//! or an editor") are one call on the extracted user.

use std::{fmt, future::Future, marker::PhantomData, pin::Pin, str::FromStr};

use actix_web::{FromRequest, HttpRequest, dev::Payload, http::header, web};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::{
    actor::{self, Actor},
    auth::{queries, tokens::API_KEY_PREFIX},
    db,
    error::ApiError,
    state::AppState,
};

/// What an account may do; each role may do everything the ones before it may.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, ToSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Member,
    Contributor,
    Author,
    Editor,
    Admin,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Member => "member",
            Self::Contributor => "contributor",
            Self::Author => "author",
            Self::Editor => "editor",
            Self::Admin => "admin",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = String;

    fn from_str(value: &str) -> Result<Self, String> {
        Ok(match value {
            "member" => Self::Member,
            "contributor" => Self::Contributor,
            "author" => Self::Author,
            "editor" => Self::Editor,
            "admin" => Self::Admin,
            other => return Err(format!("unknown role {other:?}")),
        })
    }
}

/// The least role a handler accepts, as a type.
pub trait RoleFloor {
    const ROLE: Role;
}

/// The floors a handler can name: `AuthUser<min::Admin>`.
pub mod min {
    use super::{Role, RoleFloor};

    macro_rules! floors {
        ($($name:ident),+) => {$(
            #[derive(Debug, Clone, Copy)]
            pub struct $name;
            impl RoleFloor for $name {
                const ROLE: Role = Role::$name;
            }
        )+};
    }

    floors!(Member, Contributor, Author, Editor, Admin);
}

/// A signed-in account whose role is at least `R` (any account by default).
#[derive(Debug, Clone, Copy)]
pub struct AuthUser<R: RoleFloor = min::Member> {
    pub id: Uuid,
    pub role: Role,
    floor: PhantomData<R>,
}

impl<R: RoleFloor> AuthUser<R> {
    /// Allowed when the caller owns the resource or has at least `role`.
    pub fn require_owner_or(&self, owner: Uuid, role: Role) -> Result<(), ApiError> {
        if self.id == owner || self.role >= role {
            Ok(())
        } else {
            Err(ApiError::Forbidden(format!(
                "only its owner or an {role} may do this"
            )))
        }
    }
}

/// The credential a request carries, if any.
pub enum Credential {
    Anonymous,
    AccessToken(String),
    ApiKey(String),
}

impl Credential {
    pub fn of(req: &HttpRequest) -> Result<Self, ApiError> {
        let Some(value) = req.headers().get(header::AUTHORIZATION) else {
            return Ok(Self::Anonymous);
        };
        let token = value
            .to_str()
            .ok()
            .and_then(|v| {
                v.strip_prefix("Bearer ")
                    .or_else(|| v.strip_prefix("bearer "))
            })
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or_else(|| {
                ApiError::Unauthorized("send credentials as `Authorization: Bearer <token>`".into())
            })?;
        Ok(if token.starts_with(API_KEY_PREFIX) {
            Self::ApiKey(token.to_owned())
        } else {
            Self::AccessToken(token.to_owned())
        })
    }
}

/// Who a credential belongs to, checked against the database on every request, so that a
/// deactivated account or a revoked key stops working at once.
#[derive(Debug, Clone, Copy)]
pub enum Identity {
    /// An account, signed in or through one of its `admin` API keys (`key`).
    Account {
        id: Uuid,
        role: Role,
        key: Option<Uuid>,
    },
    /// A `content` API key: reads published content, nothing else.
    ContentKey { key: Uuid },
}

impl Identity {
    pub fn actor(self) -> Actor {
        match self {
            Self::Account { key: Some(key), .. } | Self::ContentKey { key } => Actor::ApiKey(key),
            Self::Account { id, key: None, .. } => Actor::User(id),
        }
    }
}

/// Who sent the request, checked against the database; also what the change log will name as
/// the actor of whatever the request writes.
pub async fn identify(
    state: &AppState,
    credential: Credential,
) -> Result<Option<Identity>, ApiError> {
    let identity = identify_credential(state, credential).await?;
    if let Some(identity) = identity {
        actor::identified(identity.actor());
    }
    Ok(identity)
}

async fn identify_credential(
    state: &AppState,
    credential: Credential,
) -> Result<Option<Identity>, ApiError> {
    match credential {
        Credential::Anonymous => Ok(None),
        Credential::AccessToken(token) => {
            let claims = state.tokens.verify(&token)?;
            let account = db::read(&state.pool, move |conn| {
                queries::active_role(conn, claims.sub)
                    .optional()
                    .map_err(ApiError::from)
            })
            .await?;
            match account {
                Some(role) => Ok(Some(Identity::Account {
                    id: claims.sub,
                    role,
                    key: None,
                })),
                None => Err(ApiError::Unauthorized("this account is deactivated".into())),
            }
        }
        Credential::ApiKey(key) => {
            let found = db::read(&state.pool, move |conn| {
                queries::api_key_identity(conn, &key)
                    .optional()
                    .map_err(ApiError::from)
            })
            .await?;
            found
                .map(Some)
                .ok_or_else(|| ApiError::Unauthorized("this API key is not valid".into()))
        }
    }
}

impl<R: RoleFloor + 'static> FromRequest for AuthUser<R> {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let credential = Credential::of(req);
        Box::pin(async move {
            let state = state.ok_or_else(|| ApiError::internal("AppState is not configured"))?;
            match identify(&state, credential?).await? {
                None => Err(ApiError::Unauthorized("sign in to do this".into())),
                Some(Identity::ContentKey { .. }) => Err(ApiError::Forbidden(
                    "a content API key only reads published content".into(),
                )),
                Some(Identity::Account { role, .. }) if role < R::ROLE => Err(ApiError::Forbidden(
                    format!("this needs the {} role or higher", R::ROLE),
                )),
                Some(Identity::Account { id, role, .. }) => Ok(Self {
                    id,
                    role,
                    floor: PhantomData,
                }),
            }
        })
    }
}

/// Whoever reads public content: anonymous, a `content` key, or any account. Staff (contributors
/// and up) also see drafts. With `MASTHEAD_PUBLIC_READ=false`, anonymous callers get 401.
#[derive(Debug, Clone, Copy)]
pub struct Reader {
    pub account: Option<(Uuid, Role)>,
    /// Credentials were sent, so the answer must not be cached publicly.
    pub credentialed: bool,
}

impl Reader {
    pub fn is_staff(&self) -> bool {
        self.account
            .is_some_and(|(_, role)| role >= Role::Contributor)
    }

    /// Editors and admins, who see what is hidden from readers (windows, clicks, applications).
    pub fn is_editor(&self) -> bool {
        self.account.is_some_and(|(_, role)| role >= Role::Editor)
    }
}

impl FromRequest for Reader {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let credential = Credential::of(req);
        Box::pin(async move {
            let state = state.ok_or_else(|| ApiError::internal("AppState is not configured"))?;
            match identify(&state, credential?).await? {
                None if !state.config.public_read => Err(ApiError::Unauthorized(
                    "this site's content needs an API key or a sign-in".into(),
                )),
                None => Ok(Self {
                    account: None,
                    credentialed: false,
                }),
                Some(Identity::ContentKey { .. }) => Ok(Self {
                    account: None,
                    credentialed: true,
                }),
                Some(Identity::Account { id, role, .. }) => Ok(Self {
                    account: Some((id, role)),
                    credentialed: true,
                }),
            }
        })
    }
}
