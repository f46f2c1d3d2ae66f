//! Checks on the plain-text fields every resource shares: names, slugs, URLs.

use uuid::Uuid;

use crate::error::{FieldCode, FieldError};

const WEBSITE_MAX_CHARS: usize = 2000;

/// Text shown as is by every frontend: at most `max_chars` characters, trimmed, and free of
/// HTML tags, which a frontend rendering it as HTML would otherwise execute.
///
/// A `<` followed by a letter, `/`, `!` or `?` starts a tag, a comment or a processing
/// instruction in HTML; any other `<` (`a < b`, `<3`) is ordinary text.
pub fn plain_text(field: &str, value: &str, max_chars: usize) -> Result<String, FieldError> {
    too_long(field, value, max_chars)?;
    let value = value.trim();
    let starts_tag = value.as_bytes().windows(2).any(|pair| {
        pair[0] == b'<' && (pair[1].is_ascii_alphabetic() || matches!(pair[1], b'/' | b'!' | b'?'))
    });
    if starts_tag {
        return Err(FieldError::new(
            field,
            FieldCode::Invalid,
            "must be plain text, without HTML tags",
        ));
    }
    Ok(value.to_owned())
}

/// The length limit holds for the value as sent, before trimming, so that it is the one the
/// OpenAPI document states (`maxLength`).
pub fn too_long(field: &str, value: &str, max_chars: usize) -> Result<(), FieldError> {
    if value.chars().count() > max_chars {
        Err(FieldError::new(
            field,
            FieldCode::TooLong,
            format!("must be at most {max_chars} characters"),
        ))
    } else {
        Ok(())
    }
}

/// A name: plain text of 1 to `max_chars` characters on one line.
pub fn name(field: &str, value: &str, max_chars: usize) -> Result<String, FieldError> {
    let value = plain_text(field, value, max_chars)?;
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
            "must be one line, without control characters",
        ))
    } else {
        Ok(value)
    }
}

/// An email address, trimmed and lower-cased: one `@`, a dotted domain, no spaces; at most 254
/// characters as sent (the longest a mail server takes).
pub fn email(field: &str, value: &str) -> Result<String, FieldError> {
    too_long(field, value, 254)?;
    let value = value.trim().to_lowercase();
    let invalid = || FieldError::new(field, FieldCode::Invalid, "must be an email address");
    if value.is_empty() {
        return Err(FieldError::new(
            field,
            FieldCode::Required,
            "must not be empty",
        ));
    }
    let (local, domain) = value.split_once('@').ok_or_else(invalid)?;
    let well_formed = !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains('@')
        && !value.chars().any(|c| c.is_whitespace() || c.is_control());
    if well_formed {
        Ok(value)
    } else {
        Err(invalid())
    }
}

/// A client-given slug, checked; `None` when the client left it out.
pub fn slug(value: Option<&str>) -> Result<Option<String>, FieldError> {
    value
        .map(|s| {
            let slug = crate::text::slug::parse(s)
                .map_err(|message| FieldError::new("slug", FieldCode::Invalid, message))?;
            // A slug that parses as an id could never be reached through `/{id}`.
            if Uuid::parse_str(&slug).is_ok() {
                return Err(FieldError::new(
                    "slug",
                    FieldCode::Invalid,
                    "must not have the form of an id",
                ));
            }
            Ok(slug)
        })
        .transpose()
}

/// The slug made from a name, or `fallback` when the name has no letters or digits to use.
pub fn slug_base(name: &str, fallback: &str) -> String {
    let base = crate::text::slug::slugify(name);
    if base.is_empty() {
        fallback.to_owned()
    } else {
        base
    }
}

/// Plain text, trimmed, where an absent or empty value means none.
pub fn optional_plain_text(
    field: &str,
    value: Option<&str>,
    max_chars: usize,
) -> Result<Option<String>, FieldError> {
    let text = value.map(|v| plain_text(field, v, max_chars)).transpose()?;
    Ok(text.filter(|t| !t.is_empty()))
}

