//! What happens to an uploaded picture: its type told from its bytes, its size checked before
//! decoding, the EXIF orientation applied, its metadata removed, a BlurHash, and the responsive
//! variants. Everything here is CPU work for the blocking pool.

use std::io::Cursor;

use image::{
    DynamicImage, ImageDecoder, ImageFormat, ImageReader, Limits, imageops::FilterType,
    metadata::Orientation,
};

/// Widths of the responsive variants, never more than the picture's own width.
pub const VARIANT_WIDTHS: [u32; 4] = [320, 640, 1024, 1600];
/// Decoders may allocate this much beyond the pixels themselves (a 50-megapixel RGBA picture
/// is 200 MB), so that a lying header cannot make one allocate gigabytes.
const MAX_DECODE_BYTES: u64 = 512 * 1024 * 1024;
const JPEG_QUALITY: u8 = 85;
const WEBP_QUALITY: f32 = 80.0;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Jpeg,
    Png,
    WebP,
    Gif,
}

impl Format {
    pub fn mime(self) -> &'static str {
        match self {
            Self::Jpeg => "image/jpeg",
            Self::Png => "image/png",
            Self::WebP => "image/webp",
            Self::Gif => "image/gif",
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            Self::Jpeg => "jpg",
            Self::Png => "png",
            Self::WebP => "webp",
            Self::Gif => "gif",
        }
    }

    pub fn from_extension(extension: &str) -> Option<Self> {
        [Self::Jpeg, Self::Png, Self::WebP, Self::Gif]
            .into_iter()
            .find(|f| f.extension() == extension)
    }

    pub fn from_mime(mime: &str) -> Option<Self> {
        [Self::Jpeg, Self::Png, Self::WebP, Self::Gif]
            .into_iter()
            .find(|f| f.mime() == mime)
    }

    fn image_format(self) -> ImageFormat {
        match self {
            Self::Jpeg => ImageFormat::Jpeg,
            Self::Png => ImageFormat::Png,
            Self::WebP => ImageFormat::WebP,
            Self::Gif => ImageFormat::Gif,
        }
    }
}

/// Why a file is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// Not a kind of file Masthead takes (415).
    Unsupported(String),
    /// Says it is an image but is not a whole, readable one, or is too big (422).
    Invalid(String),
}

/// The type of a file from its first bytes. `claims_image`: the client called it an image (by
/// its name or its part's `Content-Type`), which makes an unreadable file a broken image (422)
/// rather than another kind of file (415).
pub fn sniff(head: &[u8], claims_image: bool) -> Result<Format, Refusal> {
    match image::guess_format(head) {
        Ok(ImageFormat::Jpeg) => Ok(Format::Jpeg),
        Ok(ImageFormat::Png) => Ok(Format::Png),
        Ok(ImageFormat::WebP) => Ok(Format::WebP),
        Ok(ImageFormat::Gif) => Ok(Format::Gif),
        Ok(other) => Err(Refusal::Unsupported(format!(
            "{} images are not supported; upload JPEG, PNG, WebP or GIF",
            other
                .extensions_str()
                .first()
                .unwrap_or(&"these")
                .to_uppercase()
        ))),
        Err(_) if claims_image => Err(Refusal::Invalid(
            "the file is not a JPEG, PNG, WebP or GIF image, whatever its name says".into(),
        )),
        Err(_) => Err(Refusal::Unsupported(
            "only JPEG, PNG, WebP and GIF images can be uploaded".into(),
        )),
    }
}

/// A picture read, checked and ready to store.
pub struct Decoded {
    pub format: Format,
    /// As seen, after the orientation.
    pub image: DynamicImage,
    /// The original file to serve: the uploaded one without its metadata, or encoded anew when
    /// the orientation had to be applied to the pixels.
    pub cleaned: Vec<u8>,
    pub blurhash: String,
}

impl Decoded {
    pub fn width(&self) -> u32 {
        self.image.width()
    }

    pub fn height(&self) -> u32 {
        self.image.height()
    }
}

/// Reads the whole picture. Its declared size is checked against `max_pixels` before a single
/// pixel is decoded.
pub fn decode(bytes: &[u8], format: Format, max_pixels: u64) -> Result<Decoded, Refusal> {
    let (image, oriented) = pixels(bytes, format, max_pixels)?;
    let cleaned = if oriented {
        encode(&image, format)
    } else {
        without_metadata(bytes, format).map_err(Refusal::Invalid)?
    };
    let blurhash = blurhash_of(&image);
    Ok(Decoded {
        format,
        image,
        cleaned,
        blurhash,
    })
}

