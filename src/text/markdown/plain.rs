//! The plain text of a body: the words that counts, excerpts and search are made from.

use pulldown_cmark::{Event, Tag, TagEnd};

use super::sanitize::TEXT_SANITIZER;
use crate::text::collapse_whitespace;

/// The plain text of a parsed document: one entry per block, joined by blank lines.
pub(super) fn plain_text(events: &[Event<'_>]) -> String {
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
    use std::collections::HashMap;

    use super::super::{
        fixtures::{BARE, images},
        render,
    };

    fn text(source: &str) -> String {
        render(source, &HashMap::new()).text
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
