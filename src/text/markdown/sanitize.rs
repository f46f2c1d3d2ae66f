//! The sanitisers: one for the HTML that is served, one that strips raw HTML down to the blocks
//! the plain text is read from.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

/// The sanitiser for rendered bodies: ammonia's defaults (which already refuse scripts, event
/// handlers and unknown URL schemes) plus what figures and tables need.
pub(super) static SANITIZER: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| {
    let mut builder = ammonia::Builder::default();
    builder
        .add_tags(&["picture", "source"])
        .add_tag_attributes("img", &["title", "srcset", "sizes", "loading"])
        .add_tag_attributes("source", &["type", "srcset", "sizes"])
        .add_tag_attributes("a", &["title"])
        .add_tag_attributes("th", &["style"])
        .add_tag_attributes("td", &["style"])
        .add_tag_attributes("code", &["class"])
        .add_allowed_classes("span", &["credit"])
        // Their content is not text for the reader: drop it with the tag instead of unwrapping it.
        .add_clean_content_tags(&[
            "iframe", "frame", "frameset", "object", "embed", "applet", "noscript", "noembed",
            "noframes", "template", "textarea", "select", "title",
        ])
        .attribute_filter(filter_attribute);
    builder
});

/// Checks the attribute values that ammonia passes through unchecked.
fn filter_attribute<'u>(element: &str, attribute: &str, value: &'u str) -> Option<Cow<'u, str>> {
    let keep = match (element, attribute) {
        // ammonia checks the scheme of `src` but not of the URLs in `srcset`.
        ("img" | "source", "srcset") => value
            .split(',')
            .filter_map(|candidate| candidate.split_whitespace().next())
            .all(is_web_url),
        // A `<source>` of another type could smuggle in what `<img>` would not load.
        ("source", "type") => value.starts_with("image/"),
        // Only the alignment pulldown-cmark writes for table columns.
        ("td" | "th", "style") => {
            matches!(
                value.trim(),
                "text-align: left" | "text-align: center" | "text-align: right"
            )
        }
        // Code blocks name their language for highlighters; no other class is needed.
        ("code", "class") => value.strip_prefix("language-").is_some_and(|lang| {
            !lang.is_empty()
                && lang
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '+' | '#' | '.'))
        }),
        _ => true,
    };
    keep.then_some(Cow::Borrowed(value))
}

/// Whether `url` is relative or uses `http`/`https`.
fn is_web_url(url: &str) -> bool {
    match url.find([':', '/', '?', '#']) {
        Some(i) if url[i..].starts_with(':') => {
            let scheme = &url[..i];
            scheme.eq_ignore_ascii_case("http") || scheme.eq_ignore_ascii_case("https")
        }
        _ => true,
    }
}

/// Reduces raw HTML to the tags that separate blocks of text, with no attributes, so that the
/// plain text can be read off its output. Scripts, styles and captions go with their content.
pub(super) static TEXT_SANITIZER: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| {
    let mut builder = ammonia::Builder::empty();
    builder
        .tags(HashSet::from([
            "address",
            "article",
            "aside",
            "blockquote",
            "br",
            "caption",
            "dd",
            "details",
            "div",
            "dl",
            "dt",
            "figure",
            "footer",
            "h1",
            "h2",
            "h3",
            "h4",
            "h5",
            "h6",
            "header",
            "hr",
            "li",
            "main",
            "nav",
            "ol",
            "p",
            "pre",
            "section",
            "summary",
            "table",
            "td",
            "th",
            "tr",
            "ul",
        ]))
        .generic_attributes(HashSet::new())
        .tag_attributes(HashMap::new())
        .link_rel(None)
        .clean_content_tags(HashSet::from([
            "script",
            "style",
            "iframe",
            "frame",
            "frameset",
            "object",
            "embed",
            "applet",
            "noscript",
            "noembed",
            "noframes",
            "template",
            "textarea",
            "select",
            "title",
            "figcaption",
        ]));
    builder
});

#[cfg(test)]
mod tests {
    use super::super::fixtures::html;

    #[test]
    fn tables_keep_their_alignment() {
        let out = html("| Year | Amount |\n|:-----|-------:|\n| 2023 | 13405 |");
        assert_eq!(
            out,
            "<table><thead><tr><th style=\"text-align: left\">Year</th><th style=\"text-align: right\">Amount</th></tr></thead><tbody>\n<tr><td style=\"text-align: left\">2023</td><td style=\"text-align: right\">13405</td></tr>\n</tbody></table>\n"
        );
        // A style other than the alignment is dropped.
        assert_eq!(
            html("<table><tr><td style=\"background: url(x)\">a</td></tr></table>"),
            "<table><tbody><tr><td>a</td></tr></tbody></table>"
        );
    }

