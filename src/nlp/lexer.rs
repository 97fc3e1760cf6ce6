//! Words, numbers and signs of a short text, lower-cased, and a cursor to walk them.
//! Hand-written rather than a regex crate: the grammar is a few dozen shapes over a
//! dozen tokens, and a cursor that can be copied to backtrack reads them plainly.
//!
//! Must not know: what any word means.

/// One token of the text.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Token {
    /// A run of digits: its value (saturating) and how many digits were written.
    Number { value: u32, digits: usize },
    /// A run of letters (an apostrophe inside a word is kept: "o'clock", "can't").
    Word(String),
    /// Any other visible character.
    Sign(char),
}

/// A token and whether it touches the one before it ("3pm", "15h30", "2/15").
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Lexeme {
    pub token: Token,
    pub glued: bool,
}

/// The tokens of `text`, lower-cased; typographic apostrophes read as plain ones.
pub(super) fn tokens(text: &str) -> Vec<Lexeme> {
    let chars: Vec<char> = text
        .chars()
        .map(|c| {
            if matches!(c, '’' | '‘' | '`') {
                '\''
            } else {
                c
            }
        })
        .collect();
    let mut out = Vec::new();
    let mut at = 0;
    let mut glued = false;
    while at < chars.len() {
        let c = chars[at];
        if c == '\n' {
            // Lines end clauses; kept as a sign so a reader can split on them.
            out.push(Lexeme {
                token: Token::Sign('\n'),
                glued: false,
            });
        }
        if c.is_whitespace() {
            glued = false;
            at += 1;
            continue;
        }
        let start = at;
        let token = if c.is_ascii_digit() {
            while at < chars.len() && chars[at].is_ascii_digit() {
                at += 1;
            }
            let digits: String = chars[start..at].iter().collect();
            Token::Number {
                value: digits.parse().unwrap_or(u32::MAX),
                digits: at - start,
            }
        } else if c.is_alphabetic() {
            while at < chars.len()
                && (chars[at].is_alphabetic()
                    || (chars[at] == '\'' && chars.get(at + 1).is_some_and(|n| n.is_alphabetic())))
            {
                at += 1;
            }
            Token::Word(chars[start..at].iter().collect::<String>().to_lowercase())
        } else {
            at += 1;
            Token::Sign(c)
        };
        out.push(Lexeme { token, glued });
        glued = true;
    }
    out
}

/// A position in the tokens; copying it is how a rule backtracks.
#[derive(Debug, Clone, Copy)]
pub(super) struct Cursor<'a> {
    pub lexemes: &'a [Lexeme],
    pub at: usize,
}

impl<'a> Cursor<'a> {
    pub fn new(lexemes: &'a [Lexeme], at: usize) -> Self {
        Cursor { lexemes, at }
    }

    #[cfg(test)]
    pub fn done(&self) -> bool {
        self.at >= self.lexemes.len()
    }

    pub fn peek(&self) -> Option<&'a Token> {
        self.lexemes.get(self.at).map(|l| &l.token)
    }

    /// The token before the cursor, if any.
    pub fn previous(&self) -> Option<&'a Token> {
        self.at
            .checked_sub(1)
            .and_then(|i| self.lexemes.get(i))
            .map(|l| &l.token)
    }

    /// Whether the next token touches the one before it.
    pub fn glued(&self) -> bool {
        self.lexemes.get(self.at).is_some_and(|l| l.glued)
    }

    /// The next word, consumed.
    pub fn any_word(&mut self) -> Option<&'a str> {
        match self.peek() {
            Some(Token::Word(word)) => {
                self.at += 1;
                Some(word)
            }
            _ => None,
        }
    }

    /// The next word, without consuming it.
    pub fn peek_word(&self) -> Option<&'a str> {
        match self.peek() {
            Some(Token::Word(word)) => Some(word),
            _ => None,
        }
    }

    /// Consumes the next token if it is the word `word`.
    pub fn word(&mut self, word: &str) -> bool {
        self.word_in(&[word]).is_some()
    }

    /// Consumes the next token if it is one of `words`.
    pub fn word_in(&mut self, words: &[&str]) -> Option<&'a str> {
        match self.peek() {
            Some(Token::Word(w)) if words.contains(&w.as_str()) => {
                self.at += 1;
                Some(w)
            }
            _ => None,
        }
    }

    /// Consumes a sequence of words, all or nothing.
    pub fn phrase(&mut self, words: &[&str]) -> bool {
        let mut probe = *self;
        if words.iter().all(|w| probe.word(w)) {
            *self = probe;
            true
        } else {
            false
        }
    }

    /// Consumes the next token if it is the sign `sign`.
    pub fn sign(&mut self, sign: char) -> bool {
        if self.peek() == Some(&Token::Sign(sign)) {
            self.at += 1;
            true
        } else {
            false
        }
    }

    /// The next number: (value, digits), consumed.
    pub fn number(&mut self) -> Option<(u32, usize)> {
        match self.peek() {
            Some(Token::Number { value, digits }) => {
                self.at += 1;
                Some((*value, *digits))
            }
            _ => None,
        }
    }

    /// Applies `rule` to a copy of the cursor and keeps the copy only if it succeeds.
    pub fn attempt<T>(&mut self, rule: impl FnOnce(&mut Cursor<'a>) -> Option<T>) -> Option<T> {
        let mut probe = *self;
        let found = rule(&mut probe)?;
        *self = probe;
        Some(found)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digits_letters_and_signs_are_split_and_glue_is_kept() {
        let lexed = tokens("Thu 3:30pm, can’t");
        let shown: Vec<(String, bool)> = lexed
            .iter()
            .map(|l| {
                let text = match &l.token {
                    Token::Number { value, .. } => value.to_string(),
                    Token::Word(w) => w.clone(),
                    Token::Sign(c) => c.to_string(),
                };
                (text, l.glued)
            })
            .collect();
        let expected = [
            ("thu", false),
            ("3", false),
            (":", true),
            ("30", true),
            ("pm", true),
            (",", true),
            ("can't", false),
        ];
        let expected: Vec<(String, bool)> =
            expected.iter().map(|(t, g)| (t.to_string(), *g)).collect();
        assert_eq!(shown, expected);
    }
}
