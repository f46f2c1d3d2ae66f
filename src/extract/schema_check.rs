//! Checks every field of a body against the type's OpenAPI schema at once: its type, its
//! enumeration, its length, range and format.
//!
//! Deserialising stops at the first value it cannot take, so a bad enum value would hide every
//! other mistake of the request: when it fails, this names the others. Patterns are left to the
//! handlers' own checks, which the patterns only describe (the document's are ECMA regular
//! expressions, which no Rust engine reads exactly alike).

use std::{
    any::TypeId,
    collections::HashMap,
    sync::{Arc, RwLock},
};

use serde_json::{Map, Value};
use utoipa::ToSchema;

use crate::{
    error::{FieldCode, FieldError},
    text::fields,
};

/// A type's schema and the schemas it refers to, as JSON.
struct Schemas {
    root: Value,
    components: Map<String, Value>,
}

/// Schemas are built from the types once per process: a body type never changes its schema.
fn schemas_of<T: ToSchema + 'static>() -> Arc<Schemas> {
    static BUILT: RwLock<Option<HashMap<TypeId, Arc<Schemas>>>> = RwLock::new(None);
    let key = TypeId::of::<T>();
    if let Some(built) = BUILT
        .read()
        .ok()
        .and_then(|built| built.as_ref()?.get(&key).cloned())
    {
        return built;
    }
    let mut referenced = Vec::new();
    T::schemas(&mut referenced);
    let schemas = Arc::new(Schemas {
        root: serde_json::to_value(T::schema()).unwrap_or(Value::Null),
        components: referenced
            .into_iter()
            .filter_map(|(name, schema)| Some((name, serde_json::to_value(schema).ok()?)))
            .collect(),
    });
    if let Ok(mut built) = BUILT.write() {
        built
            .get_or_insert_with(HashMap::new)
            .insert(key, Arc::clone(&schemas));
    }
    schemas
}

/// The fields of `object` that make it another shape than its schema: unknown ones, required
/// ones missing, and arrays where an object belongs (serde would read a struct from an array,
/// its fields in order). Empty when the schema is not an object's.
pub fn misshapen_fields<T: ToSchema + 'static>(object: &Map<String, Value>) -> Vec<FieldError> {
    let schemas = schemas_of::<T>();
    let checker = Checker {
        components: &schemas.components,
    };
    let root = checker.resolve(&schemas.root);
    if root.get("type").and_then(Value::as_str) != Some("object") {
        return Vec::new();
    }
    let empty = Map::new();
    let properties = root
        .get("properties")
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    let mut errors = Vec::new();
    for (name, field) in object {
        match properties.get(name) {
            None => errors.push(FieldError::new(
                name.as_str(),
                FieldCode::UnknownField,
                "is not a field of this resource",
            )),
            Some(property) if field.is_array() && checker.names_an_object(property) => {
                errors.push(FieldError::new(
                    name.as_str(),
                    FieldCode::InvalidType,
                    "must be an object",
                ));
            }
            Some(_) => {}
        }
    }
    let required = root.get("required").and_then(Value::as_array);
    for name in required.into_iter().flatten().filter_map(Value::as_str) {
        if !object.contains_key(name) {
            errors.push(FieldError::new(name, FieldCode::Required, "is required"));
        }
    }
    errors
}

/// Every field of `object` that its schema refuses, named by its dotted path.
pub fn refused_fields<T: ToSchema + 'static>(object: &Map<String, Value>) -> Vec<FieldError> {
    let schemas = schemas_of::<T>();
    let mut errors = Vec::new();
    Checker {
        components: &schemas.components,
    }
    .fields(object, &schemas.root, "", &mut errors);
    errors
}

struct Checker<'a> {
    components: &'a Map<String, Value>,
}

type Refusal = (FieldCode, String);

