//! Every query on `images`.

use chrono::Utc;
use diesel::{pg::Pg, prelude::*};
use uuid::Uuid;

use crate::{
    images::model::{Image, ImageChanges, NewImage},
    pagination::Page,
    schema::{articles, authors, carousel_slides, images, links, site_settings},
};

/// Inserts the record; an import of a URL already imported (by a request racing this one)
/// gives the image that won.
pub fn insert(conn: &mut PgConnection, new: &NewImage) -> QueryResult<Image> {
    let Some(url) = &new.source_url else {
        return diesel::insert_into(images::table)
            .values(new)
            .returning(Image::as_returning())
            .get_result(conn);
    };
    let inserted = diesel::insert_into(images::table)
        .values(new)
        .on_conflict(images::source_url)
        .do_nothing()
        .returning(Image::as_returning())
        .get_result(conn)
        .optional()?;
    match inserted {
        Some(image) => Ok(image),
        None => images::table
            .filter(images::source_url.eq(url))
            .select(Image::as_select())
            .first(conn),
    }
}

pub fn find(conn: &mut PgConnection, id: Uuid) -> QueryResult<Image> {
    images::table
        .find(id)
        .select(Image::as_select())
        .first(conn)
}

pub fn find_for_update(conn: &mut PgConnection, id: Uuid) -> QueryResult<Image> {
    images::table
        .find(id)
        .select(Image::as_select())
        .for_update()
        .first(conn)
}

pub fn exists(conn: &mut PgConnection, id: Uuid) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(images::table.find(id))).get_result(conn)
}

/// The images with these ids, in no particular order; missing ones are simply absent.
pub fn by_ids(conn: &mut PgConnection, ids: &[Uuid]) -> QueryResult<Vec<Image>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    images::table
        .filter(images::id.eq_any(ids))
        .select(Image::as_select())
        .load(conn)
}

/// An earlier upload of the same bytes, whose files and measurements a new upload can share.
pub fn same_file(conn: &mut PgConnection, sha256: &str) -> QueryResult<Option<Image>> {
    images::table
        .filter(images::sha256.eq(sha256))
        .select(Image::as_select())
        .first(conn)
        .optional()
}

/// Every image record of the upload `sha256`.
pub fn with_file(conn: &mut PgConnection, sha256: &str) -> QueryResult<Vec<Image>> {
    images::table
        .filter(images::sha256.eq(sha256))
        .select(Image::as_select())
        .load(conn)
}

/// The image imported from `url`, if there is one.
pub fn imported_from(conn: &mut PgConnection, url: &str) -> QueryResult<Option<Image>> {
    images::table
        .filter(images::source_url.eq(url))
        .select(Image::as_select())
        .first(conn)
        .optional()
}

pub fn file_users(conn: &mut PgConnection, sha256: &str) -> QueryResult<i64> {
    images::table
        .filter(images::sha256.eq(sha256))
        .count()
        .get_result(conn)
}

#[derive(Debug, Default)]
pub struct Filters {
    pub q: Option<String>,
    pub mime: Option<String>,
}

type Boxed = images::BoxedQuery<'static, Pg>;

fn filtered(filters: &Filters) -> Boxed {
    let mut query = images::table.into_boxed();
    if let Some(mime) = &filters.mime {
        query = query.filter(images::mime.eq(mime.clone()));
    }
    if let Some(q) = &filters.q {
        let pattern = crate::text::like_contains(q);
        query = query.filter(
            images::title
                .ilike(pattern.clone())
                .or(images::alt.ilike(pattern.clone()))
                .or(images::caption.ilike(pattern.clone()))
                .or(images::credit.ilike(pattern)),
        );
    }
    query
}

/// Newest first.
pub fn list(
    conn: &mut PgConnection,
    filters: &Filters,
    page: Page,
) -> QueryResult<(Vec<Image>, i64)> {
    let rows = filtered(filters)
        .select(Image::as_select())
        .order((images::created_at.desc(), images::id.desc()))
        .limit(page.limit())
        .offset(page.offset())
        .load(conn)?;
    let total = filtered(filters).count().get_result(conn)?;
    Ok((rows, total))
}

pub fn update(conn: &mut PgConnection, id: Uuid, changes: &ImageChanges) -> QueryResult<Image> {
    diesel::update(images::table.find(id))
        .set((
            changes,
            images::updated_at.eq(Utc::now()),
            images::version.eq(images::version + 1),
        ))
        .returning(Image::as_returning())
        .get_result(conn)
}

pub fn delete(conn: &mut PgConnection, id: Uuid) -> QueryResult<usize> {
    diesel::delete(images::table.find(id)).execute(conn)
}

/// What uses an image: articles (as cover or in the body, the trash included), authors,
/// carousel slides, links and the site's logo and watermark.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Usage {
    pub articles: i64,
    pub authors: i64,
    pub slides: i64,
    pub links: i64,
    /// 1 when it is the site's logo.
    pub site: i64,
    /// 1 when it is the site's watermark.
    pub watermark: i64,
}

impl Usage {
    pub fn any(&self) -> bool {
        self.articles > 0
            || self.authors > 0
            || self.slides > 0
            || self.links > 0
            || self.site > 0
            || self.watermark > 0
    }

    /// "2 articles, 1 carousel slide", for a 409's detail.
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        for (count, one, many) in [
            (self.articles, "article", "articles"),
            (self.authors, "author", "authors"),
            (self.slides, "carousel slide", "carousel slides"),
            (self.links, "link", "links"),
            (self.site, "the site's logo", "the site's logo"),
            (
                self.watermark,
                "the site's watermark",
                "the site's watermark",
            ),
        ] {
            match count {
                0 => {}
                1 if one.starts_with("the ") => parts.push(one.to_owned()),
                1 => parts.push(format!("1 {one}")),
                n => parts.push(format!("{n} {many}")),
            }
        }
        parts.join(", ")
    }
}

pub fn usage(conn: &mut PgConnection, id: Uuid) -> QueryResult<Usage> {
    let articles = articles::table
        .filter(
            articles::cover_image_id
                .eq(id)
                .or(articles::body_image_ids.contains(vec![id])),
        )
        .count()
        .get_result(conn)?;
    let authors = authors::table
        .filter(authors::avatar_id.eq(id))
        .count()
        .get_result(conn)?;
    let slides = carousel_slides::table
        .filter(carousel_slides::image_id.eq(id))
        .count()
        .get_result(conn)?;
    let links = links::table
        .filter(links::logo_id.eq(id))
        .count()
        .get_result(conn)?;
    let site = site_settings::table
        .filter(site_settings::logo_id.eq(id))
        .count()
        .get_result(conn)?;
    let watermark = site_settings::table
        .filter(site_settings::watermark_image_id.eq(id))
        .count()
        .get_result(conn)?;
    Ok(Usage {
        articles,
        authors,
        slides,
        links,
        site,
        watermark,
    })
}
