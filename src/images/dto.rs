//! Images on the wire.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::{
    extract::nullable,
    images::{
        model::Image,
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
    /// made on the spot.
    pub variants: Vec<VariantView>,
    pub created_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    #[schema(example = 1)]
    pub version: i32,
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
    pub fn new(image: Image, media_url: &str) -> Self {
        let format = Format::from_mime(&image.mime).unwrap_or(Format::Jpeg);
        let base = format!("{media_url}/{}", image.sha256);
        let variants = variant_files(format, image.width, image.height)
            .map(|(width, height, format)| VariantView {
                width,
                height,
                format: format_name(format).into(),
                mime: format.mime().into(),
                url: format!("{base}/{width}.{}", format.extension()),
            })
            .collect();
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
            created_by: image.created_by,
            created_at: image.created_at,
            updated_at: image.updated_at,
            version: image.version,
        }
    }

    /// What an article body's figure needs: `srcset` over the variants in the original format
    /// and the original itself.
    pub fn inline(&self) -> InlineImage {
        let mut srcset: Vec<String> = self
            .variants
            .iter()
            .filter(|v| v.mime == self.mime)
            .map(|v| format!("{} {}w", v.url, v.width))
            .collect();
        if !srcset.is_empty() {
            srcset.push(format!("{} {}w", self.url, self.width));
        }
        InlineImage {
            url: self.url.clone(),
            srcset: srcset.join(", "),
            width: self.width,
            height: self.height,
            caption: self.caption.clone(),
            credit: self.credit.clone(),
        }
    }
}

fn format_name(format: Format) -> &'static str {
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
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DeleteParams {
    /// Delete even while articles or authors use the image: covers and avatars are cleared and
    /// figures leave the bodies.
    pub force: Option<bool>,
}
