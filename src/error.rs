//! The one error type of the API, rendered as RFC 9457 `application/problem+json`.

use std::fmt;

use actix_web::{
    HttpResponse, ResponseError,
    http::{StatusCode, header},
};
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use serde::Serialize;
use utoipa::ToSchema;

pub const PROBLEM_JSON: &str = "application/problem+json";

/// Seconds a client should wait before retrying when the database is away.
const UNAVAILABLE_RETRY_AFTER: u64 = 5;

/// Stable, machine-readable reasons for a field to be rejected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum FieldCode {
    Required,
    TooShort,
    TooLong,
    Invalid,
    InvalidType,
    UnknownField,
    Taken,
    NotFound,
    NullCharacter,
}

/// One failing field of a request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct FieldError {
    /// The field's name as sent by the client (dotted for nested fields).
    #[schema(example = "title")]
    pub field: String,
    pub code: FieldCode,
    /// A sentence for humans.
    #[schema(example = "must be at most 300 characters")]
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, code: FieldCode, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            code,
            message: message.into(),
        }
    }
}

/// An RFC 9457 problem document, the body of every error response.
#[derive(Debug, Serialize, ToSchema)]
pub struct Problem {
    /// A URI reference naming the kind of problem; relative to the API's base URL.
    #[schema(example = "/problems/validation-failed")]
    #[serde(rename = "type")]
    pub kind: String,
    #[schema(example = "Validation failed")]
    pub title: String,
    #[schema(example = 422)]
    pub status: u16,
    #[schema(example = "2 fields are invalid")]
    pub detail: String,
    /// Every failing field, for validation errors.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
}

/// Everything a handler can answer other than success.
#[derive(Debug)]
pub enum ApiError {
    /// 400: malformed JSON, a bad query parameter or path segment.
    BadRequest(String),
    /// 401: no credentials, or credentials that are wrong, expired or revoked.
    Unauthorized(String),
    /// 403: the caller is known but its role does not allow this.
    Forbidden(String),
    /// 404: nothing here, or nothing the caller may know exists.
    NotFound(String),
    /// 405: the path exists but not with this method.
    MethodNotAllowed,
    /// 409: a unique value is taken, or the resource is in use.
    Conflict(String),
    /// 410: what the request names is gone for good (a sync token past the change log's
    /// retention: start over).
    Gone(String),
    /// 412: `If-Match` named a version that is no longer current.
    PreconditionFailed(String),
    /// 413: the body is larger than allowed.
    PayloadTooLarge(String),
    /// 415: the body is not of a type this endpoint takes.
    UnsupportedMediaType(String),
    /// 416: the `Range` asked for lies outside the file, which has this many bytes.
    RangeNotSatisfiable(u64),
    /// 422: the body parsed but some of its fields are not acceptable.
    Validation(Vec<FieldError>),
    /// 429: too many attempts; try again after the given number of seconds.
    TooManyRequests { retry_after: u64 },
    /// 503: the database cannot be reached; the request may be retried.
    Unavailable,
    /// 503: this process cannot answer yet (its search index is still catching up with the
    /// change log); the request may be retried, here or on another process.
    NotReady(String),
    /// 500: a fault of ours. The cause is logged, never shown.
    Internal(Box<dyn std::error::Error + Send + Sync>),
}

impl ApiError {
    pub fn internal(cause: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
        Self::Internal(cause.into())
    }

    pub fn field(field: &str, code: FieldCode, message: impl Into<String>) -> Self {
        Self::Validation(vec![FieldError::new(field, code, message)])
    }

    pub fn not_found(what: &str) -> Self {
        Self::NotFound(format!("{what} not found"))
    }

    /// For `map_err`: a missing row is a 404 naming `what`; other database errors map as
    /// every database error does.
    pub fn missing(what: &'static str) -> impl Fn(diesel::result::Error) -> Self {
        move |error| match error {
            diesel::result::Error::NotFound => Self::not_found(what),
            other => other.into(),
        }
    }