/// The picture as seen (EXIF orientation applied), and whether turning it was needed.
pub fn pixels(
    bytes: &[u8],
    format: Format,
    max_pixels: u64,
) -> Result<(DynamicImage, bool), Refusal> {
    let broken = |e: image::ImageError| {
        Refusal::Invalid(format!(
            "the {} image cannot be read (damaged or cut short): {e}",
            format.extension().to_uppercase()
        ))
    };
    let mut decoder = ImageReader::with_format(Cursor::new(bytes), format.image_format())
        .into_decoder()
        .map_err(broken)?;
    let (width, height) = decoder.dimensions();
    check_pixels(width, height, max_pixels)?;
    let mut limits = Limits::default();
    limits.max_alloc = Some(MAX_DECODE_BYTES);
    decoder.set_limits(limits).map_err(broken)?;
    let orientation = decoder.orientation().unwrap_or(Orientation::NoTransforms);
    let mut image = DynamicImage::from_decoder(decoder).map_err(broken)?;
    if format == Format::Jpeg && !ends_jpeg(bytes) {
        // The JPEG decoder fills a cut-off picture with grey rather than failing.
        return Err(Refusal::Invalid(
            "the JPEG image is cut short: it has no end marker".into(),
        ));
    }
    let oriented = orientation != Orientation::NoTransforms;
    if oriented {
        image.apply_orientation(orientation);
    }
    Ok((image, oriented))
}

/// The size the header declares, checked without decoding.
pub fn check_pixels(width: u32, height: u32, max_pixels: u64) -> Result<(), Refusal> {
    let pixels = u64::from(width) * u64::from(height);
    if width == 0 || height == 0 {
        return Err(Refusal::Invalid("the image has no pixels".into()));
    }
    if pixels > max_pixels {
        return Err(Refusal::Invalid(format!(
            "the image is {width}×{height} ({:.1} megapixels); at most {:.1} megapixels are accepted",
            pixels as f64 / 1e6,
            max_pixels as f64 / 1e6
        )));
    }
    Ok(())
}

/// Whether a JPEG's last marker is there; cameras may pad after it, so the tail is searched.
fn ends_jpeg(bytes: &[u8]) -> bool {
    let tail = &bytes[bytes.len().saturating_sub(4096)..];
    tail.windows(2).any(|w| w == [0xFF, 0xD9])
}

/// The file with EXIF, XMP, IPTC, comments and text chunks taken out (where cameras and phones
/// put the location, the camera and the owner), pixels untouched. Colour profiles stay. GIF
/// has no place for such metadata and is kept as it is.
fn without_metadata(bytes: &[u8], format: Format) -> Result<Vec<u8>, String> {
    use img_parts::{Bytes, ImageEXIF, jpeg::Jpeg, png::Png, webp::WebP};
    let source = Bytes::copy_from_slice(bytes);
    let mut out = Vec::with_capacity(bytes.len());
    match format {
        Format::Jpeg => {
            let mut jpeg = Jpeg::from_bytes(source).map_err(|e| e.to_string())?;
            // Keep JFIF (APP0), the ICC profile (APP2) and Adobe's colour transform (APP14).
            jpeg.segments_mut().retain(|segment| {
                let marker = segment.marker();
                let app = (0xE0..=0xEF).contains(&marker);
                !(marker == 0xFE || app && ![0xE0, 0xE2, 0xEE].contains(&marker))
            });
            jpeg.encoder()
                .write_to(&mut out)
                .map_err(|e| e.to_string())?;
        }
        Format::Png => {
            let mut png = Png::from_bytes(source).map_err(|e| e.to_string())?;
            png.chunks_mut().retain(|chunk| {
                !matches!(
                    &chunk.kind(),
                    b"eXIf" | b"tEXt" | b"zTXt" | b"iTXt" | b"tIME"
                )
            });
            png.encoder()
                .write_to(&mut out)
                .map_err(|e| e.to_string())?;
        }
        Format::WebP => {
            let mut webp = WebP::from_bytes(source).map_err(|e| e.to_string())?;
            webp.set_exif(None);
            webp.remove_chunks_by_id(img_parts::webp::CHUNK_XMP);
            webp.encoder()
                .write_to(&mut out)
                .map_err(|e| e.to_string())?;
        }
        Format::Gif => out.extend_from_slice(bytes),
    }
    Ok(out)
}

fn blurhash_of(image: &DynamicImage) -> String {
    // Four by three components of a tiny copy: enough for a placeholder, microseconds to make.
    let small = image.thumbnail(32, 32).to_rgba8();
    blurhash::encode(4, 3, small.width(), small.height(), small.as_raw()).unwrap_or_default()
}

/// The variant widths a picture this wide gets.
pub fn variant_widths(width: u32) -> impl Iterator<Item = u32> {
    VARIANT_WIDTHS.into_iter().filter(move |w| *w < width)
}

