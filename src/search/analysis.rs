//! One pass of jieba over an article gives everything search keeps of it: the words of each
//! field for the index (with their positions), the title's neighbouring words, and
//! the article's keywords (TF-IDF over the same tagged words). Documents and queries are normalised the same
//! way: traditional characters become simplified, Latin letters lower case.

use std::collections::{BTreeSet, HashMap, HashSet};

use tantivy::tokenizer::Token;

use super::text::{GENERIC_WORDS, JIEBA, KEYWORD_POS, KEYWORDS, is_stop_word};

/// The version of what the index is made with (segmentation, normalisation, fields). An index
/// built by another version is rebuilt at start.
pub const VERSION: u32 = 5;

/// Traditional characters as their simplified forms, character for character, so that offsets
/// found in the normalised text hold in the original (`fast2s`, MIT).
pub fn normalise(text: &str) -> String {
    fast2s::convert(text)
}

/// The tagged words of a text and what the index holds of them.
pub struct Analysed {
    pub tokens: Vec<Token>,
}

/// Runs of letters and digits in `word`, lower-cased, with their byte ranges in `word`.
fn pieces(word: &str) -> Vec<(usize, usize, String)> {
    let mut out = Vec::new();
    let mut start: Option<usize> = None;
    for (at, c) in word
        .char_indices()
        .chain(std::iter::once((word.len(), ' ')))
    {
        match (start, is_word_char(c) && at < word.len()) {
            (None, true) => start = Some(at),
            (Some(from), false) => {
                out.push((from, at, lower_case(&word[from..at])));
                start = None;
            }
            _ => {}
        }
    }
    out
}

/// A letter or digit.
fn is_word_char(c: char) -> bool {
    crate::text::is_common_han(c) || c.is_alphanumeric()
}

/// `piece` in lower case. Han characters have no case: most words are copied as they are,
/// without Unicode's case tables, which cost a tenth of indexing.
fn lower_case(piece: &str) -> String {
    if piece
        .chars()
        .all(|c| is_han(c) || c.is_ascii_lowercase() || c.is_ascii_digit())
    {
        piece.to_owned()
    } else {
        piece.to_lowercase()
    }
}

pub(crate) fn is_han(c: char) -> bool {
    crate::text::is_common_han(c) || matches!(c, '\u{F900}'..='\u{FAFF}')
}

/// Words of a text, tagged once. `on_word` sees every word with its part of speech (for
/// keywords); the tokens are what the index holds: each word (stop-words and punctuation
/// left out) at its position, plus, as jieba's search mode does, the dictionary words of two
/// and three characters inside longer Chinese words, at the same position.
pub fn analyse(text: &str, mut on_word: impl FnMut(&str, &str)) -> Analysed {
    let normalised = normalise(text);
    // Character positions to byte offsets in the normalised text.
    let mut bytes: Vec<usize> = normalised.char_indices().map(|(at, _)| at).collect();
    bytes.push(normalised.len());
    let mut tokens = Vec::new();
    let mut position = 0;
    for tag in JIEBA.tag(&normalised, true) {
        on_word(tag.word, tag.tag);
        let word_start = bytes.get(tag.start).copied().unwrap_or_default();
        let chars: Vec<char> = tag.word.chars().collect();
        let mut emitted = false;
        for (from, to, piece) in pieces(tag.word) {
            if is_stop_word(&piece) {
                continue;
            }
            tokens.push(Token {
                offset_from: word_start + from,
                offset_to: word_start + to,
                position,
                text: piece,
                position_length: 1,
            });
            emitted = true;
        }
        if chars.len() > 2 && chars.iter().all(|c| is_han(*c)) {
            for n in [2, 3] {
                if chars.len() <= n {
                    continue;
                }
                for at in 0..=chars.len() - n {
                    let inner: String = chars[at..at + n].iter().collect();
                    if JIEBA.has_word(&inner) && !is_stop_word(&inner) {
                        let from = bytes.get(tag.start + at).copied().unwrap_or_default();
                        let to = bytes.get(tag.start + at + n).copied().unwrap_or_default();
                        tokens.push(Token {
                            offset_from: from,
                            offset_to: to,
                            position,
                            text: inner,
                            position_length: 1,
                        });
                    }
                }
            }
        }
        if emitted {
            position += 1;
        }
    }
    Analysed { tokens }
}

/// Two words as the index keeps them side by side (see [`neighbours`]).
pub fn pair(first: &str, second: &str) -> String {
    format!("{first} {second}")
}

/// Every word of `tokens` with each word one or two positions after it (one word between
/// them at most), as [`pair`]s: indexed with the title, a query's neighbouring words are then
/// one term to look up, not positions to read and compare for every article holding both.
pub fn neighbours(tokens: &[Token]) -> Vec<String> {
    let mut pairs = Vec::new();
    for (at, first) in tokens.iter().enumerate() {
        for second in &tokens[at + 1..] {
            match second.position - first.position {
                0 => continue,
                1 | 2 => pairs.push(pair(&first.text, &second.text)),
                _ => break,
            }
        }
    }
    pairs
}

