//! Presets: named shapes with widths that a picture's derived files are cut to, around its focal
//! point or a crop an editor drew, and the names those files are stored and served under.
//!
//! A derived file's name holds everything its pixels depend on except the upload itself, whose
//! hash is the folder: `card_640x480_c0-120-4000-3000.webp`, with `_w{fingerprint}` when a
//! watermark is drawn on it. A new focal point, crop or watermark gives new names, so a cache
//! never serves a stale crop, and the files can be cached forever.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

use crate::images::process::Format;

/// The most widths a preset may have.
pub const MAX_WIDTHS: usize = 8;
/// The widest file a preset or a transform URL may ask for.
pub const MAX_WIDTH: u32 = 4096;
/// The most presets the site settings may add.
pub const MAX_PRESETS: usize = 20;
/// What a transform's file name starts with where a preset's has the preset's name.
const TRANSFORM_LABEL: &str = "t";

/// A named aspect ratio with the widths its files are made at.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Preset {
    /// Lower-case letters and digits in words joined by hyphens; `hero`, `card` and `square`
    /// are built in, and a preset of the same name in the settings replaces them.
    #[schema(
        example = "card",
        max_length = 40,
        pattern = r#"^[a-z0-9]+(?:-[a-z0-9]+)*$"#
    )]
    pub name: String,
    /// Width to height, as `W:H` (each 1 to 100).
    #[schema(
        example = "4:3",
        pattern = r#"^(?:100|[1-9][0-9]?):(?:100|[1-9][0-9]?)$"#
    )]
    pub ratio: String,
    /// The widths of its files, in pixels (16 to 4096); a picture only gets those no wider than
    /// its crop.
    #[schema(min_items = 1, max_items = 8, example = json!([320, 640, 960]))]
    pub widths: Vec<u32>,
    /// `original` (the picture's own format) and/or `webp`.
    #[serde(default = "both_formats")]
    #[schema(min_items = 1, max_items = 2)]
    pub formats: Vec<PresetFormat>,
    /// Whether the site's watermark is drawn on its files.
    #[serde(default)]
    pub watermark: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum PresetFormat {
    Original,
    Webp,
}

fn both_formats() -> Vec<PresetFormat> {
    vec![PresetFormat::Original, PresetFormat::Webp]
}

impl Preset {
    fn built_in(name: &str, ratio: &str, widths: &[u32]) -> Self {
        Self {
            name: name.into(),
            ratio: ratio.into(),
            widths: widths.to_vec(),
            formats: both_formats(),
            watermark: false,
        }
    }

    /// `(width, height)` of the ratio; a ratio that does not parse (never stored: the settings
    /// check it) counts as square.
    pub fn ratio(&self) -> (u32, u32) {
        parse_ratio(&self.ratio).unwrap_or((1, 1))
    }

    /// The problems of a preset from the settings, as `(field, message)` under `presets[i]`.
    pub fn problems(&self) -> Vec<(&'static str, String)> {
        let mut problems = Vec::new();
        if !is_name(&self.name) {
            problems.push((
                "name",
                "must be lower-case letters and digits in words joined by hyphens, at most 40 characters".into(),
            ));
        } else if self.name == TRANSFORM_LABEL {
            problems.push(("name", "`t` names the signed transforms' files".into()));
        }
        if parse_ratio(&self.ratio).is_none() {
            problems.push(("ratio", "must be W:H with each from 1 to 100".into()));
        }
        if self.widths.is_empty() || self.widths.len() > MAX_WIDTHS {
            problems.push(("widths", format!("must list 1 to {MAX_WIDTHS} widths")));
        } else if self.widths.iter().any(|w| !(16..=MAX_WIDTH).contains(w)) {
            problems.push(("widths", format!("each must be from 16 to {MAX_WIDTH}")));
        }
        if self.formats.is_empty() {
            problems.push(("formats", "must name original, webp or both".into()));
        }
        problems
    }
}

