//! Images in article bodies: fetched in one query before a body is rendered, and bodies
//! rendered again when an image they show changes or goes.

use std::collections::HashMap;

use diesel::prelude::*;
use uuid::Uuid;

use crate::{
    images::{self, dto::ImageView},
    schema::articles,
    text::markdown::{self, InlineImage},
};

/// What the figures of the images with these ids need; missing ids are simply absent.
pub fn inline_images(
    conn: &mut PgConnection,
    ids: &[Uuid],
    media_url: &str,
) -> QueryResult<HashMap<Uuid, InlineImage>> {
    let found = images::queries::by_ids(conn, ids)?;
    if found.is_empty() {
        return Ok(HashMap::new());
    }
    let pictures = images::pictures::load(conn, media_url)?;
    let restricted = pictures.originals_restricted();
    Ok(found
        .into_iter()
        .map(|image| {
            let id = image.id;
            (id, ImageView::new(image, &pictures).inline(restricted))
        })
        .collect())
}

/// Renders again the bodies showing `image`, after its caption or credit changed or it was
/// deleted (its figures then leave the bodies). Revisions keep what they were.
pub fn refresh(conn: &mut PgConnection, image: Uuid, media_url: &str) -> QueryResult<()> {
    let bodies: Vec<(Uuid, String)> = articles::table
        .filter(articles::body_image_ids.contains(vec![image]))
        .select((articles::id, articles::body))
        .for_update()
        .load(conn)?;
    render_again(conn, bodies, media_url)
}

/// Renders again every body with a figure, after the watermark of the variants changed: the
/// figures name other files now, and the clean ones may have become staff-only.
pub fn refresh_all(conn: &mut PgConnection, media_url: &str) -> QueryResult<()> {
    let bodies: Vec<(Uuid, String)> = articles::table
        .filter(articles::body_image_ids.ne(Vec::<Uuid>::new()))
        .select((articles::id, articles::body))
        .for_update()
        .load(conn)?;
    render_again(conn, bodies, media_url)
}

fn render_again(
    conn: &mut PgConnection,
    bodies: Vec<(Uuid, String)>,
    media_url: &str,
) -> QueryResult<()> {
    for (id, body) in bodies {
        let figures = inline_images(conn, &markdown::image_ids(&body), media_url)?;
        let rendered = markdown::render(&body, &figures);
        diesel::update(articles::table.find(id))
            .set(articles::body_html.eq(rendered.html))
            .execute(conn)?;
    }
    Ok(())
}
