//! What every image's representation depends on beyond its own row: where files are served
//! from, the presets, and the watermark, read from the site settings in one statement.

use diesel::prelude::*;

use crate::{
    images::{
        model::Image,
        presets::{self, Derived, Position, Preset, Watermark},
        process::Format,
    },
    schema::{images, site_settings},
};

#[derive(Debug, Clone)]
pub struct Pictures {
    pub media_url: String,
    /// The built-in presets and the settings' own.
    pub presets: Vec<Preset>,
    pub watermark: Option<Watermark>,
}

impl Pictures {
    pub fn preset(&self, name: &str) -> Option<&Preset> {
        self.presets.iter().find(|p| p.name == name)
    }

    /// The watermark the width variants carry, if they carry one.
    pub fn variant_watermark(&self) -> Option<&Watermark> {
        self.watermark.as_ref().filter(|w| w.variants)
    }

    /// Every preset's files of `image` as they are now: cut to its crop for the preset, or
    /// around its focal point.
    pub fn files_of(&self, image: &Image) -> Vec<Derived> {
        let crops = image.crops();
        let format = Format::from_mime(&image.mime).unwrap_or(Format::Jpeg);
        self.presets
            .iter()
            .flat_map(|preset| {
                let focal = (image.focal_x, image.focal_y);
                let crop = presets::crop_for(preset, image.size(), focal, &crops);
                presets::files_of(preset, format, crop, self.watermark.as_ref())
            })
            .collect()
    }

    /// Whether `original.*` is for staff only: the watermark is on every public size, so the
    /// clean original must not be a way around it.
    pub fn originals_restricted(&self) -> bool {
        self.variant_watermark().is_some()
    }
}

type Row = (
    serde_json::Value,
    String,
    f64,
    f64,
    bool,
    Option<(String, String)>,
);

/// The current presets and watermark.
pub fn load(conn: &mut PgConnection, media_url: &str) -> QueryResult<Pictures> {
    let (custom, position, opacity, size, variants, mark): Row = site_settings::table
        .left_join(images::table.on(images::id.nullable().eq(site_settings::watermark_image_id)))
        .select((
            site_settings::presets,
            site_settings::watermark_position,
            site_settings::watermark_opacity,
            site_settings::watermark_size,
            site_settings::watermark_variants,
            (images::sha256, images::mime).nullable(),
        ))
        .first(conn)?;
    // Only ever written from checked presets; anything else reads as none.
    let custom: Vec<Preset> = serde_json::from_value(custom).unwrap_or_default();
    let watermark = mark.and_then(|(sha256, mime)| {
        Some(Watermark {
            sha256,
            format: Format::from_mime(&mime)?,
            position: Position::parse(&position).unwrap_or(Position::BottomRight),
            opacity,
            size,
            variants,
        })
    });
    Ok(Pictures {
        media_url: media_url.to_owned(),
        presets: presets::merged(custom),
        watermark,
    })
}
