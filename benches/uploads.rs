//! Image uploads against the real binary: the server's peak memory while 8 uploads of a
//! 12-megapixel JPEG run at once (each then asking for a preset's file, made on that first
//! request), how long one upload takes until all its variants exist, how long one preset's
//! files take to make, and how a `card` 640 WebP weighs against the 640 JPEG variant.
//!
//! `cargo bench --bench uploads` (PostgreSQL at `DATABASE_URL`'s server; the database
//! `masthead_bench_uploads` is made afresh).

use std::{
    io::Cursor,
    path::Path,
    process::{Child, Command, Stdio},
    thread,
    time::{Duration, Instant},
};

use image::{DynamicImage, ImageFormat, Rgb, RgbImage};
use serde_json::{Value, json};

const PORT: u16 = 18_091;
const CONCURRENT: usize = 8;

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn main() {
    let base = std::env::var("DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/masthead".into());
    let server_url = base
        .rsplit_once('/')
        .map_or(base.as_str(), |(s, _)| s)
        .to_owned();
    let database = format!("{server_url}/masthead_bench_uploads");
    let _ = Command::new("psql")
        .args([
            &format!("{server_url}/postgres"),
            "-qc",
            "DROP DATABASE IF EXISTS masthead_bench_uploads WITH (FORCE)",
        ])
        .status();
    let media = tempfile::tempdir().expect("a media directory");
    let server = Server(
        Command::new(env!("CARGO_BIN_EXE_masthead"))
            .args(["serve", "--dev", "--bind", &format!("127.0.0.1:{PORT}")])
            .env("DATABASE_URL", &database)
            .env("MASTHEAD_MEDIA_DIR", media.path())
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("the server starts"),
    );
    let api = format!("http://127.0.0.1:{PORT}/api/v1");
    wait_until_ready(PORT);
    let token = sign_in(&api);

    println!("making a 4000×3000 (12 MP) JPEG…");
    let photos: Vec<Vec<u8>> = (0..CONCURRENT as u32)
        .map(|seed| photo(4000, 3000, seed))
        .collect();
    println!("each {:.1} MB", photos[0].len() as f64 / 1e6);
    println!(
        "server memory before: {} MiB (VmRSS)",
        status(&server.0, "VmRSS") / 1024
    );

    // One alone first: the time until all of its variants exist.
    let alone = photo(4000, 3000, 99);
    let started = Instant::now();
    let image = upload(&api, &token, &alone);
    let answered = started.elapsed();
    let sha = image["sha256"].as_str().expect("sha").to_owned();
    let expected = image["variants"].as_array().map_or(0, Vec::len);
    while count_files(&media.path().join("public").join(&sha)) < expected + 1 {
        thread::sleep(Duration::from_millis(5));
    }
    let all_variants = started.elapsed();
    println!(
        "one upload: answered in {} ms, original + {expected} variants all stored after {} ms",
        answered.as_millis(),
        all_variants.as_millis()
    );
    for preset in ["hero", "card", "square"] {
        let files: Vec<&Value> = image["presets"]
            .as_array()
            .map(|all| all.iter().filter(|f| f["preset"] == preset).collect())
            .unwrap_or_default();
        let widest = files
            .last()
            .and_then(|f| f["url"].as_str())
            .unwrap_or_default();
        let started = Instant::now();
        let bytes = fetch(PORT, widest);
        let first = started.elapsed();
        let started = Instant::now();
        fetch(PORT, widest);
        println!(
            "{preset}: its {} files made on the first request in {} ms ({} bytes for the widest); \
             served again in {} ms",
            files.len(),
            first.as_millis(),
            bytes.len(),
            started.elapsed().as_millis()
        );
    }
    let url_of = |list: &str, width: u64, format: &str, preset: Option<&str>| -> String {
        image[list]
            .as_array()
            .and_then(|all| {
                all.iter().find(|f| {
                    f["width"] == width
                        && f["format"] == format
                        && preset.is_none_or(|p| f["preset"] == p)
                })
            })
            .and_then(|f| f["url"].as_str())
            .unwrap_or_default()
            .to_owned()
    };
    let card = fetch(PORT, &url_of("presets", 640, "webp", Some("card")));
    let variant = fetch(PORT, &url_of("variants", 640, "jpeg", None));
    println!(
        "card 640×480 WebP: {} bytes; 640×480 JPEG variant: {} bytes ({:.0}%)",
        card.len(),
        variant.len(),
        card.len() as f64 * 100.0 / variant.len().max(1) as f64
    );

    let started = Instant::now();
    let handles: Vec<_> = photos
        .into_iter()
        .map(|bytes| {
            let (api, token) = (api.clone(), token.clone());
            thread::spawn(move || {
                let begun = Instant::now();
                let image = upload(&api, &token, &bytes);
                let answered = begun.elapsed();
                // A frontend shows the card at once: its files are made meanwhile.
                let card = image["presets"]
                    .as_array()
                    .and_then(|all| all.iter().find(|f| f["preset"] == "card"))
                    .and_then(|f| f["url"].as_str())
                    .unwrap_or_default()
                    .to_owned();
                fetch(PORT, &card);
                (
                    answered,
                    image["sha256"].as_str().unwrap_or_default().to_owned(),
                )
            })
        })
        .collect();
    let results: Vec<(Duration, String)> = handles
        .into_iter()
        .map(|h| h.join().expect("upload thread"))
        .collect();
    for (_, sha) in &results {
        // The original, the variants and the card's 6 files.
        while count_files(&media.path().join("public").join(sha)) < expected + 7 {
            thread::sleep(Duration::from_millis(10));
        }
    }
    let mut times: Vec<u128> = results.iter().map(|(t, _)| t.as_millis()).collect();
    times.sort_unstable();
    println!(
        "{CONCURRENT} uploads at once, each then asking for its card: answered in {:?} ms; all \
         variants and cards of all stored after {} ms",
        times,
        started.elapsed().as_millis()
    );
    println!(
        "server peak memory: {} MiB (VmHWM); now {} MiB (VmRSS)",
        status(&server.0, "VmHWM") / 1024,
        status(&server.0, "VmRSS") / 1024
    );
}

