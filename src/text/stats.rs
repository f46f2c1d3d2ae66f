//! Word counts, reading times and excerpts, made from an article's plain text and counting
//! Chinese, Japanese and Korean by the character.

use super::{collapse, is_cjk_letter, is_cjk_wide};

/// Reading speed for CJK text, in characters a minute.
const CJK_PER_MINUTE: u64 = 300;
/// Reading speed for other text, in words a minute.
const WORDS_PER_MINUTE: u64 = 220;

/// Weights for the excerpt, in tenths so that the arithmetic stays exact: a CJK character
/// weighs 1 and another word 2.4, which makes 120 CJK characters weigh as much as 50 words.
const CJK_WEIGHT: u32 = 10;
const WORD_WEIGHT: u32 = 24;
/// What an excerpt may weigh.
const BUDGET: u32 = 1200;
/// A first sentence heavier than this is cut rather than taken whole.
const CUT_ABOVE: u32 = BUDGET * 3 / 2;

/// The number of words in `text`: each CJK letter or ideograph is a word, and so is each run of
/// other letters and digits. An apostrophe inside a word (`don't`) and a decimal point or
/// thousands separator inside a number (`17.62`, `13,405`) do not split it.
pub fn word_count(text: &str) -> i32 {
    to_i32(words(text).count())
}

/// Minutes to read `text`: CJK characters at 300 a minute plus other words at 220 a minute,
/// rounded up, and at least one.
pub fn reading_time_minutes(text: &str) -> i32 {
    let (cjk, other) = words(text).fold((0u64, 0u64), |(cjk, other), (_, kind)| match kind {
        Word::Cjk => (cjk + 1, other),
        Word::Other => (cjk, other + 1),
    });
    // cjk / 300 + other / 220, over a common denominator so that 600 characters is exactly 2.
    let per_minute = CJK_PER_MINUTE * WORDS_PER_MINUTE;
    let minutes = (cjk * WORDS_PER_MINUTE + other * CJK_PER_MINUTE).div_ceil(per_minute);
    i32::try_from(minutes.max(1)).unwrap_or(i32::MAX)
}

/// A teaser made of the first whole sentences of `text`, on one line.
///
/// Sentences end in `。！？；…` or `!?.` (with any closing quotes after them) and are taken
/// while the excerpt stays within about 120 CJK characters or 50 English words. The first
/// sentence is always taken, unless it is over half as long again as that: then it is cut at
/// the limit, between words or characters, and ends with `…`. Empty for empty text.
pub fn excerpt(text: &str) -> String {
    let (text, paragraph_ends) = collapse(text);
    let words: Vec<(usize, Word)> = words(&text).collect();
    // The weight of everything before byte `end`.
    let weight_before = |end: usize| -> u32 {
        words
            .iter()
            .take_while(|(start, _)| *start < end)
            .map(|(_, kind)| kind.weight())
            .sum()
    };
    // A paragraph ends a sentence too: headings and photo credits often have no full stop.
    let mut ends = sentence_ends(&text);
    ends.extend(paragraph_ends);
    ends.sort_unstable();
    ends.dedup();
    let Some(&first) = ends.first() else {
        return String::new();
    };
    if weight_before(first) > CUT_ABOVE {
        return cut(&text, &words);
    }
    let last = ends
        .iter()
        .copied()
        .take_while(|&end| weight_before(end) <= BUDGET)
        .last()
        .unwrap_or(first);
    text[..last].trim_end().to_owned()
}

/// Punctuation that would dangle before the ellipsis of a cut sentence: a comma, an opening
/// quote, a dash.
const DANGLING: &[char] = &[
    ',', '，', '、', ':', '：', ';', '；', '-', '–', '—', '(', '（', '[', '【', '“', '‘', '"',
    '\'', '《', '「', '『', '·',
];

/// `text` cut before the first word that would take it over the budget, ending in `…`.
fn cut(text: &str, words: &[(usize, Word)]) -> String {
    let mut used = 0;
    let mut end = text.len();
    for &(start, kind) in words {
        used += kind.weight();
        if used > BUDGET {
            end = start;
            break;
        }
    }
    let kept = text[..end].trim_end_matches(|c: char| c.is_whitespace() || DANGLING.contains(&c));
    format!("{kept}…")
}

/// The byte offsets at which the sentences of `text` end; the last one is `text.len()`.
fn sentence_ends(text: &str) -> Vec<usize> {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut ends = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i].1;
        if !is_terminator(c) {
            i += 1;
            continue;
        }
        let mut j = i + 1;
        while j < chars.len() && (is_terminator(chars[j].1) || is_closer(chars[j].1)) {
            j += 1;
        }
        let next = chars.get(j).map(|&(_, n)| n);
        // A full stop in `17.62` or `masthead.news` ends nothing; full-width marks always end a
        // sentence, as Chinese puts no space after them.
        let ends_here = !c.is_ascii() || next.is_none_or(|n| n.is_whitespace() || is_cjk_wide(n));
        if ends_here {
            ends.push(chars.get(j).map_or(text.len(), |&(b, _)| b));
        }
        i = j;
    }
    if !text.trim().is_empty()
        && ends
            .last()
            .is_none_or(|&end| !text[end..].trim().is_empty())
    {
        ends.push(text.len());
    }
    ends
}

