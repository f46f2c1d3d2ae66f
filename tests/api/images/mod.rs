//! Images: uploads of real pictures made here, what is stored, served and refused; a file per
//! theme, and here the pictures and upload helpers they share.

mod imports;
mod in_articles;
mod in_carousels;
mod library;
mod presets;
mod refused;
mod roles;
mod s3;
mod serving;
mod shared_files;
mod transforms;
mod upload;
mod watermarks;

use std::io::Cursor;

use image::{DynamicImage, ImageFormat, Rgb, RgbImage, Rgba, RgbaImage};
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::helpers::{Part, Session, TestApp};

/// A photo-like picture: gradients, so that every format has something to compress.
fn picture(width: u32, height: u32) -> DynamicImage {
    DynamicImage::ImageRgb8(RgbImage::from_fn(width, height, |x, y| {
        Rgb([
            (x * 255 / width) as u8,
            (y * 255 / height) as u8,
            ((x + y) % 256) as u8,
        ])
    }))
}

fn encoded(image: &DynamicImage, format: ImageFormat) -> Vec<u8> {
    let mut bytes = Vec::new();
    image
        .write_to(&mut Cursor::new(&mut bytes), format)
        .expect("encodes");
    bytes
}

fn jpeg(width: u32, height: u32) -> Vec<u8> {
    encoded(&picture(width, height), ImageFormat::Jpeg)
}

fn png_with_alpha(width: u32, height: u32) -> Vec<u8> {
    let image = RgbaImage::from_fn(width, height, |x, _| Rgba([200, 30, 30, (x % 256) as u8]));
    encoded(&DynamicImage::ImageRgba8(image), ImageFormat::Png)
}

/// A TIFF/EXIF block with an orientation and a camera make, big-endian.
fn exif(orientation: u16, make: &str) -> Vec<u8> {
    let make = format!("{make}\0");
    let mut tiff = b"MM\x00\x2a\x00\x00\x00\x08".to_vec();
    tiff.extend(2u16.to_be_bytes());
    tiff.extend(0x0112u16.to_be_bytes()); // Orientation, SHORT, 1
    tiff.extend(3u16.to_be_bytes());
    tiff.extend(1u32.to_be_bytes());
    tiff.extend(orientation.to_be_bytes());
    tiff.extend([0, 0]);
    tiff.extend(0x010Fu16.to_be_bytes()); // Make, ASCII
    tiff.extend(2u16.to_be_bytes());
    tiff.extend((make.len() as u32).to_be_bytes());
    tiff.extend(38u32.to_be_bytes()); // right after this IFD
    tiff.extend(0u32.to_be_bytes());
    tiff.extend(make.as_bytes());
    tiff
}

fn jpeg_with_exif(width: u32, height: u32, orientation: u16, make: &str) -> Vec<u8> {
    use img_parts::{ImageEXIF, jpeg::Jpeg};
    let mut jpeg = Jpeg::from_bytes(jpeg(width, height).into()).expect("a JPEG");
    jpeg.set_exif(Some(exif(orientation, make).into()));
    let mut out = Vec::new();
    jpeg.encoder().write_to(&mut out).expect("writes");
    out
}

/// A real PNG whose header claims `width`×`height`; the pixels never match, so only a check
/// made before decoding can answer about the size.
fn png_claiming(width: u32, height: u32) -> Vec<u8> {
    let mut bytes = encoded(&picture(4, 4), ImageFormat::Png);
    // IHDR data starts after the 8-byte signature, the length and the type.
    bytes[16..20].copy_from_slice(&width.to_be_bytes());
    bytes[20..24].copy_from_slice(&height.to_be_bytes());
    let crc = crc32(&bytes[12..29]);
    bytes[29..33].copy_from_slice(&crc.to_be_bytes());
    bytes
}

fn crc32(data: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for byte in data {
        crc ^= u32::from(*byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

fn sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The id of a small picture uploaded by `user`.
pub async fn uploaded(app: &TestApp, user: &Session) -> String {
    let image = upload_ok(app, user, "a.jpg", "image/jpeg", &jpeg(40, 30)).await;
    image["id"].as_str().expect("an id").to_owned()
}

async fn upload(app: &TestApp, user: &Session, parts: &[Part]) -> crate::helpers::TestResponse {
    app.post("/api/v1/images")
        .as_user(user)
        .multipart(parts)
        .send()
        .await
}

async fn upload_ok(app: &TestApp, user: &Session, name: &str, mime: &str, bytes: &[u8]) -> Value {
    let response = upload(app, user, &[Part::file("file", name, mime, bytes)]).await;
    assert_eq!(response.status, 201, "{}", response.text());
    response.json()
}

/// A served file: status, content type and bytes.
async fn fetch(app: &TestApp, url: &str) -> (u16, Option<String>, Vec<u8>) {
    let response = app.get(url).send().await;
    (
        response.status.as_u16(),
        response.header("content-type").map(str::to_owned),
        response.body.to_vec(),
    )
}

/// Files under the media directory whose path contains `part`.
fn stored_files(app: &TestApp, part: &str) -> Vec<String> {
    fn walk(dir: &std::path::Path, out: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(&path, out);
            } else {
                out.push(path.to_string_lossy().into_owned());
            }
        }
    }
    let mut files = Vec::new();
    walk(app.media.path(), &mut files);
    files.retain(|f| f.contains(part) && !f.contains("spool"));
    files
}
