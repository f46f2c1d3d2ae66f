//! Images on the wire.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::{
    extract::nullable,
    images::{
        model::Image,
        pictures::Pictures,
        presets::{Crops, Rect},
        process::{self, Format},
    },
    text::markdown::InlineImage,
};

/// An uploaded picture with its responsive variants.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ImageView {
    pub id: Uuid,
    /// The original, metadata removed, as large as it was uploaded.
    #[schema(
        example = "/media/9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08/original.jpg"
    )]
    pub url: String,
    /// In pixels, as the picture is seen (EXIF orientation applied).
    #[schema(example = 4000)]
    pub width: i32,
    #[schema(example = 3000)]
    pub height: i32,
    /// Told from the file's content, not its name.
    #[schema(example = "image/jpeg")]
    pub mime: String,
    /// The size of the original served at `url`.
    #[schema(example = 2483921)]
    pub size_bytes: i64,
    /// SHA-256 of the uploaded bytes. Uploads of the same bytes share one set of files.
    #[schema(example = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08")]
    pub sha256: String,
    pub title: Option<String>,
    /// Text for readers who cannot see the picture; empty when not given.
    #[schema(example = "工作人员为老人测量血压")]
    pub alt: String,
    #[schema(example = "社区卫生服务站的工作人员为老人测量血压。")]
    pub caption: Option<String>,
    /// The photographer or agency, shown after the caption.
    #[schema(example = "朝鲁门 摄")]
    pub credit: Option<String>,
    /// A BlurHash placeholder to paint while the picture loads.
    #[schema(example = "LEHV6nWB2yk8pyo0adR*.7kCMdnj")]
    pub blurhash: String,
    /// Smaller copies for `srcset`, narrowest first, in the original format and in WebP; none
    /// wider than the original. Made right after upload; one asked for before it is ready is
    /// made on the spot. Their names carry the watermark's fingerprint when the site draws it
    /// on them.
    pub variants: Vec<VariantView>,
    /// Where the picture's subject is, from 0 (left) to 1 (right); the presets' crops keep it
    /// in view.
    #[schema(example = 0.5)]
    pub focal_x: f64,
    /// From 0 (top) to 1 (bottom).
    #[schema(example = 0.5)]
    pub focal_y: f64,
    /// Rectangles an editor drew for some presets, by preset name, in the picture's pixels;
    /// they override the focal point for those presets.
    #[schema(value_type = BTreeMap<String, Rect>)]
    pub crops: Crops,
    /// The `http(s)` URL an imported picture came from.
    #[schema(example = "https://www.example.com/photos/nadam.jpg")]
    pub source_url: Option<String>,
    /// The presets' files (`hero` 16:9, `card` 4:3, `square` 1:1 and the site's own), cut
    /// around the focal point or the preset's crop, in the original format and WebP; made on
    /// first request. `?preset=` narrows the list to one preset.
    pub presets: Vec<PresetFileView>,
    pub created_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    #[schema(example = 1)]
    pub version: i32,
}

/// One file of a preset.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PresetFileView {
    #[schema(example = "card")]
    pub preset: String,
    #[schema(example = 640)]
    pub width: u32,
    #[schema(example = 480)]
    pub height: u32,
    /// `jpeg`, `png`, `gif` or `webp`.
    #[schema(example = "webp")]
    pub format: String,
    #[schema(
        example = "/media/9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08/card_640x480_c0-0-4000-3000.webp"
    )]
    pub url: String,
}

/// One responsive copy of an image.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct VariantView {
    #[schema(example = 640)]
    pub width: i32,
    #[schema(example = 480)]
    pub height: i32,
    /// `jpeg`, `png`, `gif` or `webp`.
    #[schema(example = "webp")]
    pub format: String,
    #[schema(example = "image/webp")]
    pub mime: String,
    #[schema(
        example = "/media/9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08/640.webp"
    )]
    pub url: String,
}