/// Whether `name` is a well-formed preset name (not whether the site has it).
pub fn is_name(name: &str) -> bool {
    name.len() <= 40
        && !name.is_empty()
        && name.split('-').all(|w| {
            !w.is_empty()
                && w.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
}

fn parse_ratio(ratio: &str) -> Option<(u32, u32)> {
    let (w, h) = ratio.split_once(':')?;
    let digits = |s: &str| !s.is_empty() && s.len() <= 3 && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(w) || !digits(h) {
        return None;
    }
    let (w, h) = (w.parse().ok()?, h.parse().ok()?);
    ((1..=100).contains(&w) && (1..=100).contains(&h)).then_some((w, h))
}

/// The built-in presets: a hero banner, a list card and a square thumbnail.
pub fn built_in() -> Vec<Preset> {
    vec![
        Preset::built_in("hero", "16:9", &[640, 1280, 1920]),
        Preset::built_in("card", "4:3", &[320, 640, 960]),
        Preset::built_in("square", "1:1", &[160, 320, 640]),
    ]
}

/// The built-in presets with the settings' own: one of the same name replaces a built-in.
pub fn merged(custom: Vec<Preset>) -> Vec<Preset> {
    let mut presets = built_in();
    for preset in custom {
        match presets.iter_mut().find(|p| p.name == preset.name) {
            Some(slot) => *slot = preset,
            None => presets.push(preset),
        }
    }
    presets
}

/// A rectangle of a picture, in its pixels as seen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Rect {
    #[schema(minimum = 0, example = 0)]
    pub x: u32,
    #[schema(minimum = 0, example = 120)]
    pub y: u32,
    #[schema(minimum = 1, example = 4000)]
    pub width: u32,
    #[schema(minimum = 1, example = 3000)]
    pub height: u32,
}

impl Rect {
    /// Whether the rectangle has pixels and lies inside a picture of this size.
    pub fn fits(&self, width: u32, height: u32) -> bool {
        self.width > 0
            && self.height > 0
            && u64::from(self.x) + u64::from(self.width) <= u64::from(width)
            && u64::from(self.y) + u64::from(self.height) <= u64::from(height)
    }
}

/// Per-preset crops of one picture, by preset name.
pub type Crops = BTreeMap<String, Rect>;

/// The largest rectangle of `ratio` inside `within`, as close to centred on the point
/// `(focus_x, focus_y)` (in the picture's pixels) as it can be without leaving `within`.
pub fn crop_around(within: Rect, ratio: (u32, u32), focus_x: f64, focus_y: f64) -> Rect {
    let (rw, rh) = (u64::from(ratio.0.max(1)), u64::from(ratio.1.max(1)));
    let (w, h) = (u64::from(within.width), u64::from(within.height));
    // Full width if the area is taller than the ratio, else full height.
    let (cw, ch) = if w * rh <= h * rw {
        (w, (w * rh / rw).max(1))
    } else {
        ((h * rw / rh).max(1), h)
    };
    let place = |start: u32, span: u64, size: u64, focus: f64| -> u32 {
        let wanted = focus - size as f64 / 2.0 - f64::from(start);
        let offset = wanted.round().clamp(0.0, (span - size) as f64) as u64;
        u32::try_from(u64::from(start) + offset).unwrap_or(u32::MAX)
    };
    Rect {
        x: place(within.x, w, cw, focus_x),
        y: place(within.y, h, ch, focus_y),
        width: u32::try_from(cw).unwrap_or(u32::MAX),
        height: u32::try_from(ch).unwrap_or(u32::MAX),
    }
}

/// The height of a file `width` wide in `ratio`.
pub fn height_for(width: u32, ratio: (u32, u32)) -> u32 {
    let (rw, rh) = (u64::from(ratio.0.max(1)), u64::from(ratio.1.max(1)));
    u32::try_from((u64::from(width) * rh + rw / 2) / rw)
        .unwrap_or(u32::MAX)
        .max(1)
}

/// The site's watermark, as far as the files drawn with it depend on it.
#[derive(Debug, Clone, PartialEq)]
pub struct Watermark {
    /// The watermark picture's files: its upload's hash and type.
    pub sha256: String,
    pub format: Format,
    pub position: Position,
    /// 0 (invisible) to 1.
    pub opacity: f64,
    /// Its width as a fraction of the picture's.
    pub size: f64,
    /// Whether the width variants carry it too.
    pub variants: bool,
}

impl Watermark {
    /// Eight hex digits naming these settings in file names.
    pub fn fingerprint(&self) -> String {
        let digest = Sha256::digest(format!(
            "{}|{}|{:.4}|{:.4}",
            self.sha256,
            self.position.as_str(),
            self.opacity,
            self.size
        ));
        digest[..4].iter().map(|b| format!("{b:02x}")).collect()
    }
}

/// Where the watermark goes on a picture.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Position {
    TopLeft,
    Top,
    TopRight,
    Left,
    Center,
    Right,
    BottomLeft,
    Bottom,
    BottomRight,
}

