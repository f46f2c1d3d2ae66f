//! Article bodies: Markdown rendered to sanitised HTML, with `image:` references turned into
//! figures, and the plain text that counts, excerpts and search are made from.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

use pulldown_cmark::{CowStr, Event, Options, Parser, Tag, TagEnd, html};
use uuid::Uuid;

use super::collapse_whitespace;

/// The `sizes` attribute of an inline image: as wide as the viewport on small screens, at most
/// the 1024px column otherwise.
const SIZES: &str = "(max-width: 1024px) 100vw, 1024px";

/// What an `![alt](image:<uuid> "caption")` reference needs of the stored image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InlineImage {
    /// The URL of the image at its largest size.
    pub url: String,
    /// The `srcset` list of the image's sizes; empty when there is only `url`.
    pub srcset: String,
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

/// What may stand where an `image:` reference is found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Context {
    /// Block content: a list item, a table cell. A figure fits.
    Flow,
    /// Directly in a paragraph: the paragraph is split around the figure, as `<p>` cannot hold
    /// one (the browser would close it early and leave an empty `<p></p>`).
    Paragraph,
    /// Inside a heading, a link or emphasis: only a bare `<img>` fits.
    Phrasing,
    /// Inside another image's alt text: only text fits.
    Alt,
}

fn context_of(tag: &Tag<'_>) -> Context {
    match tag {
        Tag::Paragraph => Context::Paragraph,
        Tag::Image { .. } => Context::Alt,
        Tag::Heading { .. }
        | Tag::Emphasis
        | Tag::Strong
        | Tag::Strikethrough
        | Tag::Superscript
        | Tag::Subscript
        | Tag::Link { .. }
        | Tag::DefinitionListTitle => Context::Phrasing,
        _ => Context::Flow,
    }
}

/// Replaces every `image:` reference with the HTML it stands for.
fn place_images<'a>(events: Vec<Event<'a>>, images: &HashMap<Uuid, InlineImage>) -> Vec<Event<'a>> {
    let mut out = Vec::with_capacity(events.len());
    let mut contexts: Vec<Context> = Vec::new();
    let mut events = events.into_iter();
    while let Some(event) = events.next() {
        match event {
            Event::Start(Tag::Image {
                dest_url, title, ..
            }) if is_image_ref(&dest_url) => {
                let alt = take_alt(&mut events);
                let context = contexts.last().copied().unwrap_or(Context::Flow);
                if context == Context::Alt {
                    out.push(Event::Text(alt.into()));
                    continue;
                }
                let Some(image) = image_id(&dest_url).and_then(|id| images.get(&id)) else {
                    continue;
                };
                let caption = Some(title.as_ref())
                    .filter(|t| !t.trim().is_empty())
                    .or(image.caption.as_deref());
                match context {
                    Context::Paragraph => {
                        out.push(Event::End(TagEnd::Paragraph));
                        out.push(Event::Html(figure(image, &alt, caption).into()));
                        out.push(Event::Start(Tag::Paragraph));
                    }
                    Context::Flow => out.push(Event::Html(figure(image, &alt, caption).into())),
                    Context::Phrasing | Context::Alt => {
                        out.push(Event::InlineHtml(img_tag(image, &alt).into()))
                    }
                }
            }
            Event::Start(tag) => {
                contexts.push(context_of(&tag));
                out.push(Event::Start(tag));
            }
            Event::End(end) => {
                contexts.pop();
                out.push(Event::End(end));
            }
            other => out.push(other),
        }
    }
    out
}

/// Consumes an image's alt text up to its end and returns it as plain text.
fn take_alt<'a>(events: &mut impl Iterator<Item = Event<'a>>) -> String {
    let mut alt = String::new();
    let mut depth = 1;
    for event in events {
        match event {
            Event::Start(Tag::Image { .. }) => depth += 1,
            Event::End(TagEnd::Image) => {
                depth -= 1;
                if depth == 0 {
                    break;
                }
            }
            Event::Text(t) | Event::Code(t) | Event::InlineMath(t) => alt.push_str(&t),
            Event::SoftBreak | Event::HardBreak => alt.push(' '),
            _ => {}
        }
    }
    collapse_whitespace(&alt)
}

