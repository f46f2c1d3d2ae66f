//! `masthead demo`: loads a portal like the one in `../shared/seed/` into an empty database.
//!
//! Everything goes through the HTTP API of an in-process server, as an editor's client would
//! send it: the same checks, rendering, search index and revisions as any other content.

mod content;

use std::{collections::HashSet, io::Cursor, net::SocketAddr, sync::mpsc, thread, time::Duration};

use actix_web::{HttpServer, dev::ServerHandle, web};
use diesel::{Connection, PgConnection, RunQueryDsl, dsl::count_star, prelude::*};
use image::{DynamicImage, ImageFormat, Rgb, RgbImage};
use indicatif::{ProgressBar, ProgressStyle};
use serde_json::{Value, json};

use crate::{
    app,
    config::Config,
    db,
    schema::{articles, images, users},
    secret::random_token,
    state::AppState,
};

/// What a newcomer needs to sign in; printed once.
pub struct Loaded {
    pub admin_email: String,
    pub admin_password: String,
    pub editor_email: String,
    pub editor_password: String,
    pub articles: usize,
    pub images: usize,
}

pub const ADMIN_EMAIL: &str = "admin@example.com";
pub const EDITOR_EMAIL: &str = "editor@example.com";

/// Loads the demo into the database of `config`, which must hold no accounts, articles or
/// images.
pub fn load(config: Config) -> Result<Loaded, String> {
    db::prepare(&config.database_url).map_err(|e| e.to_string())?;
    refuse_unless_empty(&config.database_url)?;
    let state = web::Data::new(AppState::new(config)?);
    let (address, handle, server) = start(state)?;
    let result = fill(&format!("http://{address}/api/v1"));
    actix_web::rt::System::new().block_on(handle.stop(true));
    let _ = server.join();
    result
}

fn refuse_unless_empty(url: &str) -> Result<(), String> {
    let mut conn = PgConnection::establish(url).map_err(|e| e.to_string())?;
    let count = |result: QueryResult<i64>| result.map_err(|e| e.to_string());
    let accounts = count(users::table.select(count_star()).first(&mut conn))?;
    let stories = count(articles::table.select(count_star()).first(&mut conn))?;
    let pictures = count(images::table.select(count_star()).first(&mut conn))?;
    if accounts + stories + pictures > 0 {
        return Err(format!(
            "the database already has content ({accounts} accounts, {stories} articles, \
             {pictures} images); the demo loads only into an empty one. Point DATABASE_URL \
             (or --database-url) at a new database, e.g. …/masthead_demo: it is created for you."
        ));
    }
    Ok(())
}

type Started = (SocketAddr, ServerHandle, thread::JoinHandle<()>);

fn start(state: web::Data<AppState>) -> Result<Started, String> {
    let (sender, receiver) = mpsc::channel();
    let server = thread::spawn(move || {
        let result = actix_web::rt::System::new().block_on(async move {
            let server = HttpServer::new(move || app::build(state.clone()))
                .workers(1)
                .disable_signals()
                .bind("127.0.0.1:0")?;
            let address = server.addrs().first().copied();
            let server = server.run();
            let _ = sender.send(address.map(|a| (a, server.handle())));
            server.await
        });
        if let Err(error) = result {
            tracing::error!(%error, "the demo's server failed");
        }
    });
    let (address, handle) = receiver
        .recv_timeout(Duration::from_secs(30))
        .ok()
        .flatten()
        .ok_or("the demo's server did not start")?;
    Ok((address, handle, server))
}

/// A signed-in API client.
struct Client {
    agent: ureq::Agent,
    base: String,
    token: String,
    /// One step a request: the demo is a fixed script of them.
    progress: ProgressBar,
}

impl Client {
    fn new(base: &str) -> Self {
        Self {
            agent: ureq::Agent::config_builder()
                .http_status_as_error(false)
                .build()
                .into(),
            base: base.to_owned(),
            token: String::new(),
            progress: progress_bar(),
        }
    }

