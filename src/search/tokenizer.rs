//! The index's tokenizer: the project's jieba segmentation (the dictionary already loaded, in
//! search mode) as a tantivy `Tokenizer`, registered on the index under [`NAME`]. Documents are
//! handed to the index already tokenized by the same analysis (one pass per article gives the
//! words and the keywords together); the tokenizer serves whatever tantivy tokenizes itself.

use tantivy::tokenizer::{Token, TokenStream, Tokenizer};

use super::analysis;

/// The name the index knows the tokenizer by.
pub const NAME: &str = "masthead_jieba";

#[derive(Debug, Clone, Default)]
pub struct JiebaTokenizer;

pub struct JiebaStream {
    tokens: Vec<Token>,
    /// One past the current token; 0 before the first `advance`.
    at: usize,
}

impl Tokenizer for JiebaTokenizer {
    type TokenStream<'a> = JiebaStream;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> JiebaStream {
        JiebaStream {
            tokens: analysis::analyse(text, |_, _| {}).tokens,
            at: 0,
        }
    }
}

impl TokenStream for JiebaStream {
    fn advance(&mut self) -> bool {
        if self.at < self.tokens.len() {
            self.at += 1;
            true
        } else {
            false
        }
    }

    fn token(&self) -> &Token {
        &self.tokens[self
            .at
            .saturating_sub(1)
            .min(self.tokens.len().saturating_sub(1))]
    }

    fn token_mut(&mut self) -> &mut Token {
        let at = self
            .at
            .saturating_sub(1)
            .min(self.tokens.len().saturating_sub(1));
        &mut self.tokens[at]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tokenizer_gives_the_analysis_words_with_offsets() {
        let mut tokenizer = JiebaTokenizer;
        let text = "社区养老服务 Trade";
        let mut stream = tokenizer.token_stream(text);
        let mut words = Vec::new();
        while stream.advance() {
            let token = stream.token();
            assert!(text.get(token.offset_from..token.offset_to).is_some());
            words.push(token.text.clone());
        }
        assert!(words.contains(&"养老".to_owned()), "{words:?}");
        assert!(words.contains(&"trade".to_owned()), "{words:?}");
    }
}
