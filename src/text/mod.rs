//! Pure text work shared by the resources: slugs, Markdown rendering, and the counts and excerpt
//! derived from an article's plain text. Nothing here touches the database or HTTP.

pub mod fields;
pub mod json;
pub mod markdown;
pub mod slug;
pub mod stats;

/// A `LIKE`/`ILIKE` pattern matching text that contains `needle` as it is: its `%`, `_` and
/// `\` match only themselves.
pub fn like_contains(needle: &str) -> String {
    let escaped = needle
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{escaped}%")
}

/// Whether `c` is a CJK letter or ideograph (Han, Hiragana, Katakana, Hangul), each of which
/// counts as a word of its own. CJK punctuation is not.
fn is_cjk_letter(c: char) -> bool {
    let cjk_block = matches!(c,
        '\u{1100}'..='\u{11FF}'       // Hangul Jamo
        | '\u{3005}'..='\u{3007}'     // 々 〆 〇
        | '\u{3040}'..='\u{30FF}'     // Hiragana, Katakana
        | '\u{3130}'..='\u{318F}'     // Hangul Compatibility Jamo
        | '\u{31F0}'..='\u{31FF}'     // Katakana Phonetic Extensions
        | '\u{3400}'..='\u{4DBF}'     // CJK Extension A
        | '\u{4E00}'..='\u{9FFF}'     // CJK Unified Ideographs
        | '\u{AC00}'..='\u{D7AF}'     // Hangul Syllables
        | '\u{F900}'..='\u{FAFF}'     // CJK Compatibility Ideographs
        | '\u{FF66}'..='\u{FF9F}'     // Half-width Katakana
        | '\u{20000}'..='\u{3134F}'   // Extensions B–H and the compatibility supplement
    );
    // The kana blocks also hold marks such as `・` and `゠`, which are punctuation.
    is_common_han(c) || (cjk_block && c.is_alphabetic())
}

/// The CJK Unified Ideographs and Extension A: most characters of Chinese text, and every one a
/// letter, so callers need not ask Unicode's tables (a lookup per character) about them.
pub fn is_common_han(c: char) -> bool {
    matches!(c, '\u{4E00}'..='\u{9FFF}' | '\u{3400}'..='\u{4DBF}')
}

/// Whether `c` is set without spaces around it in CJK text: a CJK letter or CJK/full-width
/// punctuation.
fn is_cjk_wide(c: char) -> bool {
    is_cjk_letter(c)
        || matches!(c,
            '\u{3000}'..='\u{303F}'   // CJK Symbols and Punctuation
            | '\u{FF00}'..='\u{FF65}' // Full-width forms
            | '\u{2018}'..='\u{201F}' // Curly quotes, as used in Chinese text
            | '\u{2026}'              // …
            | '\u{2014}'              // —
        )
}

/// `text` with every run of whitespace turned into one space and the ends trimmed.
///
/// Chinese has no spaces between words, so a run disappears where it only wraps CJK text: a
/// line break between two CJK characters, or a blank line after CJK punctuation before CJK text.
fn collapse_whitespace(text: &str) -> String {
    collapse(text).0
}

/// [`collapse_whitespace`], and the offsets in its result where a blank line (the end of a
/// paragraph) was.
fn collapse(text: &str) -> (String, Vec<usize>) {
    let mut out = String::with_capacity(text.len());
    let mut paragraph_ends = Vec::new();
    let mut line_breaks: Option<usize> = None; // Some while in a whitespace run
    for c in text.chars() {
        if c.is_whitespace() {
            line_breaks = Some(line_breaks.unwrap_or(0) + usize::from(c == '\n'));
            continue;
        }
        if let (Some(breaks), Some(prev)) = (line_breaks.take(), out.chars().next_back()) {
            let joined = match breaks {
                0 => false,
                1 => is_cjk_wide(prev) && is_cjk_wide(c),
                // After a paragraph that ends without punctuation (a photo credit, a heading),
                // a space keeps it from running into the next one.
                _ => is_cjk_wide(prev) && !is_cjk_letter(prev) && is_cjk_wide(c),
            };
            if breaks >= 2 {
                paragraph_ends.push(out.len());
            }
            if !joined {
                out.push(' ');
            }
        }
        out.push(c);
    }
    (out, paragraph_ends)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_common_han_character_is_a_letter() {
        for c in ('\u{3400}'..='\u{4DBF}').chain('\u{4E00}'..='\u{9FFF}') {
            assert!(is_common_han(c) && c.is_alphabetic(), "{c:?}");
        }
    }

    #[test]
    fn cjk_letters_exclude_punctuation() {
        for c in ['利', '民', 'ひ', 'カ', 'ー', '한', '々'] {
            assert!(is_cjk_letter(c), "{c}");
        }
        for c in ['，', '。', '“', '・', 'a', '1', '！'] {
            assert!(!is_cjk_letter(c), "{c}");
        }
    }

    #[test]
    fn whitespace_collapses_and_line_breaks_vanish_inside_chinese() {
        assert_eq!(collapse_whitespace("  a \t b\n\nc  "), "a b c");
        assert_eq!(collapse_whitespace("第一行\n第二行"), "第一行第二行");
        assert_eq!(collapse_whitespace("第一行。\n\n第二行"), "第一行。第二行");
        // A space typed between Chinese words is the author's and stays.
        assert_eq!(collapse_whitespace("通辽 2023 新闻"), "通辽 2023 新闻");
        assert_eq!(collapse_whitespace("通辽 新闻"), "通辽 新闻");
        assert_eq!(collapse_whitespace("end.\nNext"), "end. Next");
        assert_eq!(collapse_whitespace(" \n "), "");
        assert_eq!(
            collapse_whitespace("王点石 摄\n\n利民之事"),
            "王点石 摄 利民之事"
        );
        assert_eq!(collapse_whitespace("第一行\r\n第二行"), "第一行第二行");
    }

    #[test]
    fn paragraph_ends_are_marked() {
        let (text, ends) = collapse("One.\n\nTwo\n \n三。\n\n四\nfive");
        assert_eq!(text, "One. Two 三。四 five");
        let before: Vec<&str> = ends.iter().map(|&end| &text[..end]).collect();
        assert_eq!(before, ["One.", "One. Two", "One. Two 三。"]);
    }
}
