//! Placing inline images: an `image:` reference becomes a `<figure>`, or a bare `<img>` where a
//! figure cannot stand, and the paragraphs around it are tidied.

use std::collections::HashMap;

use pulldown_cmark::{CowStr, Event, Tag, TagEnd};
use uuid::Uuid;

use super::{InlineImage, image_id, is_image_ref};
use crate::text::collapse_whitespace;

/// The `sizes` attribute of an inline image: as wide as the viewport on small screens, at most
/// the 1024px column otherwise.
const SIZES: &str = "(max-width: 1024px) 100vw, 1024px";

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
pub(super) fn place_images<'a>(
    events: Vec<Event<'a>>,
    images: &HashMap<Uuid, InlineImage>,
) -> Vec<Event<'a>> {
    let mut out = Vec::with_capacity(events.len());
    let mut contexts: Vec<Context> = Vec::new();
    let mut events = events.into_iter();
    // The first picture is likely in view when the page opens: it loads at once.
    let mut loading = Loading::Eager;
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
                        out.push(Event::Html(figure(image, &alt, caption, loading).into()));
                        out.push(Event::Start(Tag::Paragraph));
                    }
                    Context::Flow => {
                        out.push(Event::Html(figure(image, &alt, caption, loading).into()))
                    }
                    Context::Phrasing | Context::Alt => {
                        out.push(Event::InlineHtml(picture(image, &alt, loading).into()))
                    }
                }
                loading = Loading::Lazy;
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
pub(super) fn tidy_paragraphs(events: Vec<Event<'_>>) -> Vec<Event<'_>> {
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

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Loading {
    Eager,
    Lazy,
}

fn figure(image: &InlineImage, alt: &str, caption: Option<&str>, loading: Loading) -> String {
    let caption = caption.map(str::trim).filter(|c| !c.is_empty());
    let credit = image
        .credit
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty());
    let mut html = String::from("<figure>");
    html.push_str(&picture(image, alt, loading));
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

/// A `<picture>` offering the WebP copies first, around the `<img>` in the original format;
/// the bare `<img>` when there are no WebP copies.
fn picture(image: &InlineImage, alt: &str, loading: Loading) -> String {
    let webp = image.webp_srcset.trim();
    if webp.is_empty() {
        return img_tag(image, alt, loading);
    }
    let mut html = String::from(r#"<picture><source type="image/webp" srcset=""#);
    push_escaped(&mut html, webp);
    html.push_str(r#"" sizes=""#);
    html.push_str(SIZES);
    html.push_str(r#"">"#);
    html.push_str(&img_tag(image, alt, loading));
    html.push_str("</picture>");
    html
}

fn img_tag(image: &InlineImage, alt: &str, loading: Loading) -> String {
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
    html.push('"');
    if loading == Loading::Lazy {
        html.push_str(r#" loading="lazy""#);
    }
    html.push('>');
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

#[cfg(test)]
mod tests {
    use super::super::{
        fixtures::{BARE, HARBOUR, UNKNOWN, images},
        render,
    };

    const HARBOUR_IMG: &str = r#"<img src="https://cdn.example/harbour-1600.webp" srcset="https://cdn.example/harbour-480.webp 480w, https://cdn.example/harbour-1600.webp 1600w" sizes="(max-width: 1024px) 100vw, 1024px" width="1600" height="900" alt="Boats &amp; nets">"#;

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
            "<figure><img src=\"https://cdn.example/bare.png\" width=\"640\" height=\"480\" alt=\"A view\"></figure>\n"
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
            "<p>Before</p>\n<figure><img src=\"https://cdn.example/bare.png\" width=\"640\" height=\"480\" alt=\"A view\"></figure>\n<p>after.</p>\n"
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
    fn webp_copies_come_first_in_a_picture_and_only_the_first_loads_at_once() {
        let mut images = images();
        if let Some(harbour) = images.get_mut(&HARBOUR) {
            harbour.url = "https://cdn.example/harbour.jpg".into();
            harbour.srcset =
                "https://cdn.example/harbour-480.jpg 480w, https://cdn.example/harbour.jpg 1600w"
                    .into();
            harbour.webp_srcset = "https://cdn.example/harbour-480.webp 480w".into();
        }
        let out = render(
            &format!(
                "![One](image:{HARBOUR})\n\n![Two](image:{HARBOUR})\n\n![Three](image:{BARE})"
            ),
            &images,
        )
        .html;
        let sources = r#"<picture><source type="image/webp" srcset="https://cdn.example/harbour-480.webp 480w" sizes="(max-width: 1024px) 100vw, 1024px"><img src="https://cdn.example/harbour.jpg" srcset="https://cdn.example/harbour-480.jpg 480w, https://cdn.example/harbour.jpg 1600w" sizes="(max-width: 1024px) 100vw, 1024px" width="1600" height="900""#;
        assert!(
            out.starts_with(&format!("<figure>{sources} alt=\"One\"></picture>")),
            "{out}"
        );
        assert!(
            out.contains(&format!(
                "<figure>{sources} alt=\"Two\" loading=\"lazy\"></picture>"
            )),
            "{out}"
        );
        assert!(
            out.contains(r#"<figure><img src="https://cdn.example/bare.png" width="640" height="480" alt="Three" loading="lazy"></figure>"#),
            "{out}"
        );
        assert_eq!(out.matches(" loading=").count(), 2, "{out}");
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
}