impl Position {
    pub const ALL: [Self; 9] = [
        Self::TopLeft,
        Self::Top,
        Self::TopRight,
        Self::Left,
        Self::Center,
        Self::Right,
        Self::BottomLeft,
        Self::Bottom,
        Self::BottomRight,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::TopLeft => "top-left",
            Self::Top => "top",
            Self::TopRight => "top-right",
            Self::Left => "left",
            Self::Center => "center",
            Self::Right => "right",
            Self::BottomLeft => "bottom-left",
            Self::Bottom => "bottom",
            Self::BottomRight => "bottom-right",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.as_str() == value)
    }

    /// Where along each axis: 0 start, 1 middle, 2 end.
    pub fn thirds(self) -> (u8, u8) {
        let index = Self::ALL.iter().position(|p| *p == self).unwrap_or(8) as u8;
        (index % 3, index / 3)
    }
}

/// One derived file: a preset's or a signed transform's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Derived {
    /// The preset's name, or `None` for a transform.
    pub preset: Option<String>,
    pub width: u32,
    pub height: u32,
    pub crop: Rect,
    /// The fingerprint of the watermark drawn on it.
    pub watermark: Option<String>,
    pub format: Format,
}

impl Derived {
    /// The name without the extension and, for a transform, without its signature.
    pub fn stem(&self) -> String {
        let Rect {
            x,
            y,
            width,
            height,
        } = self.crop;
        let mut stem = format!(
            "{}_{}x{}_c{x}-{y}-{width}-{height}",
            self.preset.as_deref().unwrap_or(TRANSFORM_LABEL),
            self.width,
            self.height
        );
        if let Some(fingerprint) = &self.watermark {
            stem.push_str("_w");
            stem.push_str(fingerprint);
        }
        stem
    }

    /// The file name of a preset's file.
    pub fn name(&self) -> String {
        self.name_with(None)
    }

    /// The file name, with a transform's signature.
    pub fn name_with(&self, signature: Option<&str>) -> String {
        match signature {
            Some(signature) => format!("{}_s{signature}.{}", self.stem(), self.format.extension()),
            None => format!("{}.{}", self.stem(), self.format.extension()),
        }
    }

    /// Reads a name made by [`Derived::name`] (a preset's) or a transform's, whose stem ends in
    /// `_s{signature}`: returns the file and the signature.
    pub fn parse(name: &str) -> Option<(Self, Option<String>)> {
        let (stem, extension) = name.rsplit_once('.')?;
        let format = Format::from_extension(extension)?;
        let mut parts = stem.split('_');
        let label = parts.next()?;
        let (width, height) = parts.next()?.split_once('x')?;
        let crop: Vec<u32> = parts
            .next()?
            .strip_prefix('c')?
            .split('-')
            .map(number)
            .collect::<Option<_>>()?;
        let [x, y, crop_width, crop_height] = crop[..] else {
            return None;
        };
        let mut watermark = None;
        let mut signature = None;
        for part in parts {
            match part.split_at_checked(1)? {
                ("w", fp) if watermark.is_none() && signature.is_none() && is_hex(fp, 8) => {
                    watermark = Some(fp.to_owned());
                }
                ("s", sig) if signature.is_none() && is_hex(sig, 32) => {
                    signature = Some(sig.to_owned());
                }
                _ => return None,
            }
        }
        let preset = match label {
            TRANSFORM_LABEL => None,
            name if is_name(name) => Some(name.to_owned()),
            _ => return None,
        };
        // A preset's file has no signature, a transform's always has one.
        if preset.is_some() == signature.is_some() {
            return None;
        }
        let derived = Self {
            preset,
            width: number(width)?,
            height: number(height)?,
            crop: Rect {
                x,
                y,
                width: crop_width,
                height: crop_height,
            },
            watermark,
            format,
        };
        // Only the canonical spelling of a name: no leading zeros, so one file has one name.
        (derived.stem().len() + signature.as_ref().map_or(0, |s| s.len() + 2) + 1 + extension.len()
            == name.len())
        .then_some((derived, signature))
    }
}

