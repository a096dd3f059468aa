//! Word count: how many times each word appears across the input.

use crate::app::{KeyValue, MrApp};

/// The `wc` app.
pub struct WordCount;

impl MrApp for WordCount {
    fn map(&self, _filename: &str, contents: &str) -> Vec<KeyValue> {
        super::words(contents)
            .map(|w| KeyValue::new(w, "1"))
            .collect()
    }

    fn reduce(&self, _key: &str, values: &[String]) -> String {
        values.len().to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_each_occurrence() {
        let kvs = WordCount.map("f", "the cat, the hat");
        assert_eq!(kvs.len(), 4);
        assert_eq!(kvs[0], KeyValue::new("the", "1"));
        assert_eq!(WordCount.reduce("the", &["1".into(), "1".into()]), "2");
    }
}
