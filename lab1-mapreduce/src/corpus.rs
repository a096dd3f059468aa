//! The input corpus: eight generated texts under the file names of the course's Project
//! Gutenberg books, which we do not ship. Some apps key on those names (`early_exit`
//! slows down for "sherlock" and "tom", `indexer` lists them), so the names are kept.
//!
//! Each text is English-like: the commonest English words first, then made-up words, drawn
//! with Zipf's law (a word's frequency falls as 1/rank, as in real prose), in sentences and
//! paragraphs with the book's own names mixed in. Like the course's UTF-8 Gutenberg books,
//! it is not ASCII: a byte-order mark, dialogue in curly quotes (“…”), contractions with a
//! curly apostrophe (don’t), em dashes, and now and then a word with accented or other
//! scripts' letters (café, Zürich, Москва), in proportions measured in the tests below. The generator is a fixed SplitMix64
//! seeded by the file name, so every machine and every run gets byte-identical files, whatever
//! version of `rand` the workspace uses.

use std::io;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// One book: its course file name, a title for the header, its size in bytes (about 1.5
/// times the real book's), and the names its text uses.
pub struct Book {
    /// The course's file name.
    pub file: &'static str,
    /// The title, for the first line.
    pub title: &'static str,
    /// Target size in bytes.
    pub size: usize,
    names: &'static [&'static str],
}

/// The eight books, in the course's (alphabetical) order.
pub const BOOKS: [Book; 8] = [
    Book {
        file: "pg-being_ernest.txt",
        title: "The Importance of Being Earnest",
        size: 210_000,
        names: &[
            "Jack",
            "Algernon",
            "Gwendolen",
            "Cecily",
            "Bracknell",
            "Lane",
            "Chasuble",
            "Prism",
        ],
    },
    Book {
        file: "pg-dorian_gray.txt",
        title: "The Picture of Dorian Gray",
        size: 680_000,
        names: &[
            "Dorian", "Gray", "Basil", "Hallward", "Henry", "Wotton", "Sibyl", "Vane",
        ],
    },
    Book {
        file: "pg-frankenstein.txt",
        title: "Frankenstein",
        size: 660_000,
        names: &[
            "Victor",
            "Frankenstein",
            "Elizabeth",
            "Clerval",
            "Justine",
            "Walton",
            "Geneva",
        ],
    },
    Book {
        file: "pg-grimm.txt",
        title: "Grimms' Fairy Tales",
        size: 810_000,
        names: &[
            "Hansel", "Gretel", "Rapunzel", "king", "queen", "witch", "wolf", "forest",
        ],
    },
    Book {
        file: "pg-huckleberry_finn.txt",
        title: "Adventures of Huckleberry Finn",
        size: 890_000,
        names: &[
            "Huck",
            "Jim",
            "Tom",
            "Sawyer",
            "Pap",
            "Mississippi",
            "raft",
            "river",
        ],
    },
    Book {
        file: "pg-metamorphosis.txt",
        title: "Metamorphosis",
        size: 210_000,
        names: &[
            "Gregor", "Samsa", "Grete", "father", "mother", "room", "door",
        ],
    },
    Book {
        file: "pg-sherlock_holmes.txt",
        title: "The Adventures of Sherlock Holmes",
        size: 870_000,
        names: &[
            "Sherlock", "Holmes", "Watson", "Lestrade", "Baker", "Street", "Irene", "Adler",
        ],
    },
    Book {
        file: "pg-tom_sawyer.txt",
        title: "The Adventures of Tom Sawyer",
        size: 630_000,
        names: &[
            "Tom", "Sawyer", "Becky", "Thatcher", "Polly", "Huck", "Joe", "Sid",
        ],
    },
];