/// The index's words of `text`, without keywords.
pub fn words(text: &str) -> Vec<String> {
    analyse(text, |_, _| {})
        .tokens
        .into_iter()
        .map(|t| t.text)
        .collect()
}

/// Counts the candidate keywords of a text as it is tagged.
#[derive(Default)]
pub struct KeywordCounter {
    counts: HashMap<String, (u32, usize)>,
    order: usize,
}

impl KeywordCounter {
    /// Counts `word` if it can say what a text is about: a noun of some kind (`KEYWORD_POS`),
    /// two characters or more, holding a letter, and not a stop-word or generic word.
    pub fn see(&mut self, word: &str, pos: &str, weight: u32) {
        if !KEYWORD_POS.contains(&pos) {
            return;
        }
        let word = lower_case(word);
        // A word counted before passed the checks below then.
        if let Some(entry) = self.counts.get_mut(&word) {
            entry.0 += weight;
            self.order += 1;
            return;
        }
        let meaningful = word.chars().count() >= 2
            && word.chars().any(char::is_alphabetic)
            && word.chars().all(char::is_alphanumeric)
            && !is_stop_word(&word)
            && !GENERIC_WORDS.contains(&word.as_str());
        if meaningful {
            let order = self.order;
            let entry = self.counts.entry(word).or_insert((0, order));
            entry.0 += weight;
            self.order += 1;
        }
    }

    /// The top [`KEYWORDS`] by term frequency times inverse document frequency (jieba's
    /// corpus frequencies).
    pub fn top(self) -> Vec<String> {
        let mut scored: Vec<(f64, usize, String)> = self
            .counts
            .into_iter()
            .map(|(word, (count, order))| (f64::from(count) * idf(&word), order, word))
            .collect();
        scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        scored
            .into_iter()
            .take(KEYWORDS)
            .map(|(_, _, w)| w)
            .collect()
    }
}

/// Han words of two characters or more as their toneless pinyin run together (`养老` →
/// `yanglao`): a query in pinyin finds them.
pub fn pinyin_words(tokens: &[Token], into: &mut BTreeSet<String>) {
    // Each word once: a body repeats its words, and spelling one is the costly part.
    let words: HashSet<&str> = tokens.iter().map(|token| token.text.as_str()).collect();
    into.extend(words.into_iter().filter_map(spelled));
}

/// A Han word of two characters or more in pinyin without tones (`养老` as `yanglao`).
fn spelled(word: &str) -> Option<String> {
    use pinyin::ToPinyin;
    if word.chars().nth(1).is_none() || !word.chars().all(is_han) {
        return None;
    }
    let mut spelled = String::with_capacity(word.len() * 2);
    for c in word.chars() {
        spelled.push_str(c.to_pinyin()?.plain());
    }
    Some(spelled)
}

/// The runs of two Han characters or more in `text` (simplified) spelled in pinyin as one of
/// `spellings`: what a pinyin query found, to mark in a snippet. Character by character, with
/// the same readings the index spells words with, and no segmentation: it runs on every hit.
pub fn spelled_as(text: &str, spellings: &[String]) -> Vec<String> {
    use pinyin::ToPinyin;
    let chars: Vec<char> = normalise(text).chars().collect();
    let mut found = Vec::new();
    for start in 0..chars.len() {
        let mut spelled = String::new();
        for (end, c) in chars.iter().enumerate().skip(start) {
            let Some(reading) = c.to_pinyin().filter(|_| is_han(*c)) else {
                break;
            };
            spelled.push_str(reading.plain());
            if !spellings.iter().any(|s| s.starts_with(&spelled)) {
                break;
            }
            if end > start && spellings.contains(&spelled) {
                found.push(chars[start..=end].iter().collect::<String>());
            }
        }
    }
    found.sort();
    found.dedup();
    found
}

/// jieba's inverse document frequencies, one `word idf` a line, sorted by word (bytes): kept in
/// the binary and searched in place, rather than loaded into a map (about 33 MiB of memory).
const IDF_TABLE: &str = include_str!("idf.txt");
/// The median of the table: the IDF of a word it does not hold, as jieba does.
const MEDIAN_IDF: f64 = 11.95;

