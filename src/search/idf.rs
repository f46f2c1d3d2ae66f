//! How rare each word is in Chinese prose: the inverse document frequencies of jieba's
//! `idf.txt` (MIT, as shipped with jieba-rs 0.11), rounded to hundredths and sorted by their
//! UTF-8 bytes, one `word idf` a line.
//!
//! The table stays in the binary's read-only data and is searched in place: jieba-rs's own
//! `TfIdf` builds a hash map of it that costs about 33 MiB of heap in every process.

use std::cmp::Ordering;

static TABLE: &str = include_str!("idf.txt");

/// The median of the table: what a word it does not know is taken to weigh, as jieba does.
pub const MEDIAN: f64 = 11.95;

/// The inverse document frequency of `word`, when the table has it.
pub fn of(word: &str) -> Option<f64> {
    let bytes = TABLE.as_bytes();
    // `low` is always the start of a line; the word is in a line within `low..high`.
    let (mut low, mut high) = (0, bytes.len());
    while low < high {
        let middle = low + (high - low) / 2;
        let start = bytes[low..middle]
            .iter()
            .rposition(|b| *b == b'\n')
            .map_or(low, |at| low + at + 1);
        let end = bytes[start..]
            .iter()
            .position(|b| *b == b'\n')
            .map_or(bytes.len(), |at| start + at);
        let (entry, idf) = TABLE[start..end].split_once(' ')?;
        match entry.cmp(word) {
            Ordering::Equal => return idf.parse().ok(),
            Ordering::Less => low = end + 1,
            Ordering::Greater => high = start,
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_word_of_the_table_is_found_with_its_weight() {
        let mut count = 0;
        for line in TABLE.lines() {
            let (word, idf) = line.split_once(' ').expect("`word idf`");
            assert_eq!(of(word), idf.parse().ok(), "{word}");
            count += 1;
        }
        assert!(count > 250_000, "{count} words");
    }

    #[test]
    fn words_it_does_not_know_are_not_found() {
        for word in ["", "养老服务中心体系", "zzzz", "\u{10FFFF}", "一一一一一一"] {
            assert_eq!(of(word), None, "{word}");
        }
    }

    #[test]
    fn common_words_weigh_less_than_rare_ones() {
        let common = of("中国").expect("a common word");
        let rare = of("养老").expect("a rarer word");
        assert!(common < rare && rare <= 14.0, "{common} {rare}");
    }

    #[test]
    fn the_median_is_the_tables() {
        let mut weights: Vec<f64> = TABLE
            .lines()
            .filter_map(|line| line.split_once(' ')?.1.parse().ok())
            .collect();
        weights.sort_by(f64::total_cmp);
        assert_eq!(weights[weights.len() / 2], MEDIAN);
    }
}