/// The commonest English words, roughly by frequency: the head of the Zipf ranking.
const COMMON: &str = "the of and to a in that it is was I he for you with as his on be at \
    by had not are but from or have an they which one were her all she there would their we \
    him been has when who will no more if out so said what up its about into than them can \
    only other new some could time these two may then do first any my now such like our over \
    man me even most made after also did many before must through back years where much your \
    way well down should because each just those people how too little good very make world \
    still own see men work long get here between both life being under never day same another \
    know while last might us great old year off come since against go came right used take \
    three house night eyes face hand thought head nothing looked upon again away things went \
    young once door room heard without always felt whom told asked shall yet something saw \
    every himself herself myself poor whole voice light moment morning place seemed done";

const SYLLABLES: [&str; 40] = [
    "al", "an", "ar", "be", "ca", "de", "el", "en", "er", "ga", "ha", "in", "is", "ka", "la", "le",
    "li", "lo", "ma", "me", "mi", "mo", "na", "ne", "no", "or", "ra", "re", "ri", "ro", "sa", "se",
    "so", "ta", "te", "ti", "to", "un", "va", "we",
];

/// Contractions as Gutenberg's UTF-8 texts set them, with a right single quote: the
/// apostrophe is not a letter, so `don’t` is the words `don` and `t`.
const CONTRACTIONS: [&str; 12] = [
    "don’t", "it’s", "I’m", "can’t", "won’t", "didn’t", "I’ll", "that’s", "he’s", "isn’t",
    "you’re", "’tis",
];

/// Loanwords and names with letters beyond ASCII, as an English novel has them: accents,
/// ligatures, and the odd word of Greek or Russian.
const BEYOND_ASCII: [&str; 24] = [
    "café",
    "naïve",
    "façade",
    "rôle",
    "début",
    "élite",
    "fiancée",
    "señor",
    "Zürich",
    "Müller",
    "Cæsar",
    "Œdipus",
    "Straße",
    "Ångström",
    "Dvořák",
    "Łódź",
    "déjà",
    "soupçon",
    "Genève",
    "Hänsel",
    "Ærø",
    "λόγος",
    "Москва",
    "naïveté",
];

/// How many distinct words the Zipf ranking has.
const VOCABULARY: usize = 20_000;

/// SplitMix64: small, fast, and fixed forever, unlike a library generator's stream.
struct SplitMix64(u64);

impl SplitMix64 {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (the modulo bias is far below anything a word count can see).
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    /// Uniform in `[0, 1)`.
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }
}

/// The ranked vocabulary and its cumulative Zipf weights, built once.
struct Zipf {
    words: Vec<String>,
    cumulative: Vec<f64>,
}

impl Zipf {
    fn get() -> &'static Zipf {
        static ZIPF: OnceLock<Zipf> = OnceLock::new();
        ZIPF.get_or_init(|| {
            let mut words: Vec<String> = Vec::with_capacity(VOCABULARY);
            let mut seen = std::collections::HashSet::new();
            for w in COMMON.split_whitespace() {
                if seen.insert(w.to_string()) {
                    words.push(w.to_string());
                }
            }
            let mut rng = SplitMix64(0x5840);
            while words.len() < VOCABULARY {
                let syllables = 1 + rng.below(3) + usize::from(rng.chance(0.3));
                let w: String = (0..syllables)
                    .map(|_| SYLLABLES[rng.below(SYLLABLES.len())])
                    .collect();
                if seen.insert(w.clone()) {
                    words.push(w);
                }
            }
            let mut total = 0.0;
            let cumulative = (1..=words.len())
                .map(|rank| {
                    total += 1.0 / rank as f64;
                    total
                })
                .collect();
            Zipf { words, cumulative }
        })
    }

    fn sample(&self, rng: &mut SplitMix64) -> &str {
        let total = self.cumulative[self.cumulative.len() - 1];
        let x = rng.unit() * total;
        let rank = self.cumulative.partition_point(|&c| c < x);
        &self.words[rank.min(self.words.len() - 1)]
    }
}

