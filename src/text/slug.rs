//! URL slugs: made from a title (Chinese by pinyin), or checked when a client gives one.

use pinyin::ToPinyin;

/// The longest slug, in characters (all ASCII, so also in bytes).
pub const MAX_LEN: usize = 80;

/// A URL slug for `input`: lower-case ASCII words joined by single `-`.
///
/// Each Han character becomes its own word, its pinyin without tones
/// (`用民生“温度”` → `yong-min-sheng-wen-du`); Latin letters with simple diacritics fold to
/// ASCII (`é` → `e`), other letters are dropped, and everything else separates words. The slug
/// is cut to at most [`MAX_LEN`] characters at a word boundary.
///
/// The result is empty when `input` has nothing usable (`"!!!"`, emoji only); callers then fall
/// back to a fixed word such as `article`.
pub fn slugify(input: &str) -> String {
    let mut words: Vec<String> = Vec::new();
    let mut word = String::new();
    for c in input.chars() {
        if c.is_ascii_alphanumeric() {
            word.push(c.to_ascii_lowercase());
        } else if let Some(pinyin) = c.to_pinyin() {
            // One word per character: finding Chinese word boundaries takes a dictionary, and
            // a hyphen in the wrong place reads worse than one after every syllable.
            flush(&mut word, &mut words);
            let mut syllable = String::new();
            for p in pinyin.plain().chars() {
                push_folded(p, &mut syllable); // the plain style still writes `ü`
            }
            flush(&mut syllable, &mut words);
        } else if c.is_alphabetic() {
            // A letter without an ASCII form is dropped without splitting the word, so that
            // `naïve` and `Straße` stay whole.
            for lower in c.to_lowercase() {
                push_folded(lower, &mut word);
            }
        } else {
            flush(&mut word, &mut words);
        }
    }
    flush(&mut word, &mut words);
    join_within(&words, MAX_LEN)
}

/// Accepts a slug given by a client: 1–[`MAX_LEN`] characters of `[a-z0-9]` words joined by
/// single hyphens. The error is a message for the client.
pub fn parse(value: &str) -> Result<String, &'static str> {
    if value.is_empty() {
        return Err("must not be empty");
    }
    let well_formed = value.split('-').all(|w| {
        !w.is_empty()
            && w.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
    });
    if !well_formed {
        return Err("must be lower-case letters and digits joined by single hyphens");
    }
    // Checked after the form, so that the value is ASCII and its length is in characters.
    if value.len() > MAX_LEN {
        return Err("must be at most 80 characters");
    }
    Ok(value.to_owned())
}

fn flush(word: &mut String, words: &mut Vec<String>) {
    if !word.is_empty() {
        words.push(std::mem::take(word));
    }
}

/// `words` joined by `-`, keeping as many whole words as fit in `max` characters. A first word
/// longer than `max` on its own is cut, as there is no boundary to cut at.
fn join_within(words: &[String], max: usize) -> String {
    let mut slug = String::new();
    for word in words {
        let needed = if slug.is_empty() {
            word.len()
        } else {
            slug.len() + 1 + word.len()
        };
        if needed > max {
            if slug.is_empty() {
                // Words are ASCII here, so any byte index is a character boundary.
                slug.push_str(&word[..max]);
            }
            break;
        }
        if !slug.is_empty() {
            slug.push('-');
        }
        slug.push_str(word);
    }
    slug
}

