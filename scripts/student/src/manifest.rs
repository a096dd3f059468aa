//! A lab's `student/manifest.txt`: what the student workspace takes from the lab's
//! reference solution when the lab is stripped. Kept beside the skeleton, in the lab, so
//! whoever changes a lab's files sees what the student workspace does with them.
//!
//! One rule per line, `#` starts a comment; a rule after `[2024]` or `[2026]` holds only
//! in the workspace of that edition of the course:
//! - `keep PATH`: a file (or, ending in `/`, a folder) under `src/` that stays: the tester
//!   and what the course hands out; everything else under `src/` goes;
//! - `drop PATH`: a file or folder outside `src/` that goes (tests of the solution's
//!   internals, examples built on them);
//! - `guide HEADING`: a `## HEADING` section of the lab's README that the student's copy
//!   keeps (the rest of the guide describes the solution);
//! - `unlink NAME`: the lab's `Cargo.toml` loses its dependency on the package NAME (the
//!   reference builds on another lab's crate; the student's lab is its own).

use crate::plan::Edition;
use std::path::Path;

#[derive(Debug, Default, PartialEq, Eq)]
pub struct Manifest {
    pub keep: Vec<String>,
    pub drop: Vec<String>,
    pub guide: Vec<String>,
    pub unlink: Vec<String>,
}

/// Whether `path` is `rule` or, for a rule ending in `/`, inside that folder.
pub fn matches(rule: &str, path: &str) -> bool {
    if rule.ends_with('/') {
        path.starts_with(rule)
    } else {
        path == rule
    }
}

impl Manifest {
    pub fn parse(text: &str, file: &Path, edition: Edition) -> Result<Manifest, String> {
        let mut m = Manifest::default();
        for (n, line) in text.lines().enumerate() {
            let line = line.split('#').next().unwrap_or("").trim();
            if line.is_empty() {
                continue;
            }
            let at = || format!("{}:{}", file.display(), n + 1);
            let line = match line.strip_prefix('[') {
                Some(rest) => {
                    let (year, rule) = rest
                        .split_once(']')
                        .ok_or_else(|| format!("{}: {line:?}: no ] after the edition", at()))?;
                    let year = Edition::parse(year.trim()).map_err(|e| format!("{}: {e}", at()))?;
                    if year != edition {
                        continue;
                    }
                    rule.trim()
                }
                None => line,
            };
            let (verb, rest) = line
                .split_once(char::is_whitespace)
                .ok_or_else(|| format!("{}: {line:?} has no argument", at()))?;
            let rest = rest.trim().to_string();
            match verb {
                "keep" if rest.starts_with("src/") => m.keep.push(rest),
                "keep" => return Err(format!("{}: keep is for paths under src/", at())),
                "drop" if !rest.starts_with("src/") => m.drop.push(rest),
                "drop" => {
                    return Err(format!(
                        "{}: src/ goes unless kept; drop is for the rest",
                        at()
                    ));
                }
                "guide" => m.guide.push(rest),
                "unlink" => m.unlink.push(rest),
                _ => {
                    return Err(format!(
                        "{}: unknown rule {verb:?} (keep, drop, guide, unlink)",
                        at()
                    ));
                }
            }
        }
        Ok(m)
    }

    /// Whether the student workspace has the reference file `path` (relative to the lab).
    pub fn takes(&self, path: &str) -> bool {
        if path.starts_with("src/") {
            self.keep.iter().any(|r| matches(r, path))
        } else {
            !self.drop.iter().any(|r| matches(r, path))
        }
    }
}

/// The guide's title line and the `## ` sections named in `sections`, in the guide's order.
/// Every named section must exist, so a renamed heading is caught here, not by a student.
pub fn cut_guide(guide: &str, sections: &[String]) -> Result<String, String> {
    let mut out = String::new();
    let mut found = vec![false; sections.len()];
    let mut keeping = false;
    for (n, line) in guide.lines().enumerate() {
        if n == 0 {
            out.push_str(line);
            out.push('\n');
            continue;
        }
        if let Some(heading) = line.strip_prefix("## ") {
            keeping = match sections.iter().position(|s| s == heading.trim()) {
                Some(i) => {
                    found[i] = true;
                    out.push('\n');
                    true
                }
                None => false,
            };
        }
        if keeping {
            out.push_str(line);
            out.push('\n');
        }
    }
    match sections.iter().zip(&found).find(|(_, f)| !**f) {
        Some((missing, _)) => Err(format!("the guide has no section \"## {missing}\"")),
        None => Ok(out),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_parse_and_select() {
        let m = Manifest::parse(
            "# what stays\nkeep src/tester.rs\nkeep src/tester/\ndrop tests/robustness.rs # ours\nguide The course tests\n[2026] guide The 2026 edition\n[2024] unlink x\n",
            Path::new("m"),
            Edition::Y2024,
        )
        .expect("parses");
        assert!(m.takes("src/tester.rs") && m.takes("src/tester/mod.rs"));
        assert!(!m.takes("src/node.rs") && !m.takes("src/testers.rs"));
        assert!(m.takes("tests/raft_3a.rs") && !m.takes("tests/robustness.rs"));
        assert_eq!(m.guide, ["The course tests"]);
        assert_eq!(m.unlink, ["x"]);
        let m = Manifest::parse(
            "guide A\n[2026] guide B\n[2024]guide C\n",
            Path::new("m"),
            Edition::Y2026,
        )
        .expect("parses");
        assert_eq!(m.guide, ["A", "B"]);
    }

    #[test]
    fn bad_rules_name_their_line() {
        for (text, message) in [
            ("keep tests/x.rs", "m:1: keep is for paths under src/"),
            ("\ndrop src/x.rs", "m:2: src/ goes"),
            ("take src/x.rs", "unknown rule \"take\""),
            ("keep", "has no argument"),
            ("[2025] keep src/x.rs", "m:1: \"2025\" is not an edition"),
            ("[2026 keep src/x.rs", "m:1: \"[2026 keep src/x.rs\": no ]"),
        ] {
            let e = Manifest::parse(text, Path::new("m"), Edition::Y2024).expect_err(text);
            assert!(e.contains(message), "{text}: {e}");
        }
    }

    #[test]
    fn the_guide_keeps_its_title_and_the_named_sections() {
        let guide = "# Lab\nabout the solution\n## A\na\n## B\nb\n## C\nc\n";
        let cut = cut_guide(guide, &["C".into(), "A".into()]).expect("cuts");
        assert_eq!(cut, "# Lab\n\n## A\na\n\n## C\nc\n");
        let e = cut_guide(guide, &["D".into()]).expect_err("no D");
        assert!(e.contains("## D"), "{e}");
    }
}