/// The height of a variant `width` wide, keeping the proportions.
pub fn scaled_height(width: u32, height: u32, to_width: u32) -> u32 {
    let scaled =
        (u64::from(height) * u64::from(to_width) + u64::from(width) / 2) / u64::from(width);
    u32::try_from(scaled).unwrap_or(u32::MAX).max(1)
}

/// Every variant, largest first, each made from the one before (quicker than from the original
/// each time, and as sharp at these ratios): `(width, format, bytes)`. With a watermark, it is
/// drawn on each (after resizing, so it is as crisp on every size).
pub fn variants(
    image: &DynamicImage,
    format: Format,
    watermark: Option<&Stamp>,
) -> Vec<(u32, Format, Vec<u8>)> {
    let mut widths: Vec<u32> = variant_widths(image.width()).collect();
    widths.sort_unstable_by(|a, b| b.cmp(a));
    let mut out = Vec::with_capacity(widths.len() * 2);
    let mut source = None::<DynamicImage>;
    for width in widths {
        let from = source.as_ref().unwrap_or(image);
        // From the original's proportions, so that every variant's height is the one listed.
        let height = scaled_height(image.width(), image.height(), width);
        let resized = shrink(from, width, height);
        let stamped = watermark.map(|stamp| stamp.drawn_on(&resized));
        let shown = stamped.as_ref().unwrap_or(&resized);
        out.push((width, format, encode(shown, format)));
        out.push((width, Format::WebP, encode(shown, Format::WebP)));
        source = Some(resized);
    }
    out
}

/// `from` at exactly `width`×`height`. Area averaging where it shrinks by half or more: as sharp
/// there, far quicker, and without the float copy of the whole picture a filter needs. A filter
/// for the small steps, where averaging would alias.
fn shrink(from: &DynamicImage, width: u32, height: u32) -> DynamicImage {
    if from.width() == width && from.height() == height {
        from.clone()
    } else if from.width() >= width * 2 {
        from.thumbnail_exact(width, height)
    } else {
        from.resize_exact(width, height, FilterType::CatmullRom)
    }
}

/// The files of one crop of a picture, largest first, each `(width, height, format)` wanted:
/// the crop is cut once, then shrunk step by step like the variants, and the watermark drawn
/// on each size.
pub fn cut(
    image: &DynamicImage,
    crop: (u32, u32, u32, u32),
    sizes: &[(u32, u32, Format)],
    watermark: Option<&Stamp>,
) -> Vec<Vec<u8>> {
    let (x, y, w, h) = crop;
    let region = image.crop_imm(x, y, w, h);
    let mut order: Vec<usize> = (0..sizes.len()).collect();
    order.sort_by(|a, b| sizes[*b].0.cmp(&sizes[*a].0));
    let mut out = vec![Vec::new(); sizes.len()];
    let mut source = region;
    let mut made: Option<(u32, u32, DynamicImage)> = None;
    for index in order {
        let (width, height, format) = sizes[index];
        let resized = match &made {
            Some((w, h, picture)) if (*w, *h) == (width, height) => picture.clone(),
            _ => {
                let resized = shrink(&source, width, height);
                source = resized.clone();
                resized
            }
        };
        let stamped = watermark.map(|stamp| stamp.drawn_on(&resized));
        out[index] = encode(stamped.as_ref().unwrap_or(&resized), format);
        made = Some((width, height, resized));
    }
    out
}

/// A watermark ready to draw: its picture, where, how opaque and how wide.
pub struct Stamp {
    pub picture: DynamicImage,
    /// Column and row: 0 start, 1 middle, 2 end.
    pub thirds: (u8, u8),
    pub opacity: f64,
    /// Its width as a fraction of the picture's.
    pub size: f64,
}

impl Stamp {
    /// `picture` with the watermark drawn on it, a margin of 2% of its width from the edges.
    pub fn drawn_on(&self, picture: &DynamicImage) -> DynamicImage {
        let (pw, ph) = (picture.width(), picture.height());
        let width = ((f64::from(pw) * self.size).round() as u32).clamp(1, pw);
        let height = scaled_height(self.picture.width(), self.picture.height(), width).min(ph);
        let mut mark = self
            .picture
            .resize_exact(width, height, FilterType::Triangle)
            .to_rgba8();
        let opacity = self.opacity.clamp(0.0, 1.0);
        for pixel in mark.pixels_mut() {
            pixel.0[3] = (f64::from(pixel.0[3]) * opacity).round() as u8;
        }
        let margin = i64::from(pw / 50);
        let place = |third: u8, outer: u32, inner: u32| -> i64 {
            let room = i64::from(outer) - i64::from(inner);
            match third {
                0 => margin.min(room),
                1 => room / 2,
                _ => (room - margin).max(0),
            }
        };
        let mut out = picture.to_rgba8();
        image::imageops::overlay(
            &mut out,
            &mark,
            place(self.thirds.0, pw, width),
            place(self.thirds.1, ph, height),
        );
        if picture.color().has_alpha() {
            DynamicImage::ImageRgba8(out)
        } else {
            DynamicImage::ImageRgb8(DynamicImage::ImageRgba8(out).to_rgb8())
        }
    }
}

