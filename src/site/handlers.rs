use actix_web::{HttpResponse, get, patch, web};
use diesel::{Connection, PgConnection};

use crate::{
    auth::{AuthUser, Reader, min},
    cache, db,
    error::{ApiError, FieldCode, FieldError},
    etag::IfMatch,
    extract::Json,
    images::presets::{MAX_PRESETS, Preset},
    openapi::{PreconditionFailed, Public, Restricted, WithBody},
    site::{
        dto::{SiteParams, SiteView, UpdateSite},
        model::{
            COPYRIGHT_MAX_CHARS, DESCRIPTION_MAX_CHARS, FOOTER_MAX_CHARS, ICP_RECORD_MAX_CHARS,
            LOCALE_MAX_CHARS, SiteChanges, TITLE_MAX_CHARS,
        },
        queries,
    },
    state::AppState,
    text::fields,
};

/// Read the site settings.
///
/// Anyone. Title, description, logo, copyright, footer, ICP record number, locale, timezone,
/// the image presets and the watermark; `include=logo` embeds the logo image.
#[utoipa::path(
    tag = "site",
    params(SiteParams),
    responses(
        (status = 200, description = "The site settings", body = SiteView),
        (status = 304, description = "Not modified (`If-None-Match`)"),
        Public,
    ),
    security((), ("bearer" = [])),
)]
#[get("/site")]
pub async fn find_site(
    reader: Reader,
    state: web::Data<AppState>,
    params: web::Query<SiteParams>,
) -> Result<HttpResponse, ApiError> {
    let with_logo = include_logo(params.include.as_deref())?;
    let media_url = state.config.media_url.clone();
    let view = db::run(&state.pool, move |conn| {
        let site = queries::find(conn)?;
        let logo = match site.logo_id.filter(|_| with_logo) {
            Some(id) => crate::images::queries::by_ids(conn, &[id])?,
            None => Vec::new(),
        };
        let logo = crate::images::views(conn, logo, &media_url)?.pop();
        Ok(SiteView::new(site, logo))
    })
    .await?;
    let mut response = HttpResponse::Ok().json(view);
    cache::mark_public(&mut response, &reader, &state);
    Ok(response)
}

/// Change the site settings.
///
/// Admins only; absent fields stay as they are. The timezone is checked against PostgreSQL's list
/// of IANA names, the logo and the watermark against the images, and the presets one by one
/// (`presets[1].ratio`, …).
#[utoipa::path(
    tag = "site",
    params(
        ("If-Match" = Option<String>, Header, description = "The ETag last read; a stale one gives 412"),
    ),
    request_body = UpdateSite,
    responses(
        (status = 200, description = "The changed settings", body = SiteView),
        Restricted, PreconditionFailed, WithBody,
    ),
    security(("bearer" = [])),
)]
#[patch("/site")]
pub async fn update_site(
    _admin: AuthUser<min::Admin>,
    state: web::Data<AppState>,
    if_match: IfMatch,
    Json(body): Json<UpdateSite>,
) -> Result<HttpResponse, ApiError> {
    let (changes, mut errors) = parse(body);
    let media_url = state.config.media_url.clone();
    let view = db::run(&state.pool, move |conn| {
        conn.transaction(|conn| {
            let current = queries::find_for_update(conn)?;
            // The checks that need the database join the others, so one 422 lists them all.
            // A request that fails them fails whatever the precondition (RFC 9110, 13.2.1).
            errors.extend(check_in_database(conn, &changes)?);
            if !errors.is_empty() {
                return Err(ApiError::Validation(errors));
            }
            if_match.check(&SiteView::new(current, None))?;
            let site = queries::update(conn, &changes)?;
            if changes.watermark_image_id.is_some() {
                crate::articles::figures::refresh_all(conn, &media_url)?;
            }
            Ok(SiteView::new(site, None))
        })
    })
    .await?;
    Ok(HttpResponse::Ok().json(view))
}

/// `include` takes only `logo`; anything else is a typo worth a 400.
fn include_logo(include: Option<&str>) -> Result<bool, ApiError> {
    let mut logo = false;
    for relation in include.unwrap_or_default().split(',').map(str::trim) {
        match relation {
            "" => {}
            "logo" => logo = true,
            other => {
                return Err(ApiError::BadRequest(format!(
                    "include: {other:?} cannot be included; use logo"
                )));
            }
        }
    }
    Ok(logo)
}