/// Appends the ASCII form of the lower-case letter `c` to `out`, or nothing when it has none.
fn push_folded(c: char, out: &mut String) {
    if c.is_ascii_alphanumeric() {
        out.push(c);
        return;
    }
    let folded = match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ă' | 'ą' | 'ǎ' => "a",
        'æ' => "ae",
        'ç' | 'ć' | 'ĉ' | 'ċ' | 'č' => "c",
        'ď' | 'đ' | 'ð' => "d",
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ĕ' | 'ė' | 'ę' | 'ě' | 'ẽ' => "e",
        'ĝ' | 'ğ' | 'ġ' | 'ģ' => "g",
        'ĥ' | 'ħ' => "h",
        'ì' | 'í' | 'î' | 'ï' | 'ĩ' | 'ī' | 'ĭ' | 'į' | 'ı' | 'ǐ' => "i",
        'ĵ' => "j",
        'ķ' => "k",
        'ĺ' | 'ļ' | 'ľ' | 'ŀ' | 'ł' => "l",
        'ñ' | 'ń' | 'ņ' | 'ň' => "n",
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' | 'ŏ' | 'ő' | 'ǒ' => "o",
        'œ' => "oe",
        'ŕ' | 'ŗ' | 'ř' => "r",
        'ś' | 'ŝ' | 'ş' | 'š' | 'ș' => "s",
        'ß' => "ss",
        'ţ' | 'ť' | 'ŧ' | 'ț' => "t",
        'þ' => "th",
        'ù' | 'ú' | 'û' | 'ü' | 'ũ' | 'ū' | 'ŭ' | 'ů' | 'ű' | 'ų' | 'ǔ' | 'ǖ' | 'ǘ' | 'ǚ' | 'ǜ' => {
            "u"
        }
        'ŵ' => "w",
        'ý' | 'ÿ' | 'ŷ' => "y",
        'ź' | 'ż' | 'ž' => "z",
        _ => "",
    };
    out.push_str(folded);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_becomes_pinyin_one_word_per_character() {
        let expected = "yong-min-sheng-wen-du-biao-zhu-xing-fu-ke-du";
        assert_eq!(slugify("用民生\"温度\"标注幸福\"刻度\""), expected);
        assert_eq!(slugify("用民生“温度”标注幸福“刻度”"), expected);
    }

    #[test]
    fn latin_words_and_digits_are_kept() {
        assert_eq!(slugify("Hello, World 2024!"), "hello-world-2024");
        assert_eq!(slugify("  --Rust_and   C++--  "), "rust-and-c");
        assert_eq!(slugify("HTTP/2 in 10 minutes"), "http-2-in-10-minutes");
    }

    #[test]
    fn mixed_scripts_keep_their_order() {
        assert_eq!(slugify("通辽 2023 News"), "tong-liao-2023-news");
        assert_eq!(slugify("通辽2023年News"), "tong-liao-2023-nian-news");
        assert_eq!(slugify("COVID-19疫苗"), "covid-19-yi-miao");
    }

    #[test]
    fn diacritics_fold_to_ascii() {
        assert_eq!(slugify("Café Crème à Noël"), "cafe-creme-a-noel");
        assert_eq!(slugify("Über naïve Straße"), "uber-naive-strasse");
        assert_eq!(slugify("Łódź"), "lodz");
        // The `ü` of pinyin folds too.
        assert_eq!(slugify("女"), "nu");
    }

    #[test]
    fn letters_without_an_ascii_form_are_dropped() {
        assert_eq!(slugify("Привет world"), "world");
        assert_eq!(slugify("abc Ωμέγα def"), "abc-def");
    }

    #[test]
    fn nothing_usable_gives_an_empty_slug() {
        for input in ["", "!!!", "   ", "🎉🎉", "——“”。", "-_-", "!!! ？？ 🎉"] {
            assert_eq!(slugify(input), "", "{input:?}");
        }
    }

    #[test]
    fn long_input_is_cut_at_a_word_boundary() {
        // "word-word-…": 16 words and their hyphens make 79 characters, a 17th would make 84.
        let slug = slugify(&"word ".repeat(30));
        assert_eq!(slug.len(), 79);
        assert!(slug.ends_with("word") && !slug.ends_with('-'));

        let chinese = slugify(&"通辽市以群众满意为目标".repeat(5));
        assert!(
            chinese.len() <= MAX_LEN && !chinese.ends_with('-'),
            "{chinese}"
        );
        assert!(
            chinese.starts_with("tong-liao-shi-yi-qun-zhong"),
            "{chinese}"
        );

        // Exactly 80 fits whole.
        let exact = format!("{} {}", "a".repeat(39), "b".repeat(40));
        assert_eq!(slugify(&exact).len(), 80);
    }

    #[test]
    fn a_single_word_longer_than_the_limit_is_cut_hard() {
        assert_eq!(slugify(&"x".repeat(100)), "x".repeat(80));
    }

    #[test]
    fn parse_accepts_only_well_formed_slugs() {
        let long_ok = "a".repeat(80);
        let too_long = "a".repeat(81);
        let cases: &[(&str, bool)] = &[
            ("news", true),
            ("a", true),
            ("2024", true),
            ("tong-liao-2023-news", true),
            (&long_ok, true),
            ("", false),
            (&too_long, false),
            ("News", false),
            ("-news", false),
            ("news-", false),
            ("news--today", false),
            ("news today", false),
            (" news", false),
            ("news_today", false),
            ("café", false),
            ("通辽", false),
            ("news/today", false),
            ("-", false),
            ("news\0", false),
        ];
        for (value, ok) in cases {
            assert_eq!(parse(value).is_ok(), *ok, "{value:?}");
        }
        assert_eq!(parse("tong-liao"), Ok("tong-liao".to_owned()));
        assert_eq!(
            parse("Bad Slug"),
            Err("must be lower-case letters and digits joined by single hyphens")
        );
        assert_eq!(parse(""), Err("must not be empty"));
        assert_eq!(parse(&too_long), Err("must be at most 80 characters"));
    }

    #[test]
    fn slugify_output_always_parses() {
        let long = "x".repeat(200);
        let inputs = [
            "Hello, World 2024!",
            "用民生“温度”标注幸福“刻度”",
            "Café",
            "a--b",
            &long,
        ];
        for input in inputs {
            let slug = slugify(input);
            assert!(parse(&slug).is_ok(), "{input:?} → {slug:?}");
        }
    }
}