/// The IDF of `word`, by binary search over the lines of [`IDF_TABLE`].
pub fn idf(word: &str) -> f64 {
    let table = IDF_TABLE.as_bytes();
    let (mut lo, mut hi) = (0usize, table.len());
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        // The line holding `mid`.
        let start = table[..mid]
            .iter()
            .rposition(|b| *b == b'\n')
            .map_or(0, |at| at + 1);
        let end = table[mid..]
            .iter()
            .position(|b| *b == b'\n')
            .map_or(table.len(), |at| mid + at);
        let line = &IDF_TABLE[start..end];
        let (key, value) = line.split_once(' ').unwrap_or((line, ""));
        match key.cmp(word) {
            std::cmp::Ordering::Equal => return value.parse().unwrap_or(MEDIAN_IDF),
            std::cmp::Ordering::Less => lo = end + 1,
            std::cmp::Ordering::Greater => hi = start,
        }
    }
    MEDIAN_IDF
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_of_han_characters_are_found_by_their_pinyin() {
        let spellings = ["yanglao".to_owned(), "yang".to_owned()];
        assert_eq!(spelled_as("社区养老服务，養老機構", &spellings), ["养老"]);
        // One character is not a word; a run broken by other characters is not one.
        assert_eq!(spelled_as("养 老，羊", &spellings), Vec::<String>::new());
        assert_eq!(
            spelled_as("Yanglao policy", &spellings),
            Vec::<String>::new()
        );
    }

    #[test]
    fn the_shortcuts_for_han_characters_agree_with_unicode() {
        for c in ('\u{3400}'..='\u{4DBF}')
            .chain('\u{4E00}'..='\u{9FFF}')
            .chain('\u{F900}'..='\u{FAFF}')
        {
            assert_eq!(
                lower_case(&c.to_string()),
                c.to_lowercase().to_string(),
                "{c:?}"
            );
        }
        for word in [
            "养老",
            "Masthead",
            "COVID-19",
            "abc123",
            "ÄÖÜ",
            "ΣΑΣ",
            "İstanbul",
            "养老Ⅻ",
        ] {
            assert_eq!(lower_case(word), word.to_lowercase(), "{word}");
        }
    }

    #[test]
    fn every_word_of_the_idf_table_is_found_with_its_weight() {
        let mut words = 0;
        for line in IDF_TABLE.lines() {
            let (word, weight) = line.split_once(' ').expect("`word idf`");
            assert_eq!(
                idf(word),
                weight.parse::<f64>().expect("a weight"),
                "{word}"
            );
            words += 1;
        }
        assert!(words > 250_000, "{words} words");
    }

    #[test]
    fn idf_is_found_for_known_words_and_the_median_otherwise() {
        assert!((idf("劳动防护") - 13.90).abs() < 0.01);
        assert!(idf("养老") < MEDIAN_IDF + 1.0);
        assert!((idf("zzzz-not-a-word") - MEDIAN_IDF).abs() < f64::EPSILON);
        // The first and last lines are found too.
        let first = IDF_TABLE.lines().next().and_then(|l| l.split_once(' '));
        let last = IDF_TABLE.lines().last().and_then(|l| l.split_once(' '));
        for (word, value) in [first, last].into_iter().flatten() {
            assert!((idf(word) - value.parse::<f64>().unwrap_or(0.0)).abs() < 1e-9);
        }
    }

    #[test]
    fn traditional_characters_are_indexed_as_simplified_with_offsets_kept() {
        let text = "社區養老服務";
        let analysed = analyse(text, |_, _| {});
        let texts: Vec<&str> = analysed.tokens.iter().map(|t| t.text.as_str()).collect();
        assert!(texts.contains(&"养老"), "{texts:?}");
        for token in &analysed.tokens {
            assert!(text.get(token.offset_from..token.offset_to).is_some());
        }
    }

    #[test]
    fn long_words_also_give_the_dictionary_words_inside_at_their_position() {
        let analysed = analyse("中华人民共和国成立", |_, _| {});
        let find = |w: &str| {
            analysed
                .tokens
                .iter()
                .find(|t| t.text == w)
                .map(|t| t.position)
        };
        assert_eq!(find("人民"), find("中华人民共和国"));
        assert!(find("成立") > find("人民"));
    }

    #[test]
    fn a_title_pairs_each_word_with_the_next_two_words_and_the_words_inside_them() {
        // 北京 · 养老 · 服务中心 (with 服务 and 中心 inside) · 开业
        let analysed = analyse("北京养老服务中心开业", |_, _| {});
        let pairs = neighbours(&analysed.tokens);
        for expected in [
            "北京 养老",
            "北京 服务中心",
            "北京 中心",
            "养老 开业",
            "中心 开业",
        ] {
            assert!(
                pairs.contains(&expected.to_owned()),
                "{expected} in {pairs:?}"
            );
        }
        assert!(!pairs.contains(&"北京 开业".to_owned()), "{pairs:?}");
        assert!(!pairs.contains(&"服务 中心".to_owned()), "{pairs:?}");
    }

    #[test]
    fn pinyin_spells_han_words() {
        let analysed = analyse("社区养老", |_, _| {});
        let mut spelled = BTreeSet::new();
        pinyin_words(&analysed.tokens, &mut spelled);
        assert!(spelled.contains("yanglao"), "{spelled:?}");
    }
}
