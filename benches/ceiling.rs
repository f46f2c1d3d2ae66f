//! The ceiling that `read_path.sh` measures Masthead against: the least an actix-web handler can
//! do to answer `GET /api/v1/articles/{slug}` from the same database, through the same stack
//! (Diesel and r2d2 on the blocking pool): one SELECT by slug, its row as JSON. No visibility
//! rule, no authors or figures, no ETag, no cache.
//!
//! `cargo run --release --example ceiling -- <database url> <address>`

use actix_web::{App, HttpResponse, HttpServer, web};
use chrono::{DateTime, Utc};
use diesel::{
    PgConnection,
    prelude::*,
    r2d2::{ConnectionManager, Pool},
};
use masthead::schema::articles;
use serde::Serialize;
use uuid::Uuid;

type DbPool = Pool<ConnectionManager<PgConnection>>;

/// The columns a reader gets, so the JSON is about the size of Masthead's answer.
#[derive(Queryable, Serialize)]
struct Row {
    id: Uuid,
    slug: String,
    title: String,
    subtitle: Option<String>,
    excerpt: String,
    body: String,
    body_html: String,
    status: String,
    published_at: Option<DateTime<Utc>>,
    locale: String,
    word_count: i32,
    updated_at: DateTime<Utc>,
}

async fn article(pool: web::Data<DbPool>, slug: web::Path<String>) -> HttpResponse {
    let slug = slug.into_inner();
    let found = web::block(move || {
        let mut conn = pool.get().map_err(|e| e.to_string())?;
        articles::table
            .filter(articles::slug.eq(slug))
            .select((
                articles::id,
                articles::slug,
                articles::title,
                articles::subtitle,
                articles::excerpt,
                articles::body,
                articles::body_html,
                articles::status,
                articles::published_at,
                articles::locale,
                articles::word_count,
                articles::updated_at,
            ))
            .first::<Row>(&mut conn)
            .optional()
            .map_err(|e| e.to_string())
    })
    .await;
    match found {
        Ok(Ok(Some(row))) => HttpResponse::Ok().json(row),
        Ok(Ok(None)) => HttpResponse::NotFound().finish(),
        _ => HttpResponse::ServiceUnavailable().finish(),
    }
}

#[actix_web::main]
async fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let (Some(url), Some(address)) = (args.next(), args.next()) else {
        eprintln!("usage: ceiling <database url> <address>");
        std::process::exit(2);
    };
    let pool = Pool::builder()
        .max_size(10)
        .build(ConnectionManager::<PgConnection>::new(url))
        .map_err(std::io::Error::other)?;
    HttpServer::new(move || {
        App::new()
            .app_data(web::Data::new(pool.clone()))
            .route("/api/v1/articles/{slug}", web::get().to(article))
    })
    .bind(address)?
    .run()
    .await
}