fn is_terminator(c: char) -> bool {
    matches!(c, '。' | '！' | '？' | '；' | '…' | '!' | '?' | '.')
}

fn is_closer(c: char) -> bool {
    matches!(
        c,
        '”' | '’' | '"' | '\'' | '」' | '』' | '）' | ')' | '》' | '】' | ']' | '〕'
    )
}

/// What a word is, for counting and weighing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Word {
    /// One CJK letter or ideograph.
    Cjk,
    /// A run of other letters and digits.
    Other,
}

impl Word {
    fn weight(self) -> u32 {
        match self {
            Self::Cjk => CJK_WEIGHT,
            Self::Other => WORD_WEIGHT,
        }
    }
}

/// The words of `text`, each with the byte offset where it starts.
fn words(text: &str) -> impl Iterator<Item = (usize, Word)> + '_ {
    let mut in_word = false;
    let mut prev: Option<char> = None;
    let mut chars = text.char_indices().peekable();
    std::iter::from_fn(move || {
        while let Some((i, c)) = chars.next() {
            let next = chars.peek().map(|&(_, n)| n);
            let before = prev.replace(c);
            if is_cjk_letter(c) {
                in_word = false;
                return Some((i, Word::Cjk));
            }
            if c.is_alphanumeric() {
                if !in_word {
                    in_word = true;
                    return Some((i, Word::Other));
                }
            } else if !(in_word && joins_word(before, c, next)) {
                in_word = false;
            }
        }
        None
    })
}

/// Whether the punctuation `c` between `before` and `after` belongs to the word around it.
fn joins_word(before: Option<char>, c: char, after: Option<char>) -> bool {
    let letter = |x: Option<char>| x.is_some_and(|x| x.is_alphanumeric() && !is_cjk_letter(x));
    let digit = |x: Option<char>| x.is_some_and(|x| x.is_ascii_digit());
    match c {
        '\'' | '’' => letter(before) && letter(after),
        '.' | ',' => digit(before) && digit(after),
        _ => false,
    }
}