fn number(text: &str) -> Option<u32> {
    if text.is_empty() || text.len() > 9 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

fn is_hex(text: &str, len: usize) -> bool {
    text.len() == len
        && text
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// Every file of `preset` for a picture `width`×`height` of `format`, cut to `crop`.
pub fn files_of(
    preset: &Preset,
    format: Format,
    crop: Rect,
    watermark: Option<&Watermark>,
) -> Vec<Derived> {
    let ratio = preset.ratio();
    let mut widths: Vec<u32> = preset
        .widths
        .iter()
        .copied()
        .filter(|w| *w <= crop.width)
        .collect();
    widths.sort_unstable();
    widths.dedup();
    if widths.is_empty() {
        // A crop narrower than every width still gets one file, at its own size.
        widths.push(crop.width);
    }
    let fingerprint = watermark
        .filter(|_| preset.watermark)
        .map(Watermark::fingerprint);
    let mut formats = Vec::new();
    if preset.formats.contains(&PresetFormat::Original) {
        formats.push(format);
    }
    if preset.formats.contains(&PresetFormat::Webp) && !formats.contains(&Format::WebP) {
        formats.push(Format::WebP);
    }
    widths
        .into_iter()
        .flat_map(|width| {
            let fingerprint = fingerprint.clone();
            formats.iter().map(move |format| Derived {
                preset: Some(preset.name.clone()),
                width,
                height: height_for(width, ratio),
                crop,
                watermark: fingerprint.clone(),
                format: *format,
            })
        })
        .collect()
}

/// The crop of `preset` for a picture: the editor's rectangle, narrowed to the preset's ratio
/// around its centre, or the largest rectangle of that ratio around the focal point.
pub fn crop_for(preset: &Preset, size: (u32, u32), focal: (f64, f64), crops: &Crops) -> Rect {
    let whole = Rect {
        x: 0,
        y: 0,
        width: size.0.max(1),
        height: size.1.max(1),
    };
    match crops.get(&preset.name).filter(|r| r.fits(size.0, size.1)) {
        Some(rect) => crop_around(
            *rect,
            preset.ratio(),
            f64::from(rect.x) + f64::from(rect.width) / 2.0,
            f64::from(rect.y) + f64::from(rect.height) / 2.0,
        ),
        None => crop_around(
            whole,
            preset.ratio(),
            focal.0 * f64::from(whole.width),
            focal.1 * f64::from(whole.height),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn card() -> Preset {
        built_in().swap_remove(1)
    }

    #[test]
    fn crops_keep_the_focal_point_in_view_and_stay_inside() {
        let whole = Rect {
            x: 0,
            y: 0,
            width: 4000,
            height: 3000,
        };
        // 16:9 of a 4:3 picture: full width, the height moves with the point.
        let top = crop_around(whole, (16, 9), 2000.0, 0.0);
        assert_eq!((top.x, top.y, top.width, top.height), (0, 0, 4000, 2250));
        let low = crop_around(whole, (16, 9), 2000.0, 2700.0);
        assert_eq!((low.y, low.height), (750, 2250));
        let middle = crop_around(whole, (16, 9), 2000.0, 1500.0);
        assert_eq!(middle.y, 375);
        // A square: full height, the width moves.
        let right = crop_around(whole, (1, 1), 3900.0, 1500.0);
        assert_eq!((right.x, right.width, right.height), (1000, 3000, 3000));
        let left = crop_around(whole, (1, 1), 1000.0, 1500.0);
        assert_eq!(left.x, 0);
    }

    #[test]
    fn an_editors_crop_wins_and_is_narrowed_to_the_ratio() {
        let crops = Crops::from([(
            "card".to_owned(),
            Rect {
                x: 100,
                y: 100,
                width: 800,
                height: 800,
            },
        )]);
        let rect = crop_for(&card(), (4000, 3000), (0.0, 0.0), &crops);
        assert_eq!(
            (rect.x, rect.y, rect.width, rect.height),
            (100, 200, 800, 600)
        );
        // A rectangle outside the picture (left from before a change) is ignored.
        let rect = crop_for(&card(), (500, 500), (0.5, 0.5), &crops);
        assert_eq!((rect.x, rect.y, rect.width, rect.height), (0, 63, 500, 375));
    }

    #[test]
    fn names_hold_everything_the_pixels_depend_on_and_read_back() {
        let files = files_of(
            &card(),
            Format::Jpeg,
            Rect {
                x: 0,
                y: 0,
                width: 700,
                height: 525,
            },
            None,
        );
        let names: Vec<String> = files.iter().map(Derived::name).collect();
        assert_eq!(
            names,
            [
                "card_320x240_c0-0-700-525.jpg",
                "card_320x240_c0-0-700-525.webp",
                "card_640x480_c0-0-700-525.jpg",
                "card_640x480_c0-0-700-525.webp"
            ]
        );
        for file in &files {
            assert_eq!(Derived::parse(&file.name()), Some((file.clone(), None)));
        }
        let signed = "t_100x50_c1-2-300-150_wdeadbeef_s0123456789abcdef0123456789abcdef.png";
        let (file, signature) = Derived::parse(signed).expect("a transform's name");
        assert_eq!(file.preset, None);
        assert_eq!(file.watermark.as_deref(), Some("deadbeef"));
        assert_eq!(
            signature.as_deref(),
            Some("0123456789abcdef0123456789abcdef")
        );
        for bad in [
            "card_640x480_c0-0-700-525.jpeg",
            "card_0640x480_c0-0-700-525.jpg",
            "card_640x480_c0-0-700.jpg",
            "t_100x50_c1-2-300-150.png",
            "card_640x480_c0-0-700-525_s0123456789abcdef0123456789abcdef.jpg",
            "Card_640x480_c0-0-700-525.jpg",
            "card_640x480_c0-0-700-525_wXYZ.jpg",
            "../card_640x480_c0-0-700-525.jpg",
            "original.jpg",
            "640.jpg",
        ] {
            assert_eq!(Derived::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_crop_narrower_than_every_width_gets_one_file_at_its_size() {
        let files = files_of(
            &card(),
            Format::WebP,
            Rect {
                x: 0,
                y: 0,
                width: 200,
                height: 150,
            },
            None,
        );
        assert_eq!(files.len(), 1);
        assert_eq!((files[0].width, files[0].height), (200, 150));
    }

    fn banner_like() -> Preset {
        Preset {
            name: "wide-banner".into(),
            ratio: "3:1".into(),
            widths: vec![1200],
            formats: vec![PresetFormat::Webp],
            watermark: false,
        }
    }

    #[test]
    fn settings_presets_are_checked_and_replace_built_ins_by_name() {
        let mut hero = built_in().remove(0);
        hero.watermark = true;
        let banner = banner_like();
        assert!(banner.problems().is_empty());
        let merged = merged(vec![hero.clone(), banner]);
        assert_eq!(merged.len(), 4);
        assert_eq!(merged[0], hero);
        let reserved = Preset {
            name: "t".into(),
            ..banner_like()
        };
        assert_eq!(reserved.problems().len(), 1);
        let bad = Preset {
            name: "Bad_Name".into(),
            ratio: "0:1".into(),
            widths: vec![8],
            formats: vec![],
            watermark: false,
        };
        let fields: Vec<&str> = bad.problems().into_iter().map(|(f, _)| f).collect();
        assert_eq!(fields, ["name", "ratio", "widths", "formats"]);
    }
}