/// The changes, and every field that failed the checks needing no database.
fn parse(body: UpdateSite) -> (SiteChanges, Vec<FieldError>) {
    let mut errors = Vec::new();
    let mut keep = |result: Option<Result<String, FieldError>>| match result {
        Some(Ok(value)) => Some(value),
        Some(Err(error)) => {
            errors.push(error);
            None
        }
        None => None,
    };
    let text = |field: &'static str, max: usize| {
        move |value: &String| fields::plain_text(field, value, max)
    };
    let changes = SiteChanges {
        title: keep(
            body.title
                .as_deref()
                .map(|t| fields::name("title", t, TITLE_MAX_CHARS)),
        ),
        description: keep(
            body.description
                .as_ref()
                .map(text("description", DESCRIPTION_MAX_CHARS)),
        ),
        logo_id: body.logo,
        copyright: keep(
            body.copyright
                .as_ref()
                .map(text("copyright", COPYRIGHT_MAX_CHARS)),
        ),
        footer: keep(body.footer.as_ref().map(text("footer", FOOTER_MAX_CHARS))),
        icp_record: keep(
            body.icp_record
                .as_ref()
                .map(text("icp_record", ICP_RECORD_MAX_CHARS)),
        ),
        locale: keep(body.locale.as_deref().map(|l| {
            fields::too_long("locale", l, LOCALE_MAX_CHARS).and_then(|()| fields::locale(l.trim()))
        })),
        timezone: keep(body.timezone.as_deref().map(|t| timezone(t.trim()))),
        presets: body.presets.and_then(|list| match presets(&list) {
            Ok(()) => serde_json::to_value(list).ok(),
            Err(problems) => {
                errors.extend(problems);
                None
            }
        }),
        watermark_image_id: body.watermark.as_ref().map(|w| w.as_ref().map(|w| w.image)),
        watermark_position: body
            .watermark
            .as_ref()
            .and_then(|w| w.as_ref().map(|w| w.position.as_str().to_owned())),
        watermark_opacity: body
            .watermark
            .as_ref()
            .and_then(|w| w.as_ref().map(|w| w.opacity)),
        watermark_size: body
            .watermark
            .as_ref()
            .and_then(|w| w.as_ref().map(|w| w.size)),
        watermark_variants: body
            .watermark
            .as_ref()
            .and_then(|w| w.as_ref().map(|w| w.variants)),
    };
    if let Some(Some(watermark)) = &body.watermark {
        for (field, value) in [("opacity", watermark.opacity), ("size", watermark.size)] {
            if !(value > 0.0 && value <= 1.0) {
                errors.push(FieldError::new(
                    format!("watermark.{field}"),
                    FieldCode::Invalid,
                    "must be above 0 and at most 1",
                ));
            }
        }
    }
    (changes, errors)
}

/// Every problem of the site's presets, each under `presets[i].field`.
fn presets(list: &[Preset]) -> Result<(), Vec<FieldError>> {
    let mut errors = Vec::new();
    if list.len() > MAX_PRESETS {
        errors.push(FieldError::new(
            "presets",
            FieldCode::TooLong,
            format!("at most {MAX_PRESETS} presets"),
        ));
    }
    for (index, preset) in list.iter().enumerate() {
        for (field, message) in preset.problems() {
            errors.push(FieldError::new(
                format!("presets[{index}].{field}"),
                FieldCode::Invalid,
                message,
            ));
        }
        if list[..index].iter().any(|p| p.name == preset.name) {
            errors.push(FieldError::new(
                format!("presets[{index}].name"),
                FieldCode::Taken,
                "another preset in the list has this name",
            ));
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

fn timezone(value: &str) -> Result<String, FieldError> {
    if value.is_empty() {
        Err(FieldError::new(
            "timezone",
            FieldCode::Required,
            "must not be empty",
        ))
    } else {
        Ok(value.to_owned())
    }
}

fn check_in_database(
    conn: &mut PgConnection,
    changes: &SiteChanges,
) -> Result<Vec<FieldError>, ApiError> {
    let mut errors = Vec::new();
    if let Some(Some(logo)) = changes.logo_id {
        errors.extend(crate::images::missing(conn, "logo", logo)?);
    }
    if let Some(Some(mark)) = changes.watermark_image_id {
        errors.extend(crate::images::missing(conn, "watermark.image", mark)?);
    }
    if let Some(timezone) = &changes.timezone
        && !queries::timezone_exists(conn, timezone)?
    {
        errors.push(FieldError::new(
            "timezone",
            FieldCode::Invalid,
            "must be an IANA time zone name such as Asia/Shanghai or UTC",
        ));
    }
    Ok(errors)
}