/// An `http` or `https` URL with a host, or `None` for an empty value.
pub fn website(value: &str) -> Result<Option<String>, FieldError> {
    http_url("website", value)
}

/// An `http` or `https` URL with a host in `field`, or `None` for an empty value.
pub fn http_url(field: &str, value: &str) -> Result<Option<String>, FieldError> {
    too_long(field, value, WEBSITE_MAX_CHARS)?;
    let value = value.trim();
    if value.is_empty() {
        return Ok(None);
    }
    let invalid = || FieldError::new(field, FieldCode::Invalid, "must be an http or https URL");
    let lower = value.to_ascii_lowercase();
    let rest = ["https://", "http://"]
        .iter()
        .find_map(|scheme| lower.strip_prefix(scheme))
        .ok_or_else(invalid)?;
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host = authority.rsplit('@').next().unwrap_or_default();
    let host = host.split(':').next().unwrap_or_default();
    let well_formed = !host.is_empty()
        && !host.starts_with('.')
        && !host.ends_with('.')
        && !value
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || matches!(c, '<' | '>' | '"'));
    if well_formed {
        Ok(Some(value.to_owned()))
    } else {
        Err(invalid())
    }
}

/// A BCP 47 language tag such as `zh-CN` or `en`: a 2–3 letter language and optional subtags.
pub fn locale(value: &str) -> Result<String, FieldError> {
    let mut parts = value.split('-');
    let language_ok = parts
        .next()
        .is_some_and(|p| (2..=3).contains(&p.len()) && p.chars().all(|c| c.is_ascii_alphabetic()));
    let rest_ok =
        parts.all(|p| (2..=8).contains(&p.len()) && p.chars().all(|c| c.is_ascii_alphanumeric()));
    if language_ok && rest_ok && value.len() <= 35 {
        Ok(value.to_owned())
    } else {
        Err(FieldError::new(
            "locale",
            FieldCode::Invalid,
            "must be a language tag such as zh-CN or en",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_refuses_tags_but_not_angle_brackets() {
        for good in ["a < b", "<3", "1<2", "朝鲁门", "<", "a <= b", "<<"] {
            assert!(plain_text("name", good, 100).is_ok(), "{good:?}");
        }
        for bad in [
            "<b>x</b>",
            "x</p>",
            "<!-- c -->",
            "<?php",
            "<script>",
            "a<img src=x>",
        ] {
            assert_eq!(
                plain_text("name", bad, 100).map_err(|e| e.code),
                Err(FieldCode::Invalid),
                "{bad:?}"
            );
        }
        assert_eq!(
            plain_text("bio", &"字".repeat(6), 5).map_err(|e| e.code),
            Err(FieldCode::TooLong)
        );
        assert_eq!(plain_text("bio", "  x  ", 5).ok().as_deref(), Some("x"));
    }

    #[test]
    fn names_are_required_and_one_line() {
        assert_eq!(
            name("name", "   ", 100).map_err(|e| e.code),
            Err(FieldCode::Required)
        );
        assert_eq!(
            name("name", "a\nb", 100).map_err(|e| e.code),
            Err(FieldCode::Invalid)
        );
        assert_eq!(
            name("name", " 朝鲁门 ", 100).ok().as_deref(),
            Some("朝鲁门")
        );
    }

    #[test]
    fn websites_are_http_urls() {
        for good in [
            "https://example.com",
            "http://example.com/path?q=1#x",
            "HTTPS://Example.com:8443/",
            "https://user@例子.中国/",
        ] {
            assert!(
                matches!(website(good), Ok(Some(_))),
                "{good:?} should be accepted"
            );
        }
        assert_eq!(website("  "), Ok(None));
        for bad in [
            "example.com",
            "ftp://example.com",
            "javascript:alert(1)",
            "https://",
            "https:///path",
            "https://exa mple.com",
            "https://.com",
        ] {
            assert!(website(bad).is_err(), "{bad:?} should be refused");
        }
    }
}
