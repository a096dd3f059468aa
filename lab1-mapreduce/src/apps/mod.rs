//! The course's `mrapps`, one module each, with the same output as the Go originals so
//! the ported tests' checks read the same.

pub mod crash;
pub mod early_exit;
pub mod indexer;
pub mod jobcount;
pub mod timing;
pub mod wc;

/// The words of a text: maximal runs of letters, as the course's `unicode.IsLetter` split.
pub fn words(contents: &str) -> impl Iterator<Item = &str> {
    contents
        .split(|c: char| !c.is_alphabetic())
        .filter(|w| !w.is_empty())
}

#[cfg(test)]
mod tests {
    #[test]
    fn words_are_runs_of_letters() {
        let w: Vec<&str> = super::words("It's a dog-eat-dog world, 42 times!\n").collect();
        assert_eq!(w, ["It", "s", "a", "dog", "eat", "dog", "world", "times"]);
    }
}
