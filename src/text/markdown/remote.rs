//! Finding the remote pictures a body points at, and pointing it at the library instead, for
//! importing them: only the destinations change, so nothing else of the text moves.

use std::ops::Range;

use pulldown_cmark::{Event, LinkType, Parser, Tag};

use super::options;

/// An `http(s)` image destination in a body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoteImage {
    pub url: String,
    /// The image's alt text.
    pub alt: String,
    /// Where the URL is written in the source: in the image itself, or in the reference
    /// definition it names.
    pub at: Range<usize>,
}

/// Every `http(s)` image of `source` whose URL is written as it is meant (not escaped), in
/// document order; a reference definition used twice is listed once.
pub fn remote_images(source: &str) -> Vec<RemoteImage> {
    let parser = Parser::new_ext(source, options());
    let definitions: Vec<(String, String, Range<usize>)> = parser
        .reference_definitions()
        .iter()
        .map(|(label, def)| (label.to_owned(), def.dest.to_string(), def.span.clone()))
        .collect();
    let mut found: Vec<RemoteImage> = Vec::new();
    let mut events = parser.into_offset_iter();
    while let Some((event, span)) = events.next() {
        let Event::Start(Tag::Image {
            link_type,
            dest_url,
            id,
            ..
        }) = event
        else {
            continue;
        };
        if !is_remote(&dest_url) {
            continue;
        }
        let mut alt = String::new();
        for (inner, _) in events.by_ref() {
            match inner {
                Event::End(pulldown_cmark::TagEnd::Image) => break,
                Event::Text(text) | Event::Code(text) => alt.push_str(&text),
                _ => {}
            }
        }
        let written = match link_type {
            LinkType::Inline => Some(span),
            LinkType::Reference | LinkType::Collapsed | LinkType::Shortcut => definitions
                .iter()
                .find(|(label, _, _)| label.eq_ignore_ascii_case(&id))
                .map(|(_, _, span)| span.clone()),
            _ => None,
        };
        // The URL as written, after the `](` of an image or the `]:` of a definition.
        let Some(at) = written.and_then(|span| {
            let text = &source[span.clone()];
            let after = text.rfind("](").or_else(|| text.find("]:"))? + 2;
            let start = span.start + after + text[after..].find(dest_url.as_ref())?;
            Some(start..start + dest_url.len())
        }) else {
            continue;
        };
        if found.iter().any(|f| f.at == at) {
            continue;
        }
        found.push(RemoteImage {
            url: dest_url.to_string(),
            alt,
            at,
        });
    }
    found
}

fn is_remote(dest: &str) -> bool {
    let lower = dest.get(..8).unwrap_or(dest).to_ascii_lowercase();
    lower.starts_with("http://") || lower.starts_with("https://")
}

/// `source` with each `(range, replacement)` applied; the ranges do not overlap.
pub fn replace(source: &str, mut edits: Vec<(Range<usize>, String)>) -> String {
    edits.sort_by_key(|(range, _)| std::cmp::Reverse(range.start));
    let mut out = source.to_owned();
    for (range, replacement) in edits {
        out.replace_range(range, &replacement);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remote_images_are_found_where_their_urls_are_written() {
        let source = "Intro ![草原](https://a.example/1.jpg \"Nadam\") and \
                      ![local](/media/x.jpg) ![lib](image:0190) [link](https://a.example/page)\n\n\
                      ![ref][pic] ![pic] ![gone](<https://a.example/3 b.jpg>)\n\n\
                      [pic]: http://b.example/2.png\n";
        let found = remote_images(source);
        let urls: Vec<&str> = found.iter().map(|f| f.url.as_str()).collect();
        assert_eq!(
            urls,
            [
                "https://a.example/1.jpg",
                "http://b.example/2.png",
                "https://a.example/3 b.jpg"
            ]
        );
        for image in &found {
            assert_eq!(&source[image.at.clone()], image.url);
        }
        assert_eq!(found[0].alt, "草原");
        let rewritten = replace(
            source,
            found
                .iter()
                .enumerate()
                .map(|(i, f)| (f.at.clone(), format!("image:{i}")))
                .collect(),
        );
        assert!(
            rewritten.contains("![草原](image:0 \"Nadam\")"),
            "{rewritten}"
        );
        assert!(rewritten.contains("[pic]: image:1\n"), "{rewritten}");
        assert!(rewritten.contains("![gone](<image:2>)"), "{rewritten}");
        assert!(
            rewritten.contains("[link](https://a.example/page)"),
            "{rewritten}"
        );
    }
}