impl ImageView {
    pub fn new(image: Image, pictures: &Pictures) -> Self {
        let format = Format::from_mime(&image.mime).unwrap_or(Format::Jpeg);
        let base = format!("{}/{}", pictures.media_url, image.sha256);
        let mark = pictures
            .variant_watermark()
            .map(|w| format!("_w{}", w.fingerprint()))
            .unwrap_or_default();
        let variants = variant_files(format, image.width, image.height)
            .map(|(width, height, format)| VariantView {
                width,
                height,
                format: format_name(format).into(),
                mime: format.mime().into(),
                url: format!("{base}/{width}{mark}.{}", format.extension()),
            })
            .collect();
        let presets = pictures
            .files_of(&image)
            .into_iter()
            .map(|file| PresetFileView {
                url: format!("{base}/{}", file.name()),
                preset: file.preset.unwrap_or_default(),
                width: file.width,
                height: file.height,
                format: format_name(file.format).into(),
            })
            .collect();
        let crops = image.crops();
        Self {
            id: image.id,
            url: format!("{base}/original.{}", format.extension()),
            width: image.width,
            height: image.height,
            mime: image.mime,
            size_bytes: image.size_bytes,
            sha256: image.sha256,
            title: image.title,
            alt: image.alt,
            caption: image.caption,
            credit: image.credit,
            blurhash: image.blurhash,
            variants,
            focal_x: image.focal_x,
            focal_y: image.focal_y,
            crops,
            source_url: image.source_url,
            presets,
            created_by: image.created_by,
            created_at: image.created_at,
            updated_at: image.updated_at,
            version: image.version,
        }
    }

    /// The view with only `preset`'s files.
    pub fn only_preset(mut self, preset: &str) -> Self {
        self.presets.retain(|file| file.preset == preset);
        self
    }