impl Checker<'_> {
    fn resolve<'s>(&'s self, schema: &'s Value) -> &'s Value {
        match schema.get("$ref").and_then(Value::as_str) {
            Some(location) => location
                .rsplit('/')
                .next()
                .and_then(|name| self.components.get(name))
                .unwrap_or(&Value::Null),
            None => schema,
        }
    }

    /// Whether a schema takes a JSON object with fields.
    fn names_an_object(&self, schema: &Value) -> bool {
        let schema = self.resolve(schema);
        if let Some(alternatives) = schema.get("oneOf").and_then(Value::as_array) {
            return alternatives.iter().any(|a| self.names_an_object(a));
        }
        schema
            .get("properties")
            .and_then(Value::as_object)
            .is_some_and(|properties| !properties.is_empty())
    }

    /// Checks the properties `object` sends (unknown and missing ones are the caller's).
    fn fields(
        &self,
        object: &Map<String, Value>,
        schema: &Value,
        path: &str,
        out: &mut Vec<FieldError>,
    ) {
        let schema = self.resolve(schema);
        let Some(properties) = schema.get("properties").and_then(Value::as_object) else {
            return;
        };
        for (name, value) in object {
            let Some(property) = properties.get(name) else {
                continue;
            };
            let field = if path.is_empty() {
                name.clone()
            } else {
                format!("{path}.{name}")
            };
            let property = self.resolve(property);
            match (value, self.object_schema(property, value)) {
                (Value::Object(inner), Some(inner_schema)) => {
                    self.fields(inner, inner_schema, &field, out);
                }
                _ => {
                    if let Err((code, message)) = self.value(value, property) {
                        out.push(FieldError::new(field, code, message));
                    }
                }
            }
        }
    }

    /// The schema with properties that an object value is checked against, field by field.
    fn object_schema<'s>(&'s self, schema: &'s Value, value: &Value) -> Option<&'s Value> {
        if schema.get("properties").is_some() {
            return Some(schema);
        }
        let alternatives = schema.get("oneOf").or_else(|| schema.get("anyOf"))?;
        alternatives
            .as_array()?
            .iter()
            .map(|alternative| self.resolve(alternative))
            .find(|alternative| alternative.get("properties").is_some() && value.is_object())
    }

    fn value(&self, value: &Value, schema: &Value) -> Result<(), Refusal> {
        let schema = self.resolve(schema);
        if let Some(alternatives) = schema
            .get("oneOf")
            .or_else(|| schema.get("anyOf"))
            .and_then(Value::as_array)
        {
            let mut first_refusal = None;
            for alternative in alternatives {
                match self.value(value, alternative) {
                    Ok(()) => return Ok(()),
                    Err(refusal) => {
                        let says_null = self.resolve(alternative).get("type")
                            == Some(&Value::String("null".into()));
                        if !says_null && first_refusal.is_none() {
                            first_refusal = Some(refusal);
                        }
                    }
                }
            }
            return Err(
                first_refusal.unwrap_or((FieldCode::InvalidType, "must not be null".into()))
            );
        }
        if let Some(all) = schema.get("allOf").and_then(Value::as_array) {
            return all.iter().try_for_each(|part| self.value(value, part));
        }
        if let Some(kinds) = schema.get("type") {
            let kinds: Vec<&str> = match kinds {
                Value::String(kind) => vec![kind.as_str()],
                Value::Array(kinds) => kinds.iter().filter_map(Value::as_str).collect(),
                _ => Vec::new(),
            };
            if value.is_null() && kinds.contains(&"null") {
                return Ok(());
            }
            if !kinds.is_empty() && !kinds.iter().any(|kind| is_kind(value, kind)) {
                let wanted: Vec<&str> = kinds.iter().filter(|k| **k != "null").copied().collect();
                return Err((
                    FieldCode::InvalidType,
                    format!("must be {}", described(&wanted)),
                ));
            }
        }
        if let Some(choices) = schema.get("enum").and_then(Value::as_array)
            && !choices.contains(value)
        {
            let names: Vec<String> = choices
                .iter()
                .map(|c| c.as_str().map_or_else(|| c.to_string(), str::to_owned))
                .collect();
            return Err((
                FieldCode::Invalid,
                format!("must be one of: {}", names.join(", ")),
            ));
        }
        match value {
            Value::String(text) => string(text, schema),
            Value::Number(number) => number_in_range(number.as_f64().unwrap_or(0.0), schema),
            Value::Array(items) => self.array(items, schema),
            _ => Ok(()),
        }
    }

    fn array(&self, items: &[Value], schema: &Value) -> Result<(), Refusal> {
        let bound = |key: &str| schema.get(key).and_then(Value::as_u64);
        if let Some(min) = bound("minItems")
            && (items.len() as u64) < min
        {
            return Err((
                FieldCode::TooShort,
                format!("must hold at least {min} items"),
            ));
        }
        if let Some(max) = bound("maxItems")
            && items.len() as u64 > max
        {
            return Err((FieldCode::TooLong, format!("must hold at most {max} items")));
        }
        let Some(item_schema) = schema.get("items") else {
            return Ok(());
        };
        for (index, item) in items.iter().enumerate() {
            self.value(item, item_schema)
                .map_err(|(code, message)| (code, format!("item {}: {message}", index + 1)))?;
        }
        Ok(())
    }
}

