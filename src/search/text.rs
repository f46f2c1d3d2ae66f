//! Words out of text: Chinese segmented with jieba's dictionary, Latin words split at
//! non-letters and lower-cased, stop-words and punctuation dropped. Documents and queries go
//! through the same functions, so that they meet on the same words.

use std::sync::LazyLock;

use jieba_rs::Jieba;

use super::analysis;

/// jieba's own dictionary (MIT, as jieba-rs 0.11 ships it), one `word frequency tag` a line.
/// Kept in the binary as it is: it is read from the file's pages, and only what is built from
/// it counts as the process's memory.
const DICTIONARY: &str = include_str!("jieba_dict.txt");

/// The segmenter, loaded once per process, on first use.
pub(crate) static JIEBA: LazyLock<Jieba> = LazyLock::new(|| {
    // The dictionary is part of the binary and a test loads it: it cannot fail here.
    Jieba::with_dict(&mut DICTIONARY.as_bytes()).unwrap_or_else(|_| Jieba::empty())
});

/// Words that say nothing about what a text is about: particles, pronouns, the commonest
/// verbs of news prose, and English function words.
const STOP_WORDS: &[&str] = &[
    "的", "了", "在", "是", "和", "与", "及", "等", "也", "都", "而", "就", "将", "对", "为", "把",
    "被", "从", "以", "于", "之", "其", "这", "那", "有", "个", "着", "让", "向", "并", "或", "由",
    "但", "又", "我们", "他们", "一个", "一些", "这些", "那些", "这个", "已经", "进行", "通过",
    "以及", "同时", "a", "an", "the", "of", "and", "or", "to", "in", "on", "for", "is", "are",
    "was", "were", "be", "by", "at", "as", "with", "from", "it", "its", "this", "that", "has",
    "have",
];

/// Words of news prose on any topic (where, who, how much): searchable, but no keyword says
/// what an article is about with them.
pub(crate) const GENERIC_WORDS: &[&str] = &[
    "今年",
    "近年来",
    "目前",
    "工作",
    "表示",
    "开展",
    "推进",
    "全市",
    "全区",
    "全省",
    "全县",
    "全国",
    "市民",
    "群众",
    "部门",
    "服务",
    "活动",
    "水平",
    "同比",
    "增长",
    "基本",
    "明显",
    "助力",
    "再创新高",
    "一年一度",
    "负责人",
];

/// Parts of speech kept as keywords: nouns of every kind, verbal nouns, idioms, abbreviations
/// and foreign words. Plain verbs ("加强", "提升") are common to every topic of news prose.
pub(crate) const KEYWORD_POS: &[&str] =
    &["n", "nr", "ns", "nt", "nz", "nrt", "vn", "l", "j", "eng"];

/// Keywords kept per article.
pub const KEYWORDS: usize = 10;

pub(crate) fn is_stop_word(word: &str) -> bool {
    STOP_WORDS.contains(&word)
}

/// Pieces of a token that PostgreSQL's parser keeps whole: runs of letters and digits.
fn pieces(token: &str) -> impl Iterator<Item = String> + '_ {
    token
        .split(|c: char| !c.is_alphanumeric())
        .filter(|piece| !piece.is_empty())
        .map(str::to_lowercase)
}

/// The words of `text` for the index: jieba's search mode, which adds the shorter dictionary
/// words inside long ones (`养老服务` also gives `养老` and `服务`), so a query for either finds it.
pub fn index_words(text: &str) -> Vec<String> {
    analysis::words(text)
}

/// A query's terms: each word as the default mode cuts it, with the shorter dictionary words
/// inside it, which the index also holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Term {
    pub word: String,
    /// The words search mode finds inside `word` (empty for short words).
    pub parts: Vec<String>,
}

/// The terms of a query; empty when it holds nothing searchable (only punctuation or
/// stop-words).
pub fn query_terms(query: &str) -> Vec<Term> {
    let query = analysis::normalise(query);
    let mut terms: Vec<Term> = Vec::new();
    for token in JIEBA.cut(&query, true) {
        for word in pieces(token.word) {
            if is_stop_word(&word) || terms.iter().any(|t| t.word == word) {
                continue;
            }
            let parts: Vec<String> = if word.chars().count() > 2 {
                JIEBA
                    .cut_for_search(&word, true)
                    .iter()
                    .flat_map(|t| pieces(t.word))
                    .filter(|part| *part != word && !is_stop_word(part))
                    .collect()
            } else {
                Vec::new()
            };
            terms.push(Term { word, parts });
        }
    }
    terms
}

/// The words to highlight in snippets: every term and its parts.
pub fn highlight_words(terms: &[Term]) -> Vec<String> {
    let mut words: Vec<String> = terms
        .iter()
        .flat_map(|t| std::iter::once(t.word.clone()).chain(t.parts.iter().cloned()))
        .collect();
    words.sort();
    words.dedup();
    words
}

