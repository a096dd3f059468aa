//! Inverted index: for each word, how many documents contain it and which.

use crate::app::{KeyValue, MrApp};
use std::collections::BTreeSet;

/// The `indexer` app.
pub struct Indexer;

impl MrApp for Indexer {
    fn map(&self, document: &str, contents: &str) -> Vec<KeyValue> {
        let distinct: BTreeSet<&str> = super::words(contents).collect();
        distinct
            .into_iter()
            .map(|w| KeyValue::new(w, document))
            .collect()
    }

    fn reduce(&self, _key: &str, values: &[String]) -> String {
        let mut documents = values.to_vec();
        documents.sort();
        format!("{} {}", documents.len(), documents.join(","))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_pair_per_distinct_word_and_sorted_documents() {
        let kvs = Indexer.map("d1", "b a b");
        assert_eq!(kvs, [KeyValue::new("a", "d1"), KeyValue::new("b", "d1")]);
        let out = Indexer.reduce("a", &["d2".into(), "d1".into()]);
        assert_eq!(out, "2 d1,d2");
    }
}