fn is_kind(value: &Value, kind: &str) -> bool {
    match kind {
        "string" => value.is_string(),
        "integer" => value.is_i64() || value.is_u64(),
        "number" => value.is_number(),
        "boolean" => value.is_boolean(),
        "array" => value.is_array(),
        "object" => value.is_object(),
        "null" => value.is_null(),
        _ => true,
    }
}

fn described(kinds: &[&str]) -> String {
    let named: Vec<&str> = kinds
        .iter()
        .map(|kind| match *kind {
            "string" => "a string",
            "integer" => "an integer",
            "number" => "a number",
            "boolean" => "true or false",
            "array" => "an array",
            "object" => "an object",
            other => other,
        })
        .collect();
    named.join(" or ")
}

fn string(text: &str, schema: &Value) -> Result<(), Refusal> {
    let length = text.chars().count() as u64;
    if let Some(min) = schema.get("minLength").and_then(Value::as_u64)
        && length < min
    {
        return Err(if min == 1 {
            (FieldCode::Required, "must not be empty".into())
        } else {
            (
                FieldCode::TooShort,
                format!("must be at least {min} characters"),
            )
        });
    }
    if let Some(max) = schema.get("maxLength").and_then(Value::as_u64)
        && length > max
    {
        return Err((
            FieldCode::TooLong,
            format!("must be at most {max} characters"),
        ));
    }
    let format = schema.get("format").and_then(Value::as_str);
    let well_formed = match format {
        Some("uuid") => uuid::Uuid::parse_str(text).is_ok(),
        // As the body's deserialiser reads it: years beyond four digits are the handlers' to
        // refuse, with a reason.
        Some("date-time") => text
            .parse::<chrono::DateTime<chrono::FixedOffset>>()
            .is_ok(),
        Some("email") => {
            return fields::email("", text)
                .map(drop)
                .map_err(|refusal| (refusal.code, refusal.message));
        }
        _ => true,
    };
    if well_formed {
        Ok(())
    } else {
        Err((
            FieldCode::InvalidType,
            match format {
                Some("uuid") => "must be an id (a UUID)".into(),
                _ => "must be a date and time (RFC 3339, e.g. 2026-12-01T08:00:00Z)".into(),
            },
        ))
    }
}

fn number_in_range(number: f64, schema: &Value) -> Result<(), Refusal> {
    let bound = |key: &str| schema.get(key).and_then(Value::as_f64);
    if let Some(min) = bound("minimum")
        && number < min
    {
        return Err((FieldCode::Invalid, format!("must be at least {min}")));
    }
    if let Some(max) = bound("maximum")
        && number > max
    {
        return Err((FieldCode::Invalid, format!("must be at most {max}")));
    }
    Ok(())
}
