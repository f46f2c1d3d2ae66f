//! Article bodies: Markdown rendered to sanitised HTML, with `image:` references turned into
//! figures, and the plain text that counts, excerpts and search are made from.

mod figures;
#[cfg(test)]
mod fixtures;
mod plain;
mod remote;
mod sanitize;

use std::collections::HashMap;

use pulldown_cmark::{Event, Options, Parser, Tag, html};
use uuid::Uuid;

use figures::{place_images, tidy_paragraphs};
use plain::plain_text;
pub use remote::{RemoteImage, remote_images, replace};
use sanitize::SANITIZER;

/// What an `![alt](image:<uuid> "caption")` reference needs of the stored image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InlineImage {
    /// The URL of the image at its largest size.
    pub url: String,
    /// The `srcset` list of the image's sizes in the format of `url`; empty when there is only
    /// `url`.
    pub srcset: String,
    /// The `srcset` list of its WebP copies, offered first through a `<picture>`; empty when
    /// there are none (or `url` is WebP already).
    pub webp_srcset: String,
    /// Intrinsic width in pixels, so the browser reserves the room before the image loads.
    pub width: i32,
    /// Intrinsic height in pixels.
    pub height: i32,
    /// The stored caption, used unless the reference gives its own.
    pub caption: Option<String>,
    /// Who made the image, shown after the caption.
    pub credit: Option<String>,
}

/// A body rendered once, when it is saved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    /// Sanitised HTML, safe to insert into a page as it is.
    pub html: String,
    /// The words of the body: blocks separated by a blank line, no markup, entities decoded,
    /// image alt text and captions left out.
    pub text: String,
}

/// Renders CommonMark (with tables and strikethrough) to sanitised HTML and plain text.
///
/// Raw HTML in the source is allowed through the sanitiser, so no script, event handler,
/// `javascript:`/`data:` URL, style or frame survives whatever the input. Links get
/// `rel="noopener noreferrer"`. An `image:<uuid>` reference becomes a `<figure>` built from
/// `images` (fetched beforehand with the ids from [`image_ids`]); one whose id is missing from
/// `images` is dropped, as a broken image would be worse than none.
pub fn render(source: &str, images: &HashMap<Uuid, InlineImage>) -> Rendered {
    let events: Vec<Event<'_>> = Parser::new_ext(source, options()).collect();
    let text = plain_text(&events);
    let events = tidy_paragraphs(place_images(events, images));
    let mut raw = String::with_capacity(source.len() + source.len() / 2);
    html::push_html(&mut raw, events.into_iter());
    let html = SANITIZER.clean(&raw).to_string();
    Rendered { html, text }
}

/// The distinct ids of the `image:` references in `source`, in document order, so that a caller
/// can fetch them all in one query before [`render`].
pub fn image_ids(source: &str) -> Vec<Uuid> {
    let mut ids = Vec::new();
    for event in Parser::new_ext(source, options()) {
        if let Event::Start(Tag::Image { dest_url, .. }) = event
            && let Some(id) = image_id(&dest_url)
        {
            // Bodies hold a handful of images; a linear check beats hashing here.
            if !ids.contains(&id) {
                ids.push(id);
            }
        }
    }
    ids
}

fn options() -> Options {
    Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH
}

/// Whether an image destination is an `image:` reference, whether or not its id is valid.
fn is_image_ref(dest: &str) -> bool {
    dest.get(..6)
        .is_some_and(|scheme| scheme.eq_ignore_ascii_case("image:"))
}

fn image_id(dest: &str) -> Option<Uuid> {
    if !is_image_ref(dest) {
        return None;
    }
    Uuid::parse_str(dest[6..].trim()).ok()
}

#[cfg(test)]
mod tests {
    use super::fixtures::{BARE, HARBOUR, UNKNOWN, html};
    use super::*;

    #[test]
    fn commonmark_renders() {
        assert_eq!(
            html("# Title\n\nSome *emphasis* and **strong**."),
            "<h1>Title</h1>\n<p>Some <em>emphasis</em> and <strong>strong</strong>.</p>\n"
        );
        assert_eq!(
            html("- one\n- two"),
            "<ul>\n<li>one</li>\n<li>two</li>\n</ul>\n"
        );
        assert_eq!(
            html("> quoted"),
            "<blockquote>\n<p>quoted</p>\n</blockquote>\n"
        );
        assert_eq!(html("~~gone~~"), "<p><del>gone</del></p>\n");
        assert_eq!(
            html("```rust\nlet x = 1 < 2;\n```"),
            "<pre><code class=\"language-rust\">let x = 1 &lt; 2;\n</code></pre>\n"
        );
    }

    #[test]
    fn image_ids_are_distinct_and_in_order() {
        let source = format!(
            "![a](image:{BARE})\n\nText ![b](image:{HARBOUR} \"t\") and ![c](image:{BARE}).\n\n\
             ![d](image:nope) ![e](https://cdn.example/e.png) [f](image:{UNKNOWN})\n\n\
             - ![g](IMAGE:{UNKNOWN})"
        );
        assert_eq!(image_ids(&source), vec![BARE, HARBOUR, UNKNOWN]);
        assert!(image_ids("No images here.").is_empty());
    }
}