    /// What an article body's figure needs: a WebP `srcset` and one in the original format over
    /// the variants, and the original itself unless it is for staff only (then the largest
    /// variant stands in for it).
    pub fn inline(&self, originals_restricted: bool) -> InlineImage {
        let webp = self.mime == Format::WebP.mime();
        let candidates = |mime: &str| -> Vec<(String, i32, i32)> {
            self.variants
                .iter()
                .filter(|v| v.mime == mime)
                .map(|v| (v.url.clone(), v.width, v.height))
                .collect()
        };
        let mut own = candidates(&self.mime);
        let in_webp = if webp {
            Vec::new()
        } else {
            candidates(Format::WebP.mime())
        };
        if !originals_restricted {
            own.push((self.url.clone(), self.width, self.height));
        }
        // A list of one in the original format says no more than `src`.
        let srcset = |list: &[(String, i32, i32)], least: usize| -> String {
            if list.len() < least {
                return String::new();
            }
            list.iter()
                .map(|(url, width, _)| format!("{url} {width}w"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let (url, width, height) = own
            .last()
            .cloned()
            .unwrap_or_else(|| (self.url.clone(), self.width, self.height));
        InlineImage {
            url,
            srcset: srcset(&own, 2),
            webp_srcset: srcset(&in_webp, 1),
            width,
            height,
            caption: self.caption.clone(),
            credit: self.credit.clone(),
        }
    }
}

pub fn format_name(format: Format) -> &'static str {
    match format {
        Format::Jpeg => "jpeg",
        Format::Png => "png",
        Format::WebP => "webp",
        Format::Gif => "gif",
    }
}

/// `(width, height, format)` of every variant of a picture, narrowest first.
pub fn variant_files(
    format: Format,
    width: i32,
    height: i32,
) -> impl Iterator<Item = (i32, i32, Format)> {
    let (w, h) = (width.max(1).unsigned_abs(), height.max(1).unsigned_abs());
    process::variant_widths(w).flat_map(move |to| {
        let scaled = process::scaled_height(w, h, to);
        let (to, scaled) = (to as i32, i32::try_from(scaled).unwrap_or(i32::MAX));
        let mut files = vec![(to, scaled, format)];
        if format != Format::WebP {
            files.push((to, scaled, Format::WebP));
        }
        files
    })
}

/// The text fields to change; absent fields stay, `null` clears a nullable one.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateImage {
    /// At most 300 characters of plain text.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(max_length = 300, pattern = r#"^[^<]*(?:<(?![A-Za-z/!?])[^<]*)*$"#)]
    pub title: Option<Option<String>>,
    /// At most 1000 characters of plain text; empty for a decorative picture.
    #[schema(
        example = "工作人员为老人测量血压",
        max_length = 1000,
        pattern = r#"^[^<]*(?:<(?![A-Za-z/!?])[^<]*)*$"#
    )]
    pub alt: Option<String>,
    /// At most 2000 characters of plain text. Figures in article bodies follow the change.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(
        example = "社区卫生服务站的工作人员为老人测量血压。",
        max_length = 2000,
        pattern = r#"^[^<]*(?:<(?![A-Za-z/!?])[^<]*)*$"#
    )]
    pub caption: Option<Option<String>>,
    /// At most 300 characters of plain text.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(
        example = "朝鲁门 摄",
        max_length = 300,
        pattern = r#"^[^<]*(?:<(?![A-Za-z/!?])[^<]*)*$"#
    )]
    pub credit: Option<Option<String>>,
    /// Where the subject is, from 0 (left) to 1 (right). The presets' files get new URLs.
    #[schema(minimum = 0, maximum = 1, example = 0.3)]
    pub focal_x: Option<f64>,
    /// From 0 (top) to 1 (bottom).
    #[schema(minimum = 0, maximum = 1, example = 0.4)]
    pub focal_y: Option<f64>,
    /// Crops by preset name, merged into those set before: a rectangle inside the picture
    /// (narrowed to the preset's ratio around its centre), or `null` to go back to the focal
    /// point.
    #[schema(value_type = Option<BTreeMap<String, serde_json::Value>>, example = json!({"card": {"x": 0, "y": 120, "width": 4000, "height": 3000}, "square": null}))]
    pub crops: Option<BTreeMap<String, Option<Rect>>>,
}

/// `?preset=` on image reads.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PresetParams {
    /// List only this preset's files.
    #[param(
        example = "card",
        max_length = 40,
        pattern = r#"^[a-z0-9]+(?:-[a-z0-9]+)*$"#
    )]
    pub preset: Option<String>,
}

/// What a signed transform URL makes: a picture of exactly this size, cut around the focal
/// point (or inside the preset's crop) to its shape.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TransformRequest {
    /// At most the picture's own width and 4096.
    #[schema(minimum = 1, maximum = 4096, example = 1200)]
    pub width: u32,
    /// At most the picture's own height and 4096.
    #[schema(minimum = 1, maximum = 4096, example = 630)]
    pub height: u32,
    /// Cut inside this preset's crop, and draw the watermark when the preset is marked for it.
    /// Without one, the watermark is drawn when the variants carry it.
    #[schema(example = "hero", max_length = 40)]
    pub preset: Option<String>,
    /// The file's format; the picture's own when omitted.
    pub format: Option<FileFormat>,
}

#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum FileFormat {
    Jpeg,
    Png,
    Webp,
    Gif,
}

impl From<FileFormat> for Format {
    fn from(format: FileFormat) -> Self {
        match format {
            FileFormat::Jpeg => Self::Jpeg,
            FileFormat::Png => Self::Png,
            FileFormat::Webp => Self::WebP,
            FileFormat::Gif => Self::Gif,
        }
    }
}