fn photo(width: u32, height: u32, seed: u32) -> Vec<u8> {
    let image = RgbImage::from_fn(width, height, |x, y| {
        let noise = (x.wrapping_mul(7919) ^ y.wrapping_mul(104_729) ^ seed.wrapping_mul(31)) % 32;
        Rgb([
            ((x * 255 / width) + noise) as u8,
            ((y * 255 / height) + noise) as u8,
            (((x + y) / 16 + seed) % 256) as u8,
        ])
    });
    let mut bytes = Vec::new();
    DynamicImage::ImageRgb8(image)
        .write_to(&mut Cursor::new(&mut bytes), ImageFormat::Jpeg)
        .expect("encodes");
    bytes
}

fn wait_until_ready(port: u16) {
    for _ in 0..300 {
        if ureq::get(&format!("http://127.0.0.1:{port}/readyz"))
            .call()
            .is_ok()
        {
            return;
        }
        thread::sleep(Duration::from_millis(100));
    }
    panic!("the server did not become ready");
}

fn sign_in(api: &str) -> String {
    let body =
        json!({"email": "bench@example.com", "password": "a long passphrase", "name": "Bench"});
    let mut response = ureq::post(&format!("{api}/auth/setup"))
        .header("content-type", "application/json")
        .send(body.to_string().as_bytes())
        .expect("setup");
    let text = response.body_mut().read_to_string().expect("tokens");
    let tokens: Value = serde_json::from_str(&text).expect("JSON");
    tokens["access_token"].as_str().expect("a token").to_owned()
}

fn upload(api: &str, token: &str, bytes: &[u8]) -> Value {
    const BOUNDARY: &str = "masthead-bench-boundary";
    let mut body = format!(
        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"photo.jpg\"\r\nContent-Type: image/jpeg\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
    let mut response = ureq::post(&format!("{api}/images"))
        .header("authorization", &format!("Bearer {token}"))
        .header(
            "content-type",
            &format!("multipart/form-data; boundary={BOUNDARY}"),
        )
        .send(&body[..])
        .expect("upload");
    let text = response.body_mut().read_to_string().expect("an image");
    serde_json::from_str(&text).expect("JSON")
}

/// The body of `path` on the server, which must answer 200.
fn fetch(port: u16, path: &str) -> Vec<u8> {
    let mut response = ureq::get(&format!("http://127.0.0.1:{port}{path}"))
        .call()
        .unwrap_or_else(|e| panic!("GET {path}: {e}"));
    response
        .body_mut()
        .with_config()
        .limit(64 * 1024 * 1024)
        .read_to_vec()
        .expect("a body")
}

fn count_files(dir: &Path) -> usize {
    // Files being written are hidden temporary files until they are renamed into place.
    std::fs::read_dir(dir).map_or(0, |entries| {
        entries
            .flatten()
            .filter(|e| !e.file_name().to_string_lossy().starts_with('.'))
            .count()
    })
}

/// A field of `/proc/<pid>/status`, in kB.
fn status(child: &Child, field: &str) -> u64 {
    std::fs::read_to_string(format!("/proc/{}/status", child.id()))
        .unwrap_or_default()
        .lines()
        .find_map(|line| line.strip_prefix(&format!("{field}:")))
        .and_then(|rest| rest.split_whitespace().next()?.parse().ok())
        .unwrap_or(0)
}