    fn kind_and_title(&self) -> (&'static str, &'static str) {
        match self {
            Self::BadRequest(_) => ("bad-request", "Bad request"),
            Self::Unauthorized(_) => ("unauthorized", "Unauthorized"),
            Self::Forbidden(_) => ("forbidden", "Forbidden"),
            Self::NotFound(_) => ("not-found", "Not found"),
            Self::MethodNotAllowed => ("method-not-allowed", "Method not allowed"),
            Self::Conflict(_) => ("conflict", "Conflict"),
            Self::Gone(_) => ("gone", "Gone"),
            Self::PreconditionFailed(_) => ("precondition-failed", "Precondition failed"),
            Self::PayloadTooLarge(_) => ("payload-too-large", "Payload too large"),
            Self::UnsupportedMediaType(_) => ("unsupported-media-type", "Unsupported media type"),
            Self::RangeNotSatisfiable(_) => ("range-not-satisfiable", "Range not satisfiable"),
            Self::Validation(_) => ("validation-failed", "Validation failed"),
            Self::TooManyRequests { .. } => ("too-many-requests", "Too many requests"),
            Self::Unavailable | Self::NotReady(_) => ("service-unavailable", "Service unavailable"),
            Self::Internal(_) => ("internal", "Internal server error"),
        }
    }

    fn detail(&self) -> String {
        match self {
            Self::BadRequest(d)
            | Self::Unauthorized(d)
            | Self::Forbidden(d)
            | Self::NotFound(d)
            | Self::Conflict(d)
            | Self::Gone(d)
            | Self::PreconditionFailed(d)
            | Self::PayloadTooLarge(d)
            | Self::UnsupportedMediaType(d) => d.clone(),
            Self::MethodNotAllowed => "this path does not take that method".into(),
            Self::RangeNotSatisfiable(size) => {
                format!("the range asked for is not within the file's {size} bytes")
            }
            Self::Validation(errors) if errors.len() == 1 => {
                format!("{}: {}", errors[0].field, errors[0].message)
            }
            Self::Validation(errors) => format!("{} fields are invalid", errors.len()),
            Self::TooManyRequests { retry_after } => {
                format!("too many attempts; try again in {retry_after} seconds")
            }
            Self::Unavailable => "the database is unavailable; try again shortly".into(),
            Self::NotReady(d) => d.clone(),
            Self::Internal(_) => {
                "an unexpected error occurred; the X-Request-Id header identifies it in our logs"
                    .into()
            }
        }
    }