    fn send(&self, method: &str, path: &str, body: Option<Value>) -> Result<Value, String> {
        let url = format!("{}{path}", self.base);
        let auth = format!("Bearer {}", self.token);
        let response = match (method, body) {
            ("GET", _) => self.agent.get(&url).header("authorization", &auth).call(),
            (method, body) => {
                let bytes = body.map(|b| b.to_string()).unwrap_or_default();
                let request = match method {
                    "PATCH" => self.agent.patch(&url),
                    "PUT" => self.agent.put(&url),
                    _ => self.agent.post(&url),
                };
                request
                    .header("authorization", &auth)
                    .header("content-type", "application/json")
                    .send(bytes.as_bytes())
            }
        };
        self.progress.inc(1);
        read(response, method, path)
    }

    fn post(&self, path: &str, body: Value) -> Result<Value, String> {
        self.send("POST", path, Some(body))
    }

    fn upload(&self, jpeg: &[u8], fields: &[(&str, &str)]) -> Result<Value, String> {
        const BOUNDARY: &str = "masthead-demo-7d1c0a";
        let mut body = Vec::with_capacity(jpeg.len() + 1024);
        for (name, value) in fields {
            body.extend_from_slice(
                format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n")
                    .as_bytes(),
            );
        }
        body.extend_from_slice(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"photo.jpg\"\r\nContent-Type: image/jpeg\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(jpeg);
        body.extend_from_slice(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
        let response = self
            .agent
            .post(&format!("{}/images", self.base))
            .header("authorization", &format!("Bearer {}", self.token))
            .header(
                "content-type",
                &format!("multipart/form-data; boundary={BOUNDARY}"),
            )
            .send(&body[..]);
        self.progress.inc(1);
        read(response, "POST", "/images")
    }
}

fn read(
    response: Result<ureq::http::Response<ureq::Body>, ureq::Error>,
    method: &str,
    path: &str,
) -> Result<Value, String> {
    let mut response = response.map_err(|e| format!("{method} {path}: {e}"))?;
    let status = response.status().as_u16();
    let text = response
        .body_mut()
        .read_to_string()
        .map_err(|e| format!("{method} {path}: {e}"))?;
    if !(200..300).contains(&status) {
        return Err(format!("{method} {path} answered {status}: {text}"));
    }
    if text.is_empty() {
        return Ok(Value::Null);
    }
    serde_json::from_str(&text).map_err(|e| format!("{method} {path}: {e}"))
}

fn id(value: &Value) -> Result<String, String> {
    value["id"]
        .as_str()
        .map(str::to_owned)
        .ok_or_else(|| format!("no id in {value}"))
}

/// A 1200×800 stand-in photo: a gradient of `hue` with soft bands, different for each `seed`.
fn picture(hue: [u8; 3], seed: u32) -> Result<Vec<u8>, String> {
    let (width, height) = (1200u32, 800u32);
    let image = RgbImage::from_fn(width, height, |x, y| {
        let light = 0.55 + 0.45 * (y as f32 / height as f32);
        let band = (((x + y * 2 + seed * 97) / 80) % 2) as f32 * 0.08;
        let channel = |c: u8| ((f32::from(c) * (light - band)).clamp(0.0, 255.0)) as u8;
        Rgb([channel(hue[0]), channel(hue[1]), channel(hue[2])])
    });
    let mut bytes = Vec::new();
    DynamicImage::ImageRgb8(image)
        .write_to(&mut Cursor::new(&mut bytes), ImageFormat::Jpeg)
        .map_err(|e| e.to_string())?;
    Ok(bytes)
}

const AUTHORS: [&str; 5] = ["admin", "朝鲁门", "胡建华", "美丽", "王点石"];
const RELATED: [usize; 3] = [0, 10, 11];
const EDITORS_PICKS: [usize; 3] = [8, 3, 10];

/// A bar on the terminal (none when the output goes elsewhere) over the requests [`fill`] makes.
fn progress_bar() -> ProgressBar {
    let tags: HashSet<&str> = content::SEED_TAGS
        .iter()
        .chain(content::ARTICLES.iter().flat_map(|a| a.tags.iter()))
        .copied()
        .collect();
    let picks = RELATED
        .iter()
        .chain(&EDITORS_PICKS)
        .filter(|index| **index < content::ARTICLES.len())
        .count();
    // Setup, editor, logo, site; a seed photo each and the seed article (create, publish); an
    // upload, create and publish an article; the page; two carousels, a slide and its image
    // each, the ad, the house ad and the fallback.
    let requests = 4
        + content::CATEGORIES.len()
        + tags.len()
        + AUTHORS.len()
        + content::SEED_PHOTOS.len()
        + 2
        + 3 * content::ARTICLES.len()
        + 2
        + 2
        + 2 * content::HERO_SLIDES.len()
        + 5
        + picks
        + content::FRIEND_LINKS.len();
    let bar = ProgressBar::new(requests as u64);
    if let Ok(style) =
        ProgressStyle::with_template("loading the demo {bar:40} {pos}/{len} requests")
    {
        bar.set_style(style);
    }
    bar
}

fn fill(api: &str) -> Result<Loaded, String> {
    let mut client = Client::new(api);
    let admin_password = random_token(18);
    let editor_password = random_token(18);
    let setup = client.post(
        "/auth/setup",
        json!({"email": ADMIN_EMAIL, "password": admin_password, "name": "admin"}),
    )?;
    client.token = setup["access_token"]
        .as_str()
        .ok_or("setup gave no token")?
        .to_owned();
    client.post(
        "/users",
        json!({"email": EDITOR_EMAIL, "password": editor_password, "name": "王编辑", "role": "editor"}),
    )?;
    let mut image_count = 0;

    let logo = client.upload(
        &picture([200, 40, 40], 1)?,
        &[("title", "三牛平台标志"), ("alt", "三牛平台")],
    )?;
    image_count += 1;
    client.send(
        "PATCH",
        "/site",
        Some(json!({
            "title": content::SITE_TITLE,
            "description": content::SITE_DESCRIPTION,
            "copyright": content::SITE_COPYRIGHT,
            "footer": content::SITE_FOOTER,
            "logo": id(&logo)?,
            "locale": "zh-CN",
            "timezone": "Asia/Shanghai",
        })),
    )?;

    let mut categories = std::collections::HashMap::new();
    for category in &content::CATEGORIES {
        let made = client.post(
            "/categories",
            json!({"name": category.name, "slug": category.slug, "description": category.description}),
        )?;
        categories.insert(category.slug, id(&made)?);
    }
    let mut tags = std::collections::HashMap::new();
    let all_tags = content::SEED_TAGS
        .iter()
        .chain(content::ARTICLES.iter().flat_map(|a| a.tags.iter()));
    for name in all_tags {
        if !tags.contains_key(name) {
            let made = client.post("/tags", json!({"name": name}))?;
            tags.insert(*name, id(&made)?);
        }
    }
    let mut authors = std::collections::HashMap::new();
    for name in AUTHORS {
        let made = client.post("/authors", json!({"name": name}))?;
        authors.insert(name, id(&made)?);
    }

    // The seed article: four photos with captions and credits, then the text.
    let mut figures = String::new();
    let mut cover = None;
    for (n, photo) in content::SEED_PHOTOS.iter().enumerate() {
        let uploaded = client.upload(
            &picture(photo.hue, n as u32)?,
            &[
                ("alt", photo.alt),
                ("caption", photo.caption),
                ("credit", photo.credit),
                ("title", photo.key),
            ],
        )?;
        image_count += 1;
        let photo_id = id(&uploaded)?;
        figures.push_str(&format!("![{}](image:{photo_id})\n\n", photo.alt));
        cover.get_or_insert(photo_id);
    }
    let seed_tags: Vec<&String> = content::SEED_TAGS
        .iter()
        .filter_map(|t| tags.get(t))
        .collect();
    let seed = client.post(
        "/articles",
        json!({
            "title": content::SEED_TITLE,
            "excerpt": content::SEED_EXCERPT,
            "body": format!("{figures}{}", content::SEED_BODY),
            "cover_image": cover,
            "category": categories.get("min-sheng"),
            "tags": seed_tags,
            "authors": [authors.get("admin")],
            "featured": true,
            "source": "通辽日报",
        }),
    )?;
    let seed_id = id(&seed)?;
    client.post(
        &format!("/articles/{seed_id}/publish"),
        json!({"published_at": content::SEED_PUBLISHED_AT}),
    )?;

    let mut article_ids = Vec::new();
    for (n, article) in content::ARTICLES.iter().enumerate() {
        let cover = client.upload(
            &picture(article.hue, 10 + n as u32)?,
            &[("alt", article.title)],
        )?;
        image_count += 1;
        let article_tags: Vec<&String> = article.tags.iter().filter_map(|t| tags.get(t)).collect();
        let made = client.post(
            "/articles",
            json!({
                "title": article.title,
                "excerpt": article.excerpt,
                "body": article.body,
                "cover_image": id(&cover)?,
                "category": categories.get(article.category),
                "tags": article_tags,
                "authors": [authors.get(article.author)],
                "featured": article.featured,
            }),
        )?;
        let made_id = id(&made)?;
        client.post(
            &format!("/articles/{made_id}/publish"),
            json!({"published_at": article.published_at}),
        )?;
        article_ids.push(made_id);
    }
    let page = client.post(
        "/articles",
        json!({"title": content::JOIN_US_TITLE, "slug": "join-us", "body": content::JOIN_US_BODY, "kind": "page"}),
    )?;
    client.post(&format!("/articles/{}/publish", id(&page)?), json!({}))?;

    // The carousel at the top and the ad beside the article.
    client.post(
        "/carousels",
        json!({"key": "home-hero", "name": "首页轮播图"}),
    )?;
    for (n, slide) in content::HERO_SLIDES.iter().enumerate() {
        let image = client.upload(&picture(slide.hue, 40 + n as u32)?, &[("alt", slide.title)])?;
        image_count += 1;
        let article = match slide.article {
            Some(index) => article_ids.get(index).cloned(),
            None => Some(seed_id.clone()),
        };
        client.post(
            "/carousels/home-hero/slides",
            json!({"image": id(&image)?, "title": slide.title, "article": article}),
        )?;
    }
    client.post(
        "/carousels",
        json!({"key": "sidebar-ad", "name": "广告图片"}),
    )?;
    let ad_image = client.upload(
        &picture([40, 120, 200], 50)?,
        &[("alt", "重点扶持项目招商")],
    )?;
    let house_image = client.upload(&picture([120, 120, 120], 51)?, &[("alt", "在此投放广告")])?;
    image_count += 2;
    client.post(
        "/carousels/sidebar-ad/slides",
        json!({"image": id(&ad_image)?, "title": "重点扶持项目招商", "link_url": "https://www.example.com/projects",
               "starts_at": "2023-11-01T00:00:00Z", "ends_at": "2033-11-01T00:00:00Z"}),
    )?;
    let house = client.post(
        "/carousels/sidebar-ad/slides",
        json!({"image": id(&house_image)?, "title": "广告位招租", "link_url": "https://www.example.com/ads"}),
    )?;
    client.send(
        "PATCH",
        "/carousels/sidebar-ad",
        Some(json!({"fallback_slide": id(&house)?})),
    )?;

    // 相关推荐 under the seed article, and the editors' picks of the home page.
    for index in RELATED {
        if let Some(target) = article_ids.get(index) {
            client.post(
                "/recommendations",
                json!({"slot": "related", "source_article": seed_id, "target_article": target}),
            )?;
        }
    }
    for index in EDITORS_PICKS {
        if let Some(target) = article_ids.get(index) {
            client.post(
                "/recommendations",
                json!({"slot": "editors-picks", "target_article": target}),
            )?;
        }
    }

    for (position, (name, url)) in content::FRIEND_LINKS.iter().enumerate() {
        client.post(
            "/links",
            json!({"name": name, "url": url, "group": "friends", "position": position + 1}),
        )?;
    }

    client.progress.finish_and_clear();
    Ok(Loaded {
        admin_email: ADMIN_EMAIL.into(),
        admin_password,
        editor_email: EDITOR_EMAIL.into(),
        editor_password,
        articles: content::ARTICLES.len() + 2,
        images: image_count,
    })
}