    #[test]
    fn links_get_rel_noopener() {
        assert_eq!(
            html("[Masthead](https://example.com \"Home\")"),
            "<p><a href=\"https://example.com\" title=\"Home\" rel=\"noopener noreferrer\">Masthead</a></p>\n"
        );
        assert_eq!(
            html("<a href=\"/about\" rel=\"opener\" target=\"_blank\">About</a>"),
            "<p><a href=\"/about\" rel=\"noopener noreferrer\">About</a></p>\n"
        );
    }

    #[test]
    fn scripts_never_survive() {
        let cases = [
            "<script>alert(1)</script>",
            "before <script>alert(1)</script> after",
            "<SCRIPT SRC=https://evil.example/x.js></SCRIPT>",
            "<img src=x onerror=alert(1)>",
            "<img src=\"javascript:alert(1)\">",
            "<img srcset=\"javascript:alert(1) 1x, https://ok.example/a.png 2x\">",
            "[x](javascript:alert(1))",
            "[x](  JaVaScRiPt:alert(1) )",
            "<a href=\"JaVaScRiPt:alert(1)\">x</a>",
            "<a href=\"&#106;avascript:alert(1)\">x</a>",
            "<a href=\"java\tscript:alert(1)\">x</a>",
            "<a href=\"vbscript:msgbox(1)\">x</a>",
            "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
            "![x](data:image/svg+xml;base64,PHN2Zy8+)",
            "<iframe src=\"https://evil.example\"></iframe>",
            "text <iframe src=\"https://evil.example\">fallback</iframe>",
            "<style>body { display: none }</style>",
            "<div style=\"background:url(javascript:alert(1))\" onclick=\"alert(1)\">x</div>",
            "<p onmouseover=\"alert(1)\">hover</p>",
            "<svg><script>alert(1)</script></svg>",
            "<svg onload=alert(1)>",
            "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
            "<form action=\"javascript:alert(1)\"><button formaction=\"javascript:alert(1)\">x</button></form>",
            "<object data=\"javascript:alert(1)\"></object><embed src=\"javascript:alert(1)\">",
            "<meta http-equiv=\"refresh\" content=\"0;url=javascript:alert(1)\">",
            "<base href=\"javascript:alert(1)//\">",
            "<!-- <script>alert(1)</script> -->",
            "<code class=\"x onclick\" onclick=\"alert(1)\">c</code>",
        ];
        for source in cases {
            let out = html(source).to_ascii_lowercase();
            for bad in [
                "<script",
                "</script",
                " on",
                "javascript",
                "vbscript",
                "data:",
                "<iframe",
                "<style",
                "style=",
                "<svg",
                "<object",
                "<embed",
                "<meta",
                "<base",
                "<form",
                "alert(1)",
            ] {
                assert!(
                    !out.contains(bad),
                    "{source:?} gave {out:?}, which holds {bad:?}"
                );
            }
        }
        assert_eq!(html("<script>alert(1)</script>").trim(), "");
        assert_eq!(html("<img src=x onerror=alert(1)>"), "<img src=\"x\">");
        assert_eq!(
            html("[x](javascript:alert(1))"),
            "<p><a rel=\"noopener noreferrer\">x</a></p>\n"
        );
        assert_eq!(
            html("<iframe src=\"https://evil.example\"></iframe>").trim(),
            ""
        );
    }

    #[test]
    fn ordinary_images_render_as_images() {
        assert_eq!(
            html("![A cat](https://cdn.example/cat.png \"Cat\")"),
            "<p><img src=\"https://cdn.example/cat.png\" alt=\"A cat\" title=\"Cat\"></p>\n"
        );
        assert_eq!(
            html("<img src=\"/a.png\" srcset=\"/a-2x.png 2x\" loading=\"lazy\" width=\"10\">"),
            "<img src=\"/a.png\" srcset=\"/a-2x.png 2x\" loading=\"lazy\" width=\"10\">"
        );
    }

    #[test]
    fn pictures_keep_only_image_sources_with_web_urls() {
        assert_eq!(
            html(
                "<picture><source type=\"image/webp\" srcset=\"/a.webp 320w\" sizes=\"100vw\"><img src=\"/a.jpg\"></picture>"
            ),
            "<p><picture><source type=\"image/webp\" srcset=\"/a.webp 320w\" sizes=\"100vw\"><img src=\"/a.jpg\"></picture></p>\n"
        );
        let out = html(
            "<picture><source type=\"text/html\" srcset=\"javascript:alert(1) 1x\"><img src=\"/a.jpg\"></picture>",
        );
        assert_eq!(
            out,
            "<p><picture><source><img src=\"/a.jpg\"></picture></p>\n"
        );
    }
}