/// The picture in `format`. JPEG and WebP are lossy at qualities that look like the original
/// at the sizes served; alpha is kept where the format has it.
pub fn encode(image: &DynamicImage, format: Format) -> Vec<u8> {
    let mut out = Vec::new();
    match format {
        Format::Jpeg => {
            let rgb = image.to_rgb8();
            let encoder =
                image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, JPEG_QUALITY);
            // Writing to memory cannot fail for a picture that decoded.
            if rgb.write_with_encoder(encoder).is_err() {
                out.clear();
            }
        }
        Format::WebP => {
            let memory = if image.color().has_alpha() {
                let rgba = image.to_rgba8();
                webp::Encoder::from_rgba(rgba.as_raw(), rgba.width(), rgba.height())
                    .encode(WEBP_QUALITY)
            } else {
                let rgb = image.to_rgb8();
                webp::Encoder::from_rgb(rgb.as_raw(), rgb.width(), rgb.height())
                    .encode(WEBP_QUALITY)
            };
            out.extend_from_slice(&memory);
        }
        Format::Png | Format::Gif => {
            let target = if format == Format::Png {
                ImageFormat::Png
            } else {
                ImageFormat::Gif
            };
            let image = if format == Format::Gif {
                DynamicImage::ImageRgba8(image.to_rgba8())
            } else {
                image.clone()
            };
            if image.write_to(&mut Cursor::new(&mut out), target).is_err() {
                out.clear();
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::{Rgb, RgbImage};

    fn jpeg(width: u32, height: u32) -> Vec<u8> {
        let picture = RgbImage::from_fn(width, height, |x, y| {
            Rgb([(x % 256) as u8, (y % 256) as u8, 90])
        });
        encode(&DynamicImage::ImageRgb8(picture), Format::Jpeg)
    }

    #[test]
    fn the_type_comes_from_the_bytes_not_the_name() {
        assert_eq!(sniff(&jpeg(8, 8), false), Ok(Format::Jpeg));
        assert!(matches!(
            sniff(b"%PDF-1.7 hello", false),
            Err(Refusal::Unsupported(_))
        ));
        assert!(matches!(
            sniff(b"hello, world", true),
            Err(Refusal::Invalid(_))
        ));
        assert!(
            matches!(sniff(b"BM\x00\x00\x00\x00\x00\x00", true), Err(Refusal::Unsupported(m)) if m.contains("BMP"))
        );
    }

    #[test]
    fn too_many_pixels_are_refused_before_decoding() {
        let bytes = jpeg(200, 100);
        assert!(
            matches!(decode(&bytes, Format::Jpeg, 19_999), Err(Refusal::Invalid(m)) if m.contains("megapixels"))
        );
        assert!(decode(&bytes, Format::Jpeg, 20_000).is_ok());
    }

    #[test]
    fn a_cut_jpeg_is_refused() {
        let bytes = jpeg(64, 64);
        let cut = &bytes[..bytes.len() * 2 / 3];
        assert!(matches!(
            decode(cut, Format::Jpeg, 1_000_000),
            Err(Refusal::Invalid(_))
        ));
    }

    #[test]
    fn variants_are_never_wider_than_the_original() {
        assert_eq!(
            variant_widths(1600).collect::<Vec<_>>(),
            vec![320, 640, 1024]
        );
        assert_eq!(variant_widths(4000).count(), 4);
        assert_eq!(variant_widths(300).count(), 0);
        assert_eq!(scaled_height(4000, 3000, 640), 480);
        let decoded = decode(&jpeg(700, 350), Format::Jpeg, 1_000_000).expect("decodes");
        let made: Vec<(u32, Format)> = variants(&decoded.image, Format::Jpeg, None)
            .into_iter()
            .map(|(w, f, bytes)| {
                let read = image::load_from_memory(&bytes).expect("variant decodes");
                assert_eq!((read.width(), read.height()), (w, w / 2));
                (w, f)
            })
            .collect();
        assert_eq!(
            made,
            vec![
                (640, Format::Jpeg),
                (640, Format::WebP),
                (320, Format::Jpeg),
                (320, Format::WebP)
            ]
        );
    }

    #[test]
    fn blurhash_is_made() {
        let decoded = decode(&jpeg(40, 30), Format::Jpeg, 1_000_000).expect("decodes");
        assert_eq!(decoded.blurhash.len(), 4 + 2 * (4 * 3 - 1) + 2);
    }
}