/// Appends words to lines no wider than 72 columns, as the Gutenberg texts are set.
struct Lines {
    text: String,
    column: usize,
}

impl Lines {
    /// Appends `w` after a space (or a line break); `glued`: right after the previous word
    /// (which ended in an em dash).
    fn word(&mut self, w: &str, glued: bool) {
        let width = w.chars().count();
        if !glued && self.column > 0 && self.column + 1 + width > 72 {
            self.text.push('\n');
            self.column = 0;
        } else if !glued && self.column > 0 {
            self.text.push(' ');
            self.column += 1;
        }
        self.text.push_str(w);
        self.column += width;
    }

    fn paragraph_break(&mut self) {
        self.text.push_str("\n\n");
        self.column = 0;
    }
}

fn fnv1a64(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

fn roman(mut n: usize) -> String {
    const NUMERALS: [(usize, &str); 9] = [
        (100, "C"),
        (90, "XC"),
        (50, "L"),
        (40, "XL"),
        (10, "X"),
        (9, "IX"),
        (5, "V"),
        (4, "IV"),
        (1, "I"),
    ];
    let mut s = String::new();
    for (value, numeral) in NUMERALS {
        while n >= value {
            s.push_str(numeral);
            n -= value;
        }
    }
    s
}

/// The text of `book`: the same bytes on every call.
pub fn generate(book: &Book) -> String {
    let zipf = Zipf::get();
    let mut rng = SplitMix64(fnv1a64(book.file));
    let mut lines = Lines {
        text: String::with_capacity(book.size + 100),
        column: 0,
    };
    lines.text.push('\u{feff}');
    lines.text.push_str(&format!(
        "{}\n\nA generated stand-in for the book, made by lab1-mapreduce’s corpus \
         module.\n\n",
        book.title
    ));
    let mut chapter = 0;
    let mut paragraphs_left = 0;
    while lines.text.len() < book.size {
        if paragraphs_left == 0 {
            chapter += 1;
            paragraphs_left = 20 + rng.below(40);
            lines
                .text
                .push_str(&format!("CHAPTER {}.\n\n", roman(chapter)));
        }
        paragraphs_left -= 1;
        for _ in 0..1 + rng.below(7) {
            let n = 4 + rng.below(21);
            let spoken = rng.chance(0.25);
            let mut glued = false;
            for i in 0..n {
                let mut w = if rng.chance(0.015) {
                    book.names[rng.below(book.names.len())].to_string()
                } else if rng.chance(0.012) {
                    CONTRACTIONS[rng.below(CONTRACTIONS.len())].to_string()
                } else if rng.chance(0.003) {
                    BEYOND_ASCII[rng.below(BEYOND_ASCII.len())].to_string()
                } else {
                    zipf.sample(&mut rng).to_string()
                };
                if i == 0 {
                    w = capitalise(&w);
                    if spoken {
                        w.insert(0, '“');
                    }
                }
                let dash = i + 1 < n && rng.chance(0.006);
                if i + 1 == n {
                    const ENDS: [char; 6] = ['.', '.', '.', '.', '!', '?'];
                    w.push(ENDS[rng.below(ENDS.len())]);
                    if spoken {
                        w.push('”');
                    }
                } else if dash {
                    w.push('—');
                } else if rng.chance(0.08) {
                    w.push(if rng.chance(0.8) { ',' } else { ';' });
                }
                lines.word(&w, glued);
                glued = dash;
            }
        }
        lines.paragraph_break();
    }
    lines.text
}

fn capitalise(w: &str) -> String {
    let mut chars = w.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// Writes the eight books into `dir` and returns their paths.
///
/// # Errors
/// When `dir` cannot be created or written.
pub fn write(dir: &Path) -> io::Result<Vec<PathBuf>> {
    std::fs::create_dir_all(dir)?;
    BOOKS
        .iter()
        .map(|book| {
            let path = dir.join(book.file);
            std::fs::write(&path, generate(book))?;
            Ok(path)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    #[test]
    fn the_same_book_is_the_same_bytes_and_about_its_size() {
        let book = &BOOKS[5];
        let a = generate(book);
        assert_eq!(a, generate(book));
        assert!(
            a.len() >= book.size && a.len() < book.size + 2_000,
            "{}",
            a.len()
        );
        assert!(
            a.lines().all(|l| l.chars().count() <= 72 + 20),
            "a line is far too long"
        );
    }

    /// Like the course's UTF-8 books, the text is not ASCII, in realistic proportions:
    /// per 1,000 words, some tens of curly quotes, about ten contractions, a few em dashes
    /// and a few words with letters beyond ASCII.
    #[test]
    fn the_text_carries_unicode_as_the_gutenberg_books_do() {
        let text = generate(&BOOKS[1]);
        assert!(
            text.starts_with('\u{feff}'),
            "a byte-order mark, as Gutenberg files have"
        );
        let words = text.split_whitespace().count() as f64;
        let per_1000 = |n: usize| n as f64 * 1000.0 / words;
        let count = |c: char| text.chars().filter(|&x| x == c).count();
        let quotes = per_1000(count('“') + count('”'));
        let apostrophes = per_1000(count('’'));
        let dashes = per_1000(count('—'));
        let accented = per_1000(
            text.split_whitespace()
                .filter(|w| w.chars().any(|c| c.is_alphabetic() && !c.is_ascii()))
                .count(),
        );
        assert!(
            (20.0..120.0).contains(&quotes),
            "curly quotes per 1000 words: {quotes}"
        );
        assert!(
            (5.0..30.0).contains(&apostrophes),
            "apostrophes per 1000 words: {apostrophes}"
        );
        assert!(
            (2.0..15.0).contains(&dashes),
            "em dashes per 1000 words: {dashes}"
        );
        assert!(
            (1.0..10.0).contains(&accented),
            "non-ASCII words per 1000: {accented}"
        );
        for needle in ["café", "Москва", "don’t"] {
            assert!(text.contains(needle), "{needle}");
        }
    }

    #[test]
    fn word_frequencies_look_like_prose() {
        let text = generate(&BOOKS[0]);
        let mut counts: HashMap<String, usize> = HashMap::new();
        for w in crate::apps::words(&text) {
            *counts.entry(w.to_lowercase()).or_default() += 1;
        }
        let mut ranked: Vec<(usize, &String)> = counts.iter().map(|(w, c)| (*c, w)).collect();
        ranked.sort_unstable_by(|a, b| b.cmp(a));
        assert_eq!(ranked[0].1, "the");
        // Zipf: the tenth word is roughly a tenth as common as the first.
        let ratio = ranked[0].0 as f64 / ranked[9].0 as f64;
        assert!((5.0..20.0).contains(&ratio), "{ratio}");
        assert!(counts.len() > 5_000, "only {} distinct words", counts.len());
        assert!(counts.contains_key("algernon"));
    }

    /// On this corpus a splitter blind to Unicode (ASCII letters only) finds other words
    /// than the course's, so the wc and indexer tests, which compare with `mrsequential`
    /// on it, exercise a job's handling of multi-byte keys.
    #[test]
    fn an_ascii_only_splitter_finds_other_words_here() {
        let text = generate(&BOOKS[3]);
        let course: Vec<&str> = crate::apps::words(&text).collect();
        let ascii: Vec<&str> = text
            .split(|c: char| !c.is_ascii_alphabetic())
            .filter(|w| !w.is_empty())
            .collect();
        assert_ne!(course, ascii);
        assert!(course.iter().any(|w| !w.is_ascii()), "multi-byte keys");
    }

    #[test]
    fn roman_numerals() {
        assert_eq!(roman(4), "IV");
        assert_eq!(roman(39), "XXXIX");
        assert_eq!(roman(49), "XLIX");
    }
}
