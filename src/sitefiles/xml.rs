//! The text of the site files: XML escaping and the fragments the streams are made of.

use std::fmt::Write;

use chrono::{DateTime, SecondsFormat, Utc};

pub const SITEMAP_NS: &str = "http://www.sitemaps.org/schemas/sitemap/0.9";

/// `text` safe inside XML content and attribute values. Characters XML 1.0 cannot hold at all
/// (most control characters) are dropped, so a stray one never makes a whole file unreadable.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if c < ' ' || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

/// A W3C datetime, as sitemaps want it.
pub fn w3c(time: DateTime<Utc>) -> String {
    time.to_rfc3339_opts(SecondsFormat::Secs, true)
}

pub fn urlset_head() -> String {
    format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"{SITEMAP_NS}\">\n")
}

pub const URLSET_TAIL: &str = "</urlset>\n";

pub fn url_entry(out: &mut String, loc: &str, lastmod: DateTime<Utc>) {
    // Writing to a String cannot fail.
    let _ = writeln!(
        out,
        "<url><loc>{}</loc><lastmod>{}</lastmod></url>",
        escape(loc),
        w3c(lastmod)
    );
}

/// The index of numbered parts, each `(loc, lastmod)`.
pub fn sitemap_index(parts: &[(String, DateTime<Utc>)]) -> String {
    let mut out = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<sitemapindex xmlns=\"{SITEMAP_NS}\">\n"
    );
    for (loc, lastmod) in parts {
        let _ = writeln!(
            out,
            "<sitemap><loc>{}</loc><lastmod>{}</lastmod></sitemap>",
            escape(loc),
            w3c(*lastmod)
        );
    }
    out.push_str("</sitemapindex>\n");
    out
}

/// An RSS channel's own elements.
pub struct Channel<'a> {
    pub title: &'a str,
    pub link: &'a str,
    pub self_link: &'a str,
    pub description: &'a str,
    pub language: &'a str,
    pub last_build: DateTime<Utc>,
}

/// One RSS item.
pub struct Item<'a> {
    pub title: &'a str,
    pub link: &'a str,
    pub published: DateTime<Utc>,
    pub authors: Vec<&'a str>,
    pub description: &'a str,
    pub category: Option<&'a str>,
}

pub fn rss(channel: &Channel<'_>, items: &[Item<'_>]) -> String {
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss version=\"2.0\" \
         xmlns:dc=\"http://purl.org/dc/elements/1.1/\" \
         xmlns:atom=\"http://www.w3.org/2005/Atom\">\n<channel>\n",
    );
    let _ = write!(
        out,
        "<title>{}</title>\n<link>{}</link>\n<description>{}</description>\n\
         <language>{}</language>\n<lastBuildDate>{}</lastBuildDate>\n\
         <atom:link href=\"{}\" rel=\"self\" type=\"application/rss+xml\"/>\n",
        escape(channel.title),
        escape(channel.link),
        escape(channel.description),
        escape(channel.language),
        channel.last_build.to_rfc2822(),
        escape(channel.self_link),
    );
    for item in items {
        let _ = write!(
            out,
            "<item>\n<title>{}</title>\n<link>{link}</link>\n\
             <guid isPermaLink=\"true\">{link}</guid>\n<pubDate>{}</pubDate>\n",
            escape(item.title),
            item.published.to_rfc2822(),
            link = escape(item.link),
        );
        for author in &item.authors {
            let _ = writeln!(out, "<dc:creator>{}</dc:creator>", escape(author));
        }
        let _ = writeln!(
            out,
            "<description>{}</description>",
            escape(item.description)
        );
        if let Some(category) = item.category {
            let _ = writeln!(out, "<category>{}</category>", escape(category));
        }
        out.push_str("</item>\n");
    }
    out.push_str("</channel>\n</rss>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_keeps_chinese_and_escapes_markup() {
        assert_eq!(
            escape("用民生“温度” <b>&'\"</b>"),
            "用民生“温度” &lt;b&gt;&amp;&apos;&quot;&lt;/b&gt;"
        );
        assert_eq!(escape("a\u{1}b\u{b}c\td\n"), "abc\td\n");
        assert_eq!(escape("&amp;"), "&amp;amp;");
    }

    #[test]
    fn times_are_w3c_and_rfc_2822() {
        let time = DateTime::parse_from_rfc3339("2023-11-16T06:48:00Z")
            .map(|t| t.with_timezone(&Utc))
            .expect("a time");
        assert_eq!(w3c(time), "2023-11-16T06:48:00Z");
        assert_eq!(time.to_rfc2822(), "Thu, 16 Nov 2023 06:48:00 +0000");
    }
}