/// What a query may be read as in pinyin: each Latin word, and all its letters run together
/// when it has several words (`yang lao` as `yanglao`), as the index matches them.
pub fn pinyin_spellings(terms: &[Term], raw: &str) -> Vec<String> {
    let mut spellings: Vec<String> = terms
        .iter()
        .filter(|t| t.word.chars().all(|c| c.is_ascii_alphabetic()))
        .map(|t| t.word.to_ascii_lowercase())
        .collect();
    spellings.extend(run_together(terms, raw));
    spellings
}

/// A query of several Latin words as one (`yang lao` as `yanglao`): pinyin is often written
/// with a space between syllables.
pub fn run_together(terms: &[Term], raw: &str) -> Option<String> {
    let letters: String = raw
        .chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect();
    (terms.len() > 1 && !letters.is_empty() && letters.chars().all(|c| c.is_ascii_lowercase()))
        .then_some(letters)
}

/// Characters of context shown before the first match.
const BEFORE: usize = 30;
/// The longest snippet, in characters.
const SNIPPET_CHARS: usize = 120;

/// A piece of `text` around the first of `words`, HTML-escaped, with `<mark>` around every
/// occurrence of a word (longest first, case-insensitive), and `…` where it was cut. Without a
/// match, the start of the text.
pub fn snippet(text: &str, words: &[String]) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut needles: Vec<Vec<char>> = words
        .iter()
        .filter(|w| !w.is_empty())
        .map(|w| w.chars().collect())
        .collect();
    needles.sort_by_key(|n| std::cmp::Reverse(n.len()));
    let longest = needles.first().map_or(0, Vec::len);
    // Normalised as far as the first match needs, in growing prefixes: a hit's text is often
    // thousands of characters, and the first match near its start.
    let mut lower = Vec::new();
    let mut first = None;
    let mut upto = 0;
    while upto < chars.len() {
        upto = (upto * 4).max(256).min(chars.len());
        lower = lowered(&chars, upto);
        first = (0..upto).find(|&at| match_at(&needles, &lower, at).is_some());
        // One that starts here but ends past the prefix may come first: read further.
        if first.is_some_and(|at| at + longest <= upto || upto == chars.len()) {
            break;
        }
    }
    let start = first.map_or(0, |at| at.saturating_sub(BEFORE));
    let end = (start + SNIPPET_CHARS).min(chars.len());
    if lower.len() < (end + longest).min(chars.len()) {
        lower = lowered(&chars, (end + longest).min(chars.len()));
    }
    let mut out = String::new();
    if start > 0 {
        out.push('…');
    }
    let mut at = start;
    while at < end {
        match match_at(&needles, &lower, at) {
            Some(len) => {
                let stop = (at + len).min(chars.len());
                out.push_str("<mark>");
                chars[at..stop]
                    .iter()
                    .for_each(|c| escape_into(&mut out, *c));
                out.push_str("</mark>");
                at = stop;
            }
            None => {
                escape_into(&mut out, chars[at]);
                at += 1;
            }
        }
    }
    if at < chars.len() {
        out.push('…');
    }
    out
}

/// The first `upto` of `chars`, simplified and lower case, as the whole text would give them
/// (the character after is read too: simplification looks at both neighbours).
fn lowered(chars: &[char], upto: usize) -> Vec<char> {
    let prefix: String = chars.iter().take(upto + 1).collect();
    let normalised: Vec<char> = analysis::normalise(&prefix).chars().collect();
    // Shown as written: only a conversion character for character keeps the offsets.
    let basis = if normalised.len() == prefix.chars().count() {
        &normalised
    } else {
        chars
    };
    basis
        .iter()
        .take(upto)
        .map(|c| {
            if c.is_ascii() {
                c.to_ascii_lowercase()
            } else if analysis::is_han(*c) {
                *c
            } else {
                c.to_lowercase().next().unwrap_or(*c)
            }
        })
        .collect()
}

/// The length of the longest of `needles` (longest first) at `at` in `lower`.
fn match_at(needles: &[Vec<char>], lower: &[char], at: usize) -> Option<usize> {
    needles
        .iter()
        .find(|n| lower.get(at..at + n.len()) == Some(n.as_slice()))
        .map(Vec::len)
}