fn to_i32(n: usize) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Sentences from /work/shared/seed/portal-article-page.txt, as published (with its ASCII
    /// commas inside Chinese).
    const LIMIN: &str = "利民之事,丝发必兴。近年来,通辽市以群众满意为目标,立足“托底线、救急难、保民生”,着力夯实“老有所养”服务基础、提高“弱有所扶”服务能力,持续推进社会帮扶体系建设,及时回应群众新需求、新期待,真正把群众安居乐业、安危冷暖放在心上、落到行动上。";
    const FANYUE: &str = "翻阅通辽市厚重的社会救助台账,一串串数字,一个个事例,宛若跳动的音符,生动谱写了一曲曲令人难以忘怀的民生赞歌。";
    const GANXIE: &str = "“感谢党、感谢民政部门对我们家的帮助,让我这4个孙子都能吃饱饭,有学上。”77岁的低保户高大爷激动地说。家住霍林郭勒市沙尔呼热街道的低保户高大爷,儿媳因重病去世,儿子失联,独自抚养4个孙子,4个孩子均处于辍学状态。";

    #[test]
    fn chinese_counts_a_word_per_character_and_no_punctuation() {
        assert_eq!(word_count("利民之事，丝发必兴。"), 8);
        assert_eq!(word_count("利民之事,丝发必兴。"), 8);
        assert_eq!(word_count("“托底线、救急难、保民生”"), 9);
    }

    #[test]
    fn english_counts_runs_of_letters_and_digits() {
        assert_eq!(word_count("Hello, brave new world"), 4);
        assert_eq!(
            word_count("  Don't stop — it's 3.14, or 13,405 in all...  "),
            8
        );
        assert_eq!(word_count("well-known e-mail"), 4);
        assert_eq!(word_count(""), 0);
        assert_eq!(word_count(" ,.!? "), 0);
    }

    #[test]
    fn mixed_text_counts_both_ways() {
        assert_eq!(word_count("通辽市 2023 年 GDP 增长"), 8);
        assert_eq!(word_count("发放临时救助资金777.6万元"), 11);
        assert_eq!(word_count("Masthead 支持中文和 English"), 7);
        // Japanese kana and Korean Hangul count by the character too; ・ is punctuation.
        assert_eq!(word_count("カタカナ・ひらがな"), 8);
        assert_eq!(word_count("한국어"), 3);
    }

    #[test]
    fn reading_time_rounds_up_and_is_at_least_a_minute() {
        assert_eq!(reading_time_minutes(""), 1);
        assert_eq!(reading_time_minutes("Hello"), 1);
        assert_eq!(reading_time_minutes(&"字".repeat(300)), 1);
        assert_eq!(reading_time_minutes(&"字".repeat(301)), 2);
        assert_eq!(reading_time_minutes(&"字".repeat(600)), 2);
        assert_eq!(reading_time_minutes(&"word ".repeat(220)), 1);
        assert_eq!(reading_time_minutes(&"word ".repeat(221)), 2);
        // Half a minute of each makes one.
        let half_and_half = format!("{}{}", "字".repeat(150), " word".repeat(110));
        assert_eq!(reading_time_minutes(&half_and_half), 1);
    }

    #[test]
    fn excerpt_of_empty_text_is_empty() {
        assert_eq!(excerpt(""), "");
        assert_eq!(excerpt(" \n\n "), "");
    }

    #[test]
    fn excerpt_takes_whole_chinese_sentences_within_the_budget() {
        // The first sentence (8) and the second (107) fit in 120; the third would not.
        let text = format!("{LIMIN}\n\n{FANYUE}");
        assert_eq!(excerpt(&text), LIMIN);

        // Closing quotes stay with their sentence; paragraphs join without a space.
        let text = format!("{FANYUE}\n\n{GANXIE}");
        let expected = "翻阅通辽市厚重的社会救助台账,一串串数字,一个个事例,宛若跳动的音符,生动谱写了一曲曲令人难以忘怀的民生赞歌。“感谢党、感谢民政部门对我们家的帮助,让我这4个孙子都能吃饱饭,有学上。”77岁的低保户高大爷激动地说。";
        assert_eq!(excerpt(&text), expected);
    }

    #[test]
    fn excerpt_treats_a_paragraph_as_the_end_of_a_sentence() {
        // The seed's photo credit ("王点石 摄") has no full stop; a space keeps it apart.
        let text = format!(
            "开鲁县公安局开鲁镇派出所“巾帼红”社区服务队队员为社区老人打扫卫生。王点石 摄\n\n{LIMIN}"
        );
        assert_eq!(
            excerpt(&text),
            "开鲁县公安局开鲁镇派出所“巾帼红”社区服务队队员为社区老人打扫卫生。王点石 摄 利民之事,丝发必兴。"
        );
        assert_eq!(
            excerpt("Council approves budget\n\nThe vote was close."),
            "Council approves budget The vote was close."
        );
    }

    #[test]
    fn excerpt_keeps_a_first_sentence_somewhat_over_the_budget() {
        // 130 characters: over 120 but under 180, so it stays whole.
        let sentence = format!("{}。", "民".repeat(130));
        assert_eq!(excerpt(&format!("{sentence}第二句。")), sentence);
    }

    #[test]
    fn excerpt_cuts_a_far_too_long_first_sentence() {
        // The seed's paragraphs with every full stop made a comma: one 300-character sentence.
        let long = format!("{LIMIN}{FANYUE}{GANXIE}").replace('。', ",");
        let cut = excerpt(&long);
        assert!(cut.ends_with('…'), "{cut}");
        assert!(!cut.ends_with(",…"), "{cut}");
        assert!(long.starts_with(cut.trim_end_matches('…')));
        assert!(
            cut.chars().filter(|&c| is_cjk_letter(c)).count() <= 120,
            "{cut}"
        );
        assert!(
            cut.chars().filter(|&c| is_cjk_letter(c)).count() >= 110,
            "{cut}"
        );
    }

    #[test]
    fn excerpt_takes_whole_english_sentences_within_fifty_words() {
        let text = "The city council met on Tuesday. It approved a budget of 3.5 million dollars for \
            new schools, after a debate that lasted four hours! Parents had asked for the money \
            since 2019. Critics said the plan was rushed? The mayor disagreed, saying that the schools had \
            waited long enough for the repairs they need.\n\nA vote on roads follows next week.";
        assert_eq!(
            excerpt(text),
            "The city council met on Tuesday. It approved a budget of 3.5 million dollars for new \
             schools, after a debate that lasted four hours! Parents had asked for the money since \
             2019. Critics said the plan was rushed?"
        );
        let english = "Masthead serves the news fast. ".repeat(30);
        let short = excerpt(&english);
        assert_eq!(word_count(&short), 50);
        assert!(short.ends_with("news fast.") && !short.contains('\n'));
    }

    #[test]
    fn excerpt_cuts_a_long_english_sentence_between_words() {
        let text = format!("{} end.", "word, ".repeat(100));
        let cut = excerpt(&text);
        assert_eq!(
            cut,
            format!("{}…", "word, ".repeat(50).trim_end_matches([',', ' ']))
        );
        assert_eq!(word_count(&cut), 50);
    }

    #[test]
    fn excerpt_text_without_a_full_stop_is_one_sentence() {
        assert_eq!(
            excerpt("Breaking:\nmarkets   rally"),
            "Breaking: markets rally"
        );
        assert_eq!(excerpt("第一行\n第二行"), "第一行第二行");
    }

    #[test]
    fn numbers_and_abbreviated_domains_do_not_end_sentences() {
        let text = "全市现有城乡低保对象17.62万人。Visit masthead.news today. Done.";
        assert_eq!(
            sentence_ends(text)
                .iter()
                .map(|&end| &text[..end])
                .collect::<Vec<_>>(),
            [
                "全市现有城乡低保对象17.62万人。",
                "全市现有城乡低保对象17.62万人。Visit masthead.news today.",
                "全市现有城乡低保对象17.62万人。Visit masthead.news today. Done.",
            ]
        );
    }
}
