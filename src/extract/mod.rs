//! Request extractors whose every rejection is a problem+json `ApiError`.

use std::{future::Future, pin::Pin};

use actix_web::{
    FromRequest, HttpRequest,
    dev::Payload,
    error::{PathError, QueryPayloadError},
    http::header,
    web,
};
use futures_util::StreamExt;
use serde::de::DeserializeOwned;
use serde_json::Value;
use utoipa::ToSchema;

use crate::{
    error::{ApiError, FieldCode, FieldError},
    state::AppState,
};

mod schema_check;

/// For `#[serde(default, deserialize_with = "nullable")]` on an `Option<Option<T>>` field of a
/// PATCH body: a field sent as `null` (clear it) is `Some(None)`, one not sent (keep it) `None`.
pub fn nullable<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: serde::Deserialize<'de>,
{
    use serde::Deserialize;
    Option::<T>::deserialize(deserializer).map(Some)
}

/// A JSON body checked against the type's own OpenAPI schema before it is deserialised.
///
/// Using the schema means the document and the checks cannot disagree: a field the document does
/// not name is rejected (422 `unknown_field`, so a typo never drops data silently), every missing
/// required field is listed at once, and a `\0` anywhere in the text is refused before PostgreSQL
/// would.
pub struct Json<T>(pub T);

impl<T> FromRequest for Json<T>
where
    T: DeserializeOwned + ToSchema + 'static,
{
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let content_type_ok = is_json(req);
        let limit = req
            .app_data::<web::Data<AppState>>()
            .map_or(2 * 1024 * 1024, |state| state.config.max_body_bytes);
        let declared_length = req
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<usize>().ok());
        let mut payload = payload.take();
        Box::pin(async move {
            if declared_length.is_some_and(|length| length > limit) {
                return Err(too_large(limit));
            }
            if !content_type_ok {
                return Err(ApiError::UnsupportedMediaType(
                    "send the body as application/json".into(),
                ));
            }
            let mut body = web::BytesMut::new();
            while let Some(chunk) = payload.next().await {
                let chunk = chunk.map_err(|e| ApiError::BadRequest(e.to_string()))?;
                if body.len() + chunk.len() > limit {
                    return Err(too_large(limit));
                }
                body.extend_from_slice(&chunk);
            }
            parse(&body).map(Json)
        })
    }
}

fn too_large(limit: usize) -> ApiError {
    ApiError::PayloadTooLarge(format!("the body may be at most {limit} bytes"))
}

fn is_json(req: &HttpRequest) -> bool {
    let Some(value) = req.headers().get(header::CONTENT_TYPE) else {
        return false;
    };
    let Ok(value) = value.to_str() else {
        return false;
    };
    let essence = value.split(';').next().unwrap_or_default().trim();
    essence.eq_ignore_ascii_case("application/json")
        || (essence.starts_with("application/") && essence.ends_with("+json"))
}

/// Parses and checks a body; public so that other extractors (multipart fields) can reuse it.
pub fn parse<T: DeserializeOwned + ToSchema + 'static>(body: &[u8]) -> Result<T, ApiError> {
    let mut value: Value = serde_json::from_slice(body)
        .map_err(|e| ApiError::BadRequest(format!("the body is not valid JSON: {e}")))?;
    whole_numbers_as_integers(&mut value);
    let mut errors = Vec::new();
    find_nul_characters(&value, String::new(), &mut errors);
    if let Some(object) = value.as_object() {
        errors.extend(schema_check::misshapen_fields::<T>(object));
    } else if !value.is_object() {
        return Err(ApiError::BadRequest(
            "the body must be a JSON object".into(),
        ));
    }
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    serde_path_to_error::deserialize(&value).map_err(|e| {
        let field = e.path().to_string();
        let message = e.inner().to_string();
        // A value of the right type outside an enumeration (a role that does not exist, say).
        let code = if message.starts_with("unknown variant") {
            FieldCode::Invalid
        } else if message.starts_with("unknown field") {
            FieldCode::UnknownField
        } else {
            FieldCode::InvalidType
        };
        // The handler, which checks every field and lists every failure, cannot run without
        // the body it takes: the schema tells what else is wrong, so that the answer names
        // every bad field here too.
        let mut errors = value
            .as_object()
            .map(schema_check::refused_fields::<T>)
            .unwrap_or_default();
        if !errors.iter().any(|error| error.field == field) {
            errors.push(FieldError::new(field, code, message));
        }
        ApiError::Validation(errors)
    })
}

/// JSON does not tell `2` from `2.0`, and JSON Schema calls both integers, but serde refuses
/// `2.0` for an integer field: whole numbers are made integers before they are read.
fn whole_numbers_as_integers(value: &mut Value) {
    match value {
        Value::Number(number) => {
            // Beyond 2^53 a float no longer names one integer.
            const EXACT: f64 = 9_007_199_254_740_992.0;
            if let Some(float) = number.as_f64().filter(|_| number.is_f64())
                && float.fract() == 0.0
                && float.abs() <= EXACT
            {
                *number = (float as i64).into();
            }
        }
        Value::Array(items) => items.iter_mut().for_each(whole_numbers_as_integers),
        Value::Object(fields) => fields.values_mut().for_each(whole_numbers_as_integers),
        _ => {}
    }
}

fn find_nul_characters(value: &Value, path: String, errors: &mut Vec<FieldError>) {
    let join = |key: &str| {
        if path.is_empty() {
            key.to_owned()
        } else {
            format!("{path}.{key}")
        }
    };
    match value {
        Value::String(text) if text.contains('\0') => errors.push(FieldError::new(
            if path.is_empty() { "body" } else { &path },
            FieldCode::NullCharacter,
            "must not contain the NUL character",
        )),
        Value::Array(items) => {
            for (index, item) in items.iter().enumerate() {
                find_nul_characters(item, join(&index.to_string()), errors);
            }
        }
        Value::Object(fields) => {
            for (key, item) in fields {
                if key.contains('\0') {
                    errors.push(FieldError::new(
                        join(key),
                        FieldCode::NullCharacter,
                        "must not contain the NUL character",
                    ));
                }
                find_nul_characters(item, join(key), errors);
            }
        }
        _ => {}
    }
}

/// Query strings that do not parse are the client's mistake: 400.
pub fn query_error(error: QueryPayloadError, _req: &HttpRequest) -> actix_web::Error {
    ApiError::BadRequest(format!("bad query string: {error}")).into()
}

/// A path segment that does not parse (a malformed id) names nothing that exists: 404.
pub fn path_error(_error: PathError, _req: &HttpRequest) -> actix_web::Error {
    ApiError::NotFound("no resource has this id".into()).into()
}
