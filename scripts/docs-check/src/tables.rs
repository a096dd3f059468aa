//! The guides' tables name code: the function that implements a rule, the unit tests that
//! check it, the course tests of a lab. A rename would leave a table pointing at nothing,
//! so every name in those columns must be defined somewhere in the workspace, and a lab's
//! table of course tests must list every course test the crate has (`fn test_*` under
//! `tests/`), no more and no fewer.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

/// The kinds of column whose backticked names are checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Column {
    /// "function": the last `::` segment must be an item or a module.
    Function,
    /// "unit test(s)": each name must be a function.
    UnitTest,
    /// "test": a course test of this crate.
    CourseTest,
}

fn column_kind(header: &str) -> Option<Column> {
    let header = header.trim().to_lowercase();
    if header == "function" {
        Some(Column::Function)
    } else if header.starts_with("unit test") {
        Some(Column::UnitTest)
    } else if header == "test" {
        Some(Column::CourseTest)
    } else {
        None
    }
}

/// The names a table cell gives in backticks, without paths and file names.
fn names(cell: &str) -> Vec<&str> {
    cell.split('`')
        .skip(1)
        .step_by(2)
        .filter(|n| !n.contains('/') && !n.contains('.') && !n.is_empty())
        .collect()
}

fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Every Rust source file under `dir`, skipping build output and hidden directories.
fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    let mut paths: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
    paths.sort();
    for path in paths {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if path.is_dir() {
            if !name.starts_with('.') && name != "target" {
                rust_files(&path, out);
            }
        } else if name.ends_with(".rs") {
            out.push(path);
        }
    }
}

/// What the workspace defines: functions, and every item or module name.
pub struct Definitions {
    functions: BTreeSet<String>,
    items: BTreeSet<String>,
}

impl Definitions {
    pub fn scan(root: &Path) -> Definitions {
        let mut files = Vec::new();
        rust_files(root, &mut files);
        let mut defs = Definitions {
            functions: BTreeSet::new(),
            items: BTreeSet::new(),
        };
        for file in files {
            if let Some(stem) = file.file_stem().and_then(|s| s.to_str()) {
                defs.items.insert(stem.to_string());
            }
            let Ok(text) = fs::read_to_string(&file) else {
                continue;
            };
            let words: Vec<&str> = text
                .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .filter(|w| !w.is_empty())
                .collect();
            for pair in words.windows(2) {
                let name = pair[1].to_string();
                match pair[0] {
                    "fn" => {
                        defs.functions.insert(name.clone());
                        defs.items.insert(name);
                    }
                    "struct" | "enum" | "trait" | "mod" | "type" | "const" | "static" => {
                        defs.items.insert(name);
                    }
                    _ => {}
                }
            }
        }
        defs
    }
}

/// The course tests of a crate: `#[test] fn test_*` in the files under its `tests/`, and
/// under its 2026 edition's (`y2026/tests/`), whose guide is the same README.
fn course_tests(krate: &Path) -> BTreeSet<String> {
    let mut files = Vec::new();
    rust_files(&krate.join("tests"), &mut files);
    rust_files(&krate.join("y2026").join("tests"), &mut files);
    let mut out = BTreeSet::new();
    for file in files {
        let Ok(text) = fs::read_to_string(&file) else {
            continue;
        };
        let mut after_test_attribute = false;
        for line in text.lines().map(str::trim) {
            if line == "#[test]" {
                after_test_attribute = true;
                continue;
            }
            if line.starts_with("#[") || line.starts_with("///") {
                // Other attributes and doc comments may sit between `#[test]` and the fn.
                continue;
            }
            if after_test_attribute
                && let Some(name) = line
                    .strip_prefix("fn ")
                    .and_then(|r| r.split('(').next())
                    .filter(|n| n.starts_with("test_"))
            {
                out.insert(name.to_string());
            }
            after_test_attribute = false;
        }
    }
    out
}

fn cells(line: &str) -> Vec<&str> {
    let line = line.trim();
    let inner = line.strip_prefix('|').unwrap_or(line);
    let inner = inner.strip_suffix('|').unwrap_or(inner);
    inner.split('|').collect()
}

/// The row under a table's header: `|---|:--|`.
fn is_separator(line: &str) -> bool {
    cells(line)
        .iter()
        .all(|c| c.trim().chars().all(|ch| ch == '-' || ch == ':'))
}

/// Checks the tables of one README; `krate` is its directory. Returns how many names
/// were checked, and the errors.
pub fn check(file: &Path, krate: &Path, defs: &Definitions) -> (usize, Vec<String>) {
    let Ok(text) = fs::read_to_string(file) else {
        return (0, vec![format!("{}: cannot read", file.display())]);
    };
    let mut checked = 0;
    let mut errors = Vec::new();
    let mut listed = BTreeSet::new();
    let mut has_course_table = false;
    let mut columns: Vec<Option<Column>> = Vec::new();
    let mut in_table = false;
    let mut in_code = false;
    for (i, line) in text.lines().enumerate() {
        let where_ = format!("{}:{}", file.display(), i + 1);
        if line.trim_start().starts_with("```") {
            in_code = !in_code;
            continue;
        }
        if in_code || !line.trim_start().starts_with('|') {
            in_table = false;
            continue;
        }
        if !in_table {
            // The header row.
            in_table = true;
            columns = cells(line)
                .iter()
                .map(|h| column_kind(h.replace('`', "").split('(').next().unwrap_or("")))
                .collect();
            has_course_table |= columns.contains(&Some(Column::CourseTest));
            continue;
        }
        if is_separator(line) {
            continue;
        }
        for (cell, kind) in cells(line).iter().zip(&columns) {
            let Some(kind) = kind else { continue };
            for name in names(cell) {
                let last = name.rsplit("::").next().unwrap_or(name);
                if !is_identifier(last) {
                    continue;
                }
                checked += 1;
                let known = match kind {
                    Column::Function => defs.items.contains(last),
                    Column::UnitTest => defs.functions.contains(last),
                    Column::CourseTest => {
                        listed.insert(last.to_string());
                        defs.functions.contains(last)
                    }
                };
                if !known {
                    errors.push(format!(
                        "{where_}: `{name}` is not defined in the workspace"
                    ));
                }
            }
        }
    }
    if has_course_table {
        for test in course_tests(krate).difference(&listed) {
            errors.push(format!(
                "{}: the course test `{test}` is missing from its table",
                file.display()
            ));
        }
    }
    (checked, errors)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_skip_paths_and_files() {
        assert_eq!(
            names("`step`, `become_follower` (`mod.rs`), `tests/regressions.rs`"),
            ["step", "become_follower"]
        );
    }

    #[test]
    fn only_the_dashes_row_is_a_separator() {
        assert!(is_separator("|---|:--:|"));
        assert!(!is_separator("| `a` | wait --- here |"));
    }

    #[test]
    fn headers_name_the_checked_columns() {
        assert_eq!(column_kind(" unit tests "), Some(Column::UnitTest));
        assert_eq!(column_kind("unit test"), Some(Column::UnitTest));
        assert_eq!(column_kind("function"), Some(Column::Function));
        assert_eq!(column_kind("test"), Some(Column::CourseTest));
        assert_eq!(column_kind("course line"), None);
    }
}