    pub fn problem(&self) -> Problem {
        let (kind, title) = self.kind_and_title();
        Problem {
            kind: format!("/problems/{kind}"),
            title: title.into(),
            status: self.status_code().as_u16(),
            detail: self.detail(),
            errors: match self {
                Self::Validation(errors) => errors.clone(),
                _ => Vec::new(),
            },
        }
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Internal(cause) => {
                write!(f, "internal error: {cause}")?;
                let mut source = cause.source();
                while let Some(inner) = source {
                    write!(f, ": {inner}")?;
                    source = inner.source();
                }
                Ok(())
            }
            other => write!(f, "{}", other.detail()),
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            Self::Forbidden(_) => StatusCode::FORBIDDEN,
            Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Self::Conflict(_) => StatusCode::CONFLICT,
            Self::Gone(_) => StatusCode::GONE,
            Self::PreconditionFailed(_) => StatusCode::PRECONDITION_FAILED,
            Self::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            Self::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::RangeNotSatisfiable(_) => StatusCode::RANGE_NOT_SATISFIABLE,
            Self::Validation(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Self::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::Unavailable | Self::NotReady(_) => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        match self {
            Self::Internal(_) => tracing::error!(error = %self, "request failed"),
            Self::Unavailable => tracing::warn!("database unavailable"),
            _ => {}
        }
        let mut response = HttpResponse::build(self.status_code());
        response.content_type(PROBLEM_JSON);
        match self {
            Self::Unauthorized(_) => {
                response.insert_header((header::WWW_AUTHENTICATE, "Bearer"));
            }
            Self::TooManyRequests { retry_after } => {
                response.insert_header((header::RETRY_AFTER, retry_after.to_string()));
            }
            Self::Unavailable | Self::NotReady(_) => {
                response.insert_header((header::RETRY_AFTER, UNAVAILABLE_RETRY_AFTER.to_string()));
            }
            Self::RangeNotSatisfiable(size) => {
                response.insert_header((header::CONTENT_RANGE, format!("bytes */{size}")));
            }
            _ => {}
        }
        response.json(self.problem())
    }
}

/// What a unique or foreign-key constraint means to a client, by constraint name.
fn constraint_message(constraint: &str) -> Option<(&'static str, &'static str)> {
    Some(match constraint {
        "users_email_key" => ("email", "an account with this email already exists"),
        "authors_slug_key" => ("slug", "another author has this slug"),
        "authors_user_id_key" => ("user_id", "this account already has an author profile"),
        "categories_slug_key" => ("slug", "another category has this slug"),
        "tags_slug_key" => ("slug", "another tag has this slug"),
        "articles_slug_key" => ("slug", "another article has this slug"),
        "article_slug_history_pkey" => ("slug", "another article had this slug"),
        "categories_parent_id_fkey" => ("parent", "the category has subcategories"),
        "articles_category_id_fkey" => ("category", "the category still has articles"),
        "api_keys_created_by_fkey" => ("created_by", "the key's owner no longer exists"),
        "carousels_key_key" => ("key", "another carousel has this key"),
        "recommendations_slot_target_key" => {
            ("target_article", "this article is already in this slot")
        }
        _ => return None,
    })
}

impl From<DieselError> for ApiError {
    fn from(error: DieselError) -> Self {
        match error {
            DieselError::NotFound => Self::NotFound("not found".into()),
            DieselError::DatabaseError(DatabaseErrorKind::ClosedConnection, _) => Self::Unavailable,
            DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, info) => {
                match info.constraint_name().and_then(constraint_message) {
                    Some((field, message)) => Self::Conflict(format!("{field}: {message}")),
                    None => Self::Conflict("a resource with these values already exists".into()),
                }
            }
            DieselError::DatabaseError(DatabaseErrorKind::ForeignKeyViolation, info) => {
                match info.constraint_name().and_then(constraint_message) {
                    Some((field, message)) => Self::Conflict(format!("{field}: {message}")),
                    None => Self::Conflict("the resource is referenced elsewhere".into()),
                }
            }
            other => Self::internal(other),
        }
    }
}

impl From<diesel::r2d2::PoolError> for ApiError {
    fn from(_: diesel::r2d2::PoolError) -> Self {
        Self::Unavailable
    }
}

/// Turns a tuple of per-field parse results into the parsed values, or one 422 that lists
/// every failing field, so a client can fix all of them at once.
pub trait Fields {
    type Parsed;
    fn parsed(self) -> Result<Self::Parsed, ApiError>;
}

macro_rules! impl_fields {
    ($($name:ident),+) => {
        impl<$($name),+> Fields for ($(Result<$name, FieldError>,)+) {
            type Parsed = ($($name,)+);

            #[expect(non_snake_case, reason = "the type names double as binding names")]
            fn parsed(self) -> Result<Self::Parsed, ApiError> {
                let ($($name,)+) = self;
                match ($($name,)+) {
                    ($(Ok($name),)+) => Ok(($($name,)+)),
                    ($($name,)+) => {
                        let errors = [$($name.err()),+].into_iter().flatten().collect();
                        Err(ApiError::Validation(errors))
                    }
                }
            }
        }
    };
}

impl_fields!(A);
impl_fields!(A, B);
impl_fields!(A, B, C);
impl_fields!(A, B, C, D);
impl_fields!(A, B, C, D, E);
impl_fields!(A, B, C, D, E, F);
impl_fields!(A, B, C, D, E, F, G);
impl_fields!(A, B, C, D, E, F, G, H);