/// A signed URL of a file no preset lists, made on its first request and immutable.
#[derive(Debug, Serialize, ToSchema)]
pub struct TransformView {
    #[schema(
        example = "/media/9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08/t_1200x630_c0-0-4000-2100_s0123456789abcdef0123456789abcdef.jpg"
    )]
    pub url: String,
    #[schema(example = 1200)]
    pub width: u32,
    #[schema(example = 630)]
    pub height: u32,
    #[schema(example = "jpeg")]
    pub format: String,
}

/// A remote picture to copy into the library.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ImportImage {
    /// An `http` or `https` URL of a JPEG, PNG, WebP or GIF image.
    #[schema(
        example = "https://www.example.com/photos/nadam.jpg",
        max_length = 2048
    )]
    pub url: String,
    /// At most 1000 characters of plain text.
    #[schema(max_length = 1000, pattern = r#"^[^<]*(?:<(?![A-Za-z/!?])[^<]*)*$"#)]
    pub alt: Option<String>,
    /// At most 2000 characters of plain text.
    #[schema(max_length = 2000, pattern = r#"^[^<]*(?:<(?![A-Za-z/!?])[^<]*)*$"#)]
    pub caption: Option<String>,
    /// At most 300 characters of plain text.
    #[schema(max_length = 300, pattern = r#"^[^<]*(?:<(?![A-Za-z/!?])[^<]*)*$"#)]
    pub credit: Option<String>,
    /// At most 300 characters of plain text.
    #[schema(max_length = 300, pattern = r#"^[^<]*(?:<(?![A-Za-z/!?])[^<]*)*$"#)]
    pub title: Option<String>,
}

/// The multipart form of an upload. Its text parts are text or absent: a form has no `null`.
#[derive(Debug, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UploadForm {
    /// The picture: JPEG, PNG, WebP or GIF, told from its content, at most
    /// `MASTHEAD_MAX_UPLOAD_BYTES` (20 MiB by default) and `MASTHEAD_MAX_IMAGE_PIXELS`
    /// (50 megapixels by default).
    #[schema(value_type = String, format = Binary)]
    pub file: Vec<u8>,
    /// At most 1000 characters of plain text.
    #[schema(
        nullable = false,
        max_length = 1000,
        pattern = r#"^[^<]*(?:<(?![A-Za-z/!?])[^<]*)*$"#
    )]
    pub alt: Option<String>,
    /// At most 2000 characters of plain text.
    #[schema(
        nullable = false,
        max_length = 2000,
        pattern = r#"^[^<]*(?:<(?![A-Za-z/!?])[^<]*)*$"#
    )]
    pub caption: Option<String>,
    /// At most 300 characters of plain text.
    #[schema(
        nullable = false,
        max_length = 300,
        pattern = r#"^[^<]*(?:<(?![A-Za-z/!?])[^<]*)*$"#
    )]
    pub credit: Option<String>,
    /// At most 300 characters of plain text.
    #[schema(
        nullable = false,
        max_length = 300,
        pattern = r#"^[^<]*(?:<(?![A-Za-z/!?])[^<]*)*$"#
    )]
    pub title: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// Words to find in the title, alt text, caption or credit.
    #[param(example = "血压")]
    pub q: Option<String>,
    /// Only pictures of this type: image/jpeg, image/png, image/webp or image/gif.
    #[param(
        example = "image/jpeg",
        pattern = r#"^[\t-\r \x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*(?:image/(?:jpeg|png|webp|gif)[\t-\r \x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*)?$"#
    )]
    pub mime: Option<String>,
    #[param(minimum = 1, maximum = 1000000, example = 1)]
    pub page: Option<i64>,
    #[param(minimum = 1, maximum = 100, example = 20)]
    pub per_page: Option<i64>,
    /// List only this preset's files of each image.
    #[param(
        example = "card",
        max_length = 40,
        pattern = r#"^[a-z0-9]+(?:-[a-z0-9]+)*$"#
    )]
    pub preset: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DeleteParams {
    /// Delete even while articles or authors use the image: covers and avatars are cleared and
    /// figures leave the bodies.
    pub force: Option<bool>,
}
