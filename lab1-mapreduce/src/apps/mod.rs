//! The course's `mrapps`, one module each, with the same output as the Go originals so
//! the ported tests' checks read the same.

pub mod crash;
pub mod early_exit;
pub mod indexer;
pub mod jobcount;
pub mod timing;
pub mod wc;

use unicode_properties::{GeneralCategoryGroup, UnicodeGeneralCategory};

/// Whether `c` is a letter as Go's `unicode.IsLetter` says: general category L (Lu, Ll,
/// Lt, Lm, Lo). Rust's `char::is_alphabetic` is wider (it adds letter numbers such as `Ⅻ`
/// and combining vowel signs), so it would split some texts differently from the course.
pub fn is_letter(c: char) -> bool {
    c.general_category_group() == GeneralCategoryGroup::Letter
}

/// The words of a text: maximal runs of letters, as the course's
/// `strings.FieldsFunc(contents, func(r rune) bool { return !unicode.IsLetter(r) })`.
pub fn words(contents: &str) -> impl Iterator<Item = &str> {
    contents
        .split(|c: char| !is_letter(c))
        .filter(|w| !w.is_empty())
}

#[cfg(test)]
mod tests {
    #[test]
    fn words_are_runs_of_letters() {
        let w: Vec<&str> = super::words("It's a dog-eat-dog world, 42 times!\n").collect();
        assert_eq!(w, ["It", "s", "a", "dog", "eat", "dog", "world", "times"]);
    }

    /// What the course's books hold beyond ASCII: curly quotes and apostrophes and dashes
    /// split words; accented and other scripts' letters do not.
    #[test]
    fn words_split_unicode_text_as_go_does() {
        let text = "\u{feff}“Don’t,” said Zoë—naïvely—in the café; Cæsar’s Straße, Москва, λόγος.";
        let w: Vec<&str> = super::words(text).collect();
        assert_eq!(
            w,
            [
                "Don",
                "t",
                "said",
                "Zoë",
                "naïvely",
                "in",
                "the",
                "café",
                "Cæsar",
                "s",
                "Straße",
                "Москва",
                "λόγος"
            ]
        );
    }

    /// Where Go's `unicode.IsLetter` and Rust's `is_alphabetic` disagree, the apps side
    /// with Go: a letter number (Ⅻ) and a combining vowel sign (the Devanagari ि, category
    /// Mc) are not letters, so they split words.
    #[test]
    fn only_general_category_l_counts_as_a_letter() {
        assert!('Ⅻ'.is_alphabetic() && !super::is_letter('Ⅻ'));
        assert!('\u{93f}'.is_alphabetic() && !super::is_letter('\u{93f}'));
        let w: Vec<&str> = super::words("chapterⅫends हिन्दी").collect();
        assert_eq!(w, ["chapter", "ends", "ह", "न", "द"]);
    }
}