fn escape_into(out: &mut String, c: char) {
    match c {
        '<' => out.push_str("&lt;"),
        '>' => out.push_str("&gt;"),
        '&' => out.push_str("&amp;"),
        '"' => out.push_str("&quot;"),
        '\'' => out.push_str("&#39;"),
        '\n' | '\r' | '\t' => out.push(' '),
        c => out.push(c),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_dictionary_loads_every_word() {
        assert!(Jieba::with_dict(&mut DICTIONARY.as_bytes()).is_ok());
        let words: Vec<&str> = DICTIONARY
            .lines()
            .filter_map(|line| line.split_whitespace().next())
            .collect();
        assert_eq!(words.len(), 349_045);
        let unknown: Vec<&&str> = words.iter().filter(|w| !JIEBA.has_word(w)).collect();
        assert!(unknown.is_empty(), "{:?}", &unknown[..unknown.len().min(5)]);
        assert!(JIEBA.has_word("养老") && JIEBA.has_word("草原"));
    }

    #[test]
    fn chinese_is_cut_into_dictionary_words_with_the_shorter_ones_inside() {
        let words = index_words("社区养老服务中心为老年人提供助餐服务。");
        for expected in ["社区", "养老", "服务", "中心", "老年人", "助餐"] {
            assert!(
                words.contains(&expected.to_owned()),
                "{expected} in {words:?}"
            );
        }
        assert!(!words.contains(&"为".to_owned()), "stop-words are dropped");
        assert!(
            words.iter().all(|w| w.chars().all(char::is_alphanumeric)),
            "no punctuation: {words:?}"
        );
    }

    #[test]
    fn latin_words_are_lower_cased_and_split_at_punctuation() {
        let words = index_words("The WHO's COVID-19 report");
        for expected in ["who", "covid", "19", "report"] {
            assert!(
                words.contains(&expected.to_owned()),
                "{expected} in {words:?}"
            );
        }
        assert!(!words.contains(&"the".to_owned()), "{words:?}");
        assert!(
            words.iter().all(|w| w.chars().all(char::is_alphanumeric)),
            "{words:?}"
        );
    }

    #[test]
    fn queries_of_punctuation_or_stop_words_have_no_terms() {
        assert!(query_terms("，。！？…  ").is_empty());
        assert!(query_terms("的 the").is_empty());
        assert!(!query_terms("养老").is_empty());
    }

    #[test]
    fn long_query_words_also_match_their_parts() {
        let terms = query_terms("中华人民共和国");
        assert_eq!(terms.len(), 1, "{terms:?}");
        assert_eq!(terms[0].word, "中华人民共和国");
        assert!(terms[0].parts.contains(&"人民".to_owned()), "{terms:?}");
        let two: Vec<String> = query_terms("养老服务")
            .into_iter()
            .map(|t| t.word)
            .collect();
        assert_eq!(two, ["养老", "服务"]);
        let traditional: Vec<String> = query_terms("養老").into_iter().map(|t| t.word).collect();
        assert_eq!(traditional, ["养老"]);
    }

    #[test]
    fn a_snippet_marks_matches_and_escapes_the_rest() {
        let text = "开头<b>不</b>。".repeat(10) + "社区养老服务中心开业，养老不再难 & 更方便。";
        let snippet = snippet(&text, &["养老".to_owned()]);
        assert!(snippet.starts_with('…'), "{snippet}");
        assert!(snippet.contains("社区<mark>养老</mark>服务"), "{snippet}");
        assert!(
            snippet.contains("<mark>养老</mark>不再难 &amp; 更方便"),
            "{snippet}"
        );
        assert!(!snippet.contains("<b>"), "{snippet}");
        assert!(snippet.contains("&lt;b&gt;"), "{snippet}");
    }

    #[test]
    fn a_snippet_matches_latin_words_in_any_case_and_prefers_the_longest() {
        let snippet = snippet(
            "Trade talks: TRADE deals",
            &["trade".to_owned(), "trade deals".to_owned()],
        );
        assert_eq!(
            snippet,
            "<mark>Trade</mark> talks: <mark>TRADE deals</mark>"
        );
    }

    #[test]
    fn keywords_name_what_the_text_is_about() {
        let mut counter = analysis::KeywordCounter::default();
        analysis::analyse(
            "全市新建社区养老服务中心12家，为高龄老人提供助餐、助浴服务。养老机构床位增加，\
             失能老人照护服务覆盖所有街道。",
            |word, pos| counter.see(word, pos, 1),
        );
        let keywords = counter.top();
        assert!(keywords.len() <= KEYWORDS, "{keywords:?}");
        assert!(
            keywords
                .iter()
                .any(|k| k.contains("养老") || k.contains("老人")),
            "{keywords:?}"
        );
    }

    #[test]
    fn a_snippet_marks_traditional_text_for_a_simplified_query() {
        let snippet = snippet("社區養老服務", &["养老".to_owned()]);
        assert_eq!(snippet, "社區<mark>養老</mark>服務");
    }

    #[test]
    fn a_snippet_finds_the_first_match_however_far_into_a_long_text() {
        // Every prefix length read on the way (256, 1,024, …) falls in some match's middle.
        for lead in [254, 255, 1_022, 1_023, 3_000] {
            let text = "國".repeat(lead) + "社區養老服務" + &"養老".repeat(100);
            let snippet = snippet(&text, &["养老服务".to_owned(), "养老".to_owned()]);
            assert!(
                snippet.starts_with(&format!("…{}社區<mark>養老服務</mark>", "國".repeat(28))),
                "{lead}: {snippet}"
            );
            assert!(snippet.ends_with("<mark>養老</mark>…"), "{lead}: {snippet}");
        }
    }
}