/// Drops the paragraphs left empty by [`place_images`] and trims the breaks and spaces that a
/// figure leaves at the edges of the ones around it.
fn tidy_paragraphs(events: Vec<Event<'_>>) -> Vec<Event<'_>> {
    let is_break = |e: &Event<'_>| matches!(e, Event::SoftBreak | Event::HardBreak);
    let mut out: Vec<Event<'_>> = Vec::with_capacity(events.len());
    let mut open: Option<usize> = None; // where the open paragraph's start is in `out`
    for event in events {
        match event {
            Event::Start(Tag::Paragraph) => {
                open = Some(out.len());
                out.push(event);
            }
            Event::End(TagEnd::Paragraph) => {
                let Some(start) = open.take() else {
                    out.push(event);
                    continue;
                };
                while out.len() > start + 1 {
                    match out.last_mut() {
                        Some(e) if is_break(e) => {
                            out.pop();
                        }
                        Some(Event::Text(t)) if t.trim_end().len() != t.len() => {
                            let trimmed = t.trim_end().to_owned();
                            if trimmed.is_empty() {
                                out.pop();
                            } else {
                                *t = CowStr::from(trimmed);
                                break;
                            }
                        }
                        _ => break,
                    }
                }
                if out.len() == start + 1 {
                    out.truncate(start);
                } else {
                    out.push(event);
                }
            }
            Event::Text(t) if open.is_some_and(|start| out.len() == start + 1) => {
                let trimmed = t.trim_start();
                if !trimmed.is_empty() {
                    out.push(Event::Text(CowStr::from(trimmed.to_owned())));
                }
            }
            e if is_break(&e) && open.is_some_and(|start| out.len() == start + 1) => {}
            other => out.push(other),
        }
    }
    out
}

fn figure(image: &InlineImage, alt: &str, caption: Option<&str>) -> String {
    let caption = caption.map(str::trim).filter(|c| !c.is_empty());
    let credit = image
        .credit
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty());
    let mut html = String::from("<figure>");
    html.push_str(&img_tag(image, alt));
    if caption.is_some() || credit.is_some() {
        html.push_str("<figcaption>");
        if let Some(caption) = caption {
            push_escaped(&mut html, caption);
        }
        if let Some(credit) = credit {
            if caption.is_some() {
                html.push(' ');
            }
            html.push_str(r#"<span class="credit">"#);
            push_escaped(&mut html, credit);
            html.push_str("</span>");
        }
        html.push_str("</figcaption>");
    }
    html.push_str("</figure>\n");
    html
}

fn img_tag(image: &InlineImage, alt: &str) -> String {
    let mut html = String::from(r#"<img src=""#);
    push_escaped(&mut html, &image.url);
    html.push('"');
    if !image.srcset.trim().is_empty() {
        html.push_str(r#" srcset=""#);
        push_escaped(&mut html, image.srcset.trim());
        html.push_str(r#"" sizes=""#);
        html.push_str(SIZES);
        html.push('"');
    }
    // A zero size would make the browser reserve no room at all; better to say nothing.
    if image.width > 0 && image.height > 0 {
        html.push_str(&format!(
            r#" width="{}" height="{}""#,
            image.width, image.height
        ));
    }
    html.push_str(r#" alt=""#);
    push_escaped(&mut html, alt);
    html.push_str(r#"" loading="lazy">"#);
    html
}

/// Appends `text` to `out`, escaped for use in HTML text and quoted attribute values alike.
fn push_escaped(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
}

/// The sanitiser for rendered bodies: ammonia's defaults (which already refuse scripts, event
/// handlers and unknown URL schemes) plus what figures and tables need.
static SANITIZER: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| {
    let mut builder = ammonia::Builder::default();
    builder
        .add_tag_attributes("img", &["title", "srcset", "sizes", "loading"])
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
        ("img", "srcset") => value
            .split(',')
            .filter_map(|candidate| candidate.split_whitespace().next())
            .all(is_web_url),
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
static TEXT_SANITIZER: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| {
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

/// The plain text of a parsed document: one entry per block, joined by blank lines.
fn plain_text(events: &[Event<'_>]) -> String {
    let mut text = PlainText::default();
    let mut in_image = 0usize;
    for event in events {
        match event {
            Event::Start(Tag::Image { .. }) => in_image += 1,
            Event::End(TagEnd::Image) => in_image = in_image.saturating_sub(1),
            // Alt text describes the picture; it is not part of what the article says.
            _ if in_image > 0 => {}
            Event::Start(Tag::TableCell) | Event::End(TagEnd::TableCell) => text.block.push(' '),
            Event::Start(
                Tag::Emphasis
                | Tag::Strong
                | Tag::Strikethrough
                | Tag::Superscript
                | Tag::Subscript
                | Tag::Link { .. },
            )
            | Event::End(
                TagEnd::Emphasis
                | TagEnd::Strong
                | TagEnd::Strikethrough
                | TagEnd::Superscript
                | TagEnd::Subscript
                | TagEnd::Link,
            ) => {}
            Event::Start(_) | Event::End(_) | Event::Rule => text.end_block(),
            Event::Text(t) | Event::Code(t) | Event::InlineMath(t) | Event::DisplayMath(t) => {
                push_text_escaped(&mut text.block, t);
            }
            Event::Html(h) | Event::InlineHtml(h) => {
                text.block.push_str(h);
                text.has_html = true;
            }
            // A line break, so that wrapped Chinese joins up again (see `collapse_whitespace`).
            Event::SoftBreak | Event::HardBreak => text.block.push('\n'),
            Event::FootnoteReference(_) | Event::TaskListMarker(_) => {}
        }
    }
    text.end_block();
    text.blocks.join("\n\n")
}

/// The blocks of plain text found so far, and the markup of the block being read.
#[derive(Default)]
struct PlainText {
    blocks: Vec<String>,
    /// The current block as HTML: text escaped, raw HTML as written.
    block: String,
    has_html: bool,
}

impl PlainText {
    fn end_block(&mut self) {
        let markup = std::mem::take(&mut self.block);
        if std::mem::take(&mut self.has_html) {
            let cleaned = TEXT_SANITIZER.clean(&markup).to_string();
            // Only attribute-less block tags and `br` are left, and text `<` is escaped, so every
            // `<` opens a tag.
            let mut rest = cleaned.as_str();
            let mut block = String::new();
            while let Some(open) = rest.find('<') {
                block.push_str(&rest[..open]);
                let tag_len = rest[open..].find('>').map_or(rest.len() - open, |i| i + 1);
                let name = rest[open..open + tag_len].trim_matches(['<', '>', '/']);
                if matches!(name, "br" | "td" | "th") {
                    block.push(' ');
                } else {
                    self.push_block(&std::mem::take(&mut block));
                }
                rest = &rest[open + tag_len..];
            }
            block.push_str(rest);
            self.push_block(&block);
        } else {
            self.push_block(&markup);
        }
    }

    fn push_block(&mut self, escaped: &str) {
        let block = collapse_whitespace(&decode_entities(escaped));
        if !block.is_empty() {
            self.blocks.push(block);
        }
    }
}

/// Escapes the three characters that would otherwise read as markup.
fn push_text_escaped(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
}

/// Undoes the escaping of [`push_text_escaped`] and of html5ever's serialiser, which writes
/// every other character as itself.
fn decode_entities(text: &str) -> String {
    if !text.contains('&') {
        return text.to_owned();
    }
    // `&amp;` last, so that an escaped entity such as `&amp;lt;` comes out as `&lt;`.
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&nbsp;", "\u{a0}")
        .replace("&amp;", "&")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn html(source: &str) -> String {
        render(source, &HashMap::new()).html
    }

    fn text(source: &str) -> String {
        render(source, &HashMap::new()).text
    }

    const HARBOUR: Uuid = Uuid::from_u128(0x0190_0000_0000_7000_8000_0000_0000_0001);
    const BARE: Uuid = Uuid::from_u128(0x0190_0000_0000_7000_8000_0000_0000_0002);
    const UNKNOWN: Uuid = Uuid::from_u128(0x0190_0000_0000_7000_8000_0000_0000_0009);

    fn images() -> HashMap<Uuid, InlineImage> {
        HashMap::from([
            (
                HARBOUR,
                InlineImage {
                    url: "https://cdn.example/harbour-1600.webp".into(),
                    srcset: "https://cdn.example/harbour-480.webp 480w, https://cdn.example/harbour-1600.webp 1600w"
                        .into(),
                    width: 1600,
                    height: 900,
                    caption: Some("The harbour at <dawn>".into()),
                    credit: Some("Zhu & Co".into()),
                },
            ),
            (
                BARE,
                InlineImage {
                    url: "https://cdn.example/bare.png".into(),
                    srcset: String::new(),
                    width: 640,
                    height: 480,
                    caption: None,
                    credit: None,
                },
            ),
        ])
    }

    const HARBOUR_IMG: &str = r#"<img src="https://cdn.example/harbour-1600.webp" srcset="https://cdn.example/harbour-480.webp 480w, https://cdn.example/harbour-1600.webp 1600w" sizes="(max-width: 1024px) 100vw, 1024px" width="1600" height="900" alt="Boats &amp; nets" loading="lazy">"#;

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
    fn image_references_become_figures() {
        let source = "Intro.\n\n![Boats & nets](image:0190000000007000800000000000001 \"Dawn, <b>early</b>\")\n\nOutro.";
        let source = source.replace("0190000000007000800000000000001", &HARBOUR.to_string());
        let out = render(&source, &images()).html;
        assert_eq!(
            out,
            format!(
                "<p>Intro.</p>\n<figure>{HARBOUR_IMG}<figcaption>Dawn, &lt;b&gt;early&lt;/b&gt; <span class=\"credit\">Zhu &amp; Co</span></figcaption></figure>\n<p>Outro.</p>\n"
            )
        );
    }

    #[test]
    fn the_stored_caption_is_used_without_a_title() {
        let out = render(&format!("![Boats & nets](image:{HARBOUR})"), &images()).html;
        assert_eq!(
            out,
            format!(
                "<figure>{HARBOUR_IMG}<figcaption>The harbour at &lt;dawn&gt; <span class=\"credit\">Zhu &amp; Co</span></figcaption></figure>\n"
            )
        );
    }

    #[test]
    fn a_figure_without_caption_or_credit_has_no_figcaption() {
        let out = render(&format!("![A view](image:{BARE})"), &images()).html;
        assert_eq!(
            out,
            "<figure><img src=\"https://cdn.example/bare.png\" width=\"640\" height=\"480\" alt=\"A view\" loading=\"lazy\"></figure>\n"
        );
        // A title alone makes one.
        let out = render(
            &format!("![A view](image:{BARE} \"Only a caption\")"),
            &images(),
        )
        .html;
        assert!(
            out.contains("<figcaption>Only a caption</figcaption>"),
            "{out}"
        );
    }

    #[test]
    fn a_figure_splits_the_paragraph_it_stands_in() {
        let out = render(
            &format!("Before\n![A view](image:{BARE})\nafter."),
            &images(),
        )
        .html;
        assert_eq!(
            out,
            "<p>Before</p>\n<figure><img src=\"https://cdn.example/bare.png\" width=\"640\" height=\"480\" alt=\"A view\" loading=\"lazy\"></figure>\n<p>after.</p>\n"
        );
        assert!(!out.contains("<p></p>"));
    }

    #[test]
    fn figures_stand_in_list_items_and_shrink_to_images_in_headings() {
        let out = render(&format!("- ![A view](image:{BARE} \"Cap\")"), &images()).html;
        assert!(out.starts_with("<ul>\n<li><figure><img "), "{out}");
        assert!(
            out.contains("<figcaption>Cap</figcaption></figure>"),
            "{out}"
        );

        let out = render(
            &format!("## Title ![A view](image:{BARE} \"Cap\")"),
            &images(),
        )
        .html;
        assert!(
            out.starts_with("<h2>Title <img src=\"https://cdn.example/bare.png\""),
            "{out}"
        );
        assert!(!out.contains("<figure>") && !out.contains("Cap"), "{out}");
    }

    #[test]
    fn unknown_image_references_leave_nothing() {
        for reference in [
            format!("image:{UNKNOWN}"),
            "image:not-a-uuid".to_owned(),
            "image:".to_owned(),
        ] {
            let out = render(&format!("![Gone](<{reference}> \"Caption\")"), &images()).html;
            assert_eq!(out, "", "{reference}");
            let out = render(&format!("Text ![Gone]({reference}) more."), &images()).html;
            assert!(!out.contains("<img") && !out.contains("Gone"), "{out}");
            assert!(
                out.starts_with("<p>Text") && out.contains("more.</p>"),
                "{out}"
            );
        }
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
    fn image_ids_are_distinct_and_in_order() {
        let source = format!(
            "![a](image:{BARE})\n\nText ![b](image:{HARBOUR} \"t\") and ![c](image:{BARE}).\n\n\
             ![d](image:nope) ![e](https://cdn.example/e.png) [f](image:{UNKNOWN})\n\n\
             - ![g](IMAGE:{UNKNOWN})"
        );
        assert_eq!(image_ids(&source), vec![BARE, HARBOUR, UNKNOWN]);
        assert!(image_ids("No images here.").is_empty());
    }

    #[test]
    fn text_has_one_block_per_paragraph_without_markup() {
        let source = format!(
            "# A *title*\n\nIntro with `code`, a [link](https://example.com) &amp; more\nwrapped \
             text.\n\n- one\n- two\n  - nested\n\n![A view](image:{BARE} \"Not in the text\")\n\n\
             > Quoted\n> line.\n\n```\nlet x = 1;\n```\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n---\n\nEnd."
        );
        let rendered = render(&source, &images());
        assert_eq!(
            rendered.text,
            "A title\n\nIntro with code, a link & more wrapped text.\n\none\n\ntwo\n\nnested\n\n\
             Quoted line.\n\nlet x = 1;\n\na b\n\n1 2\n\nEnd."
        );
        assert!(
            rendered
                .html
                .contains("<figcaption>Not in the text</figcaption>")
        );
    }

    #[test]
    fn text_decodes_entities_and_drops_raw_html() {
        assert_eq!(
            text("Tom &amp; Jerry &lt;3 &copy; 2024"),
            "Tom & Jerry <3 © 2024"
        );
        assert_eq!(
            text("Hello <b>world</b> &amp; <i>you</i><script>bad()</script>"),
            "Hello world & you"
        );
        assert_eq!(
            text(
                "<div>\n<p>One &amp; only</p><p>Two&nbsp;three</p>\n<figure><img src=a.png alt=Alt><figcaption>Cap</figcaption></figure>\n</div>"
            ),
            "One & only\n\nTwo three"
        );
        assert_eq!(text("<style>p { color: red }</style>\n\nAfter."), "After.");
        assert_eq!(text("a < b > c & d"), "a < b > c & d");
        assert_eq!(text(""), "");
    }

    #[test]
    fn text_leaves_out_image_alt_text() {
        assert_eq!(text("Look: ![a *cat*](cat.png) there."), "Look: there.");
    }

    #[test]
    fn text_joins_wrapped_chinese_without_spaces() {
        assert_eq!(
            text("利民之事，\n丝发必兴。\n\n近年来，通辽市以群众满意为目标。"),
            "利民之事，丝发必兴。\n\n近年来，通辽市以群众满意为目标。"
        );
    }
}
