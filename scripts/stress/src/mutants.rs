//! The mutant files (`<lab>/mutants.txt`): each mutant a classic mistake, as exact edits
//! of the reference code. A mutant is text, not a patch: its `find` must occur exactly
//! once in its file, so a refactoring that moves the code is caught by name, and the
//! file reads as a list of the mistakes themselves.
//!
//! ```text
//! ## g7-up-to-date-by-length
//! # G7: "at least as up-to-date" compares the logs' lengths only.
//! edit lab3-raft/src/core/election.rs
//! find
//!         last_log_term > my_term || (last_log_term == my_term && last_log_index >= my_index)
//! replace
//!         last_log_index >= my_index
//! end
//! ```
//!
//! The mutant named `base` is applied under every other one of its file.
//!
//! A mutant that no black-box test can tell from the reference, because of how the
//! reference is built elsewhere, says why in a line `equivalent REASON`; the suite still
//! runs it, reports a survival as `equivalent` rather than as a blind spot of the tests,
//! and prints the reason. Only a mutant whose difference cannot show belongs there: a
//! mutant that can show but is not caught is a missing test.

/// One exact edit: `find` (whole lines) becomes `replace` in `file`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edit {
    /// Relative to the workspace root.
    pub file: String,
    /// The lines to find, each with its newline.
    pub find: String,
    /// What replaces them.
    pub replace: String,
}

/// One mistake.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mutant {
    /// Its name (`g7-up-to-date-by-length`).
    pub id: String,
    /// What mistake it is, and which checklist row.
    pub about: String,
    /// Its edits, applied in order.
    pub edits: Vec<Edit>,
    /// Why no black-box test can tell it from the reference, if it cannot.
    pub equivalent: Option<String>,
}

/// The `base` mutant (no edits if the file has none) and the others, in file order.
///
/// # Errors
/// A line where the format is broken, or a mutant with no edit.
pub fn parse(text: &str) -> Result<(Mutant, Vec<Mutant>), String> {
    let mut mutants: Vec<Mutant> = Vec::new();
    let mut lines = text.lines().enumerate();
    while let Some((n, line)) = lines.next() {
        let at = n + 1;
        if let Some(id) = line.strip_prefix("## ") {
            mutants.push(Mutant {
                id: id.trim().to_string(),
                about: String::new(),
                edits: Vec::new(),
                equivalent: None,
            });
        } else if let Some(about) = line.strip_prefix('#') {
            if let Some(m) = mutants.last_mut() {
                if !m.about.is_empty() {
                    m.about.push(' ');
                }
                m.about.push_str(about.trim());
            }
        } else if let Some(reason) = line.strip_prefix("equivalent ") {
            let m = mutants
                .last_mut()
                .ok_or(format!("line {at}: equivalent before any ## mutant"))?;
            m.equivalent = Some(reason.trim().to_string());
        } else if let Some(file) = line.strip_prefix("edit ") {
            let m = mutants
                .last_mut()
                .ok_or(format!("line {at}: an edit before any ## mutant"))?;
            let mut block = |start: &str, end: &str| -> Result<String, String> {
                match lines.next() {
                    Some((_, l)) if l == start => {}
                    _ => return Err(format!("line {at}: edit {file}: expected \"{start}\"")),
                }
                let mut text = String::new();
                loop {
                    match lines.next() {
                        Some((_, l)) if l == end => return Ok(text),
                        Some((_, l)) => {
                            text.push_str(l);
                            text.push('\n');
                        }
                        None => return Err(format!("line {at}: edit {file}: no \"{end}\"")),
                    }
                }
            };
            let find = block("find", "replace")?;
            let replace = {
                let mut text = String::new();
                loop {
                    match lines.next() {
                        Some((_, "end")) => break,
                        Some((_, l)) => {
                            text.push_str(l);
                            text.push('\n');
                        }
                        None => return Err(format!("line {at}: edit {file}: no \"end\"")),
                    }
                }
                text
            };
            if find.is_empty() {
                return Err(format!("line {at}: edit {file}: nothing to find"));
            }
            m.edits.push(Edit {
                file: file.trim().to_string(),
                find,
                replace,
            });
        } else if !line.trim().is_empty() {
            return Err(format!(
                "line {at}: {line:?} is not ## ID, # text, equivalent REASON, or edit FILE"
            ));
        }
    }
    if let Some(m) = mutants
        .iter()
        .find(|m| m.edits.is_empty() && m.id != "base")
    {
        return Err(format!("mutant {} has no edit", m.id));
    }
    let base = match mutants.iter().position(|m| m.id == "base") {
        Some(i) => mutants.remove(i),
        None => Mutant {
            id: "base".into(),
            about: String::new(),
            edits: Vec::new(),
            equivalent: None,
        },
    };
    Ok((base, mutants))
}

/// `text` with the edit made.
///
/// # Errors
/// Unless the edit's `find` occurs exactly once.
pub fn apply(text: &str, edit: &Edit) -> Result<String, String> {
    match text.matches(&edit.find).count() {
        1 => Ok(text.replacen(&edit.find, &edit.replace, 1)),
        0 => Err(format!(
            "{}: the text to find is not there:\n{}",
            edit.file, edit.find
        )),
        n => Err(format!(
            "{}: the text to find occurs {n} times:\n{}",
            edit.file, edit.find
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = "# header\n\n## base\n# quiet\nedit a.rs\nfind\n    check();\nreplace\nend\n\n## m1\n# G7: lengths.\n# second line\nedit a.rs\nfind\n    x >= y\nreplace\n    true\nend\n";

    #[test]
    fn mutants_parse_with_their_edits() {
        let (base, list) = parse(FILE).expect("parses");
        assert_eq!(base.edits[0].find, "    check();\n");
        assert_eq!(base.edits[0].replace, "");
        assert_eq!(list.len(), 1);
        assert_eq!(list[0].id, "m1");
        assert_eq!(list[0].about, "G7: lengths. second line");
        assert_eq!(list[0].edits[0].replace, "    true\n");
        assert_eq!(list[0].equivalent, None);
    }

    #[test]
    fn an_equivalent_mutant_keeps_its_reason() {
        let (_, list) =
            parse("## m\nequivalent  it cannot show \nedit a.rs\nfind\nx\nreplace\nend\n")
                .expect("parses");
        assert_eq!(list[0].equivalent.as_deref(), Some("it cannot show"));
        assert!(
            parse("equivalent why\n")
                .expect_err("no mutant")
                .contains("line 1")
        );
    }

    #[test]
    fn an_edit_applies_only_where_its_text_is_unique() {
        let edit = Edit {
            file: "a.rs".into(),
            find: "x >= y\n".into(),
            replace: "true\n".into(),
        };
        assert_eq!(
            apply("a\nx >= y\nb\n", &edit).expect("applies"),
            "a\ntrue\nb\n"
        );
        assert!(
            apply("a\n", &edit)
                .expect_err("absent")
                .contains("not there")
        );
        assert!(
            apply("x >= y\nx >= y\n", &edit)
                .expect_err("twice")
                .contains("2 times")
        );
    }

    #[test]
    fn broken_files_name_the_line() {
        assert!(
            parse("edit a.rs\n")
                .expect_err("no mutant")
                .contains("line 1")
        );
        assert!(
            parse("## m\nedit a.rs\nfind\nx\n")
                .expect_err("open")
                .contains("no \"replace\"")
        );
        assert!(parse("## m\n").expect_err("empty").contains("no edit"));
        assert!(parse("## m\nfoo\n").expect_err("junk").contains("line 2"));
    }
}
