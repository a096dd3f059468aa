//! `docs-check`: runs every shell block of the workspace's READMEs, so the guides cannot
//! rot. `scripts/check_docs.sh` is its front door; CI runs it.
//!
//! - Each ```` ```sh ```` block runs as one bash script from the workspace root (so `cd`
//!   and `export` carry from line to line), with `set -e`: any failing command fails it.
//! - Commands that would take minutes run in a quick mode that still checks what the
//!   line names exists and parses: `cargo test ...` lists its tests (at least one must
//!   match), `cargo run ...` builds, `scripts/stress_test.sh` and `scripts/grade.sh` list
//!   their tests, `scripts/student.sh` lists the files it would write,
//!   `scripts/mutants.sh` checks that its mutants apply,
//!   `scripts/debug_test.sh` prints its debugger command. A log file the guide reads
//!   from an earlier failing run (`*.log.jsonl` that does not exist) is replaced by a
//!   captured log from the viewer's tests. Everything else runs as written.
//! - A ```` ```rust ```` block preceded by `<!-- docs-check: from PATH -->` must appear,
//!   line for line, in PATH: a quoted unit test cannot drift from the real one.
//! - Every name in a table's "function", "unit tests" or "test" column must be defined in
//!   the workspace, and a lab's table of course tests must list all of them (`tables.rs`).
//! - `.vscode/launch.json` must parse, and each configuration's cargo command, artifact
//!   filter and arguments must find the test its prompts default to (`launch.rs`).
//!
//! A tool, not simulated code: it runs processes.
#![allow(clippy::disallowed_methods)]

mod launch;
mod tables;

use clap::error::ErrorKind;
use clap::{CommandFactory, Parser};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

/// A fenced block and where it came from.
struct Block {
    file: PathBuf,
    line: usize,
    info: String,
    body: Vec<String>,
    from: Option<String>,
}

fn blocks(file: &Path) -> Result<Vec<Block>, String> {
    let text = fs::read_to_string(file).map_err(|e| format!("{}: {e}", file.display()))?;
    let mut out = Vec::new();
    let mut current: Option<Block> = None;
    let mut from = None;
    for (i, line) in text.lines().enumerate() {
        let fence = line.trim_start().starts_with("```");
        match &mut current {
            Some(_) if fence => out.extend(current.take()),
            Some(block) => block.body.push(line.to_string()),
            None if fence => {
                current = Some(Block {
                    file: file.to_path_buf(),
                    line: i + 1,
                    info: line.trim_start().trim_start_matches('`').trim().to_string(),
                    body: Vec::new(),
                    from: from.take(),
                });
            }
            None => {
                if let Some(path) = line
                    .trim()
                    .strip_prefix("<!-- docs-check: from ")
                    .and_then(|r| r.strip_suffix("-->"))
                {
                    from = Some(path.trim().to_string());
                } else if !line.trim().is_empty() {
                    from = None;
                }
            }
        }
    }
    if let Some(block) = current {
        return Err(format!(
            "{}:{}: unclosed code block",
            block.file.display(),
            block.line
        ));
    }
    Ok(out)
}

/// Joins `\`-continued lines, so each entry is one command.
fn commands(body: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    let mut pending = String::new();
    for line in body {
        let trimmed = line.trim_end();
        if let Some(head) = trimmed.strip_suffix('\\') {
            pending.push_str(head);
            pending.push(' ');
        } else {
            pending.push_str(trimmed);
            out.push(std::mem::take(&mut pending));
        }
    }
    if !pending.is_empty() {
        out.push(pending);
    }
    out
}

/// The command without its trailing `# comment` (none of our commands quote a `#`).
fn strip_comment(command: &str) -> &str {
    match command.find(" #") {
        Some(i) => command[..i].trim_end(),
        None if command.trim_start().starts_with('#') => "",
        None => command.trim_end(),
    }
}

/// Rewrites one pipeline stage into its quick form.
fn quick_stage(stage: &str, sample_log: &Path) -> String {
    let words: Vec<&str> = stage.split_whitespace().collect();
    // Leading VAR=value assignments stay as they are.
    let start = words
        .iter()
        .position(|w| !w.contains('='))
        .unwrap_or(words.len());
    let (env, rest) = words.split_at(start);
    let env = env.join(" ");
    let join = |ws: &[&str]| ws.join(" ");
    let quick = match rest {
        ["cargo", "test", args @ ..] => {
            let (before, after) = match args.iter().position(|w| *w == "--") {
                Some(i) => (&args[..i], &args[i + 1..]),
                None => (args, &[][..]),
            };
            let after: Vec<&str> = after.iter().copied().filter(|w| *w != "2>&1").collect();
            let redirect = if stage.contains("2>&1") { " 2>&1" } else { "" };
            format!(
                "docs_list_tests cargo test {} -- {} --list{redirect}",
                join(before),
                join(&after)
            )
        }
        ["cargo", "run", args @ ..] => {
            let before = match args.iter().position(|w| *w == "--") {
                Some(i) => &args[..i],
                None => args,
            };
            // What the quick form checks is that the target exists and builds; a release
            // build of the workspace would cost CI a minute and a half for nothing more.
            let before: Vec<&str> = before
                .iter()
                .copied()
                .filter(|w| *w != "--release")
                .collect();
            format!("cargo build {}", join(&before))
        }
        ["scripts/stress_test.sh", args @ ..] => {
            format!("scripts/stress_test.sh --list {}", join(args))
        }
        ["scripts/student.sh", args @ ..] => {
            format!("scripts/student.sh --list {}", join(args))
        }
        ["scripts/mutants.sh", args @ ..] => {
            format!("scripts/mutants.sh --check {}", join(args))
        }
        ["scripts/grade.sh", args @ ..] => {
            format!("scripts/grade.sh --list {}", join(args))
        }
        ["scripts/debug_test.sh", args @ ..] => {
            format!("scripts/debug_test.sh --dry-run {}", join(args))
        }
        ["scripts/lablog", args @ ..] => {
            let args: Vec<String> = args
                .iter()
                .map(|a| {
                    if a.ends_with(".jsonl") && !Path::new(a).exists() {
                        sample_log.display().to_string()
                    } else {
                        a.to_string()
                    }
                })
                .collect();
            format!("scripts/lablog {}", args.join(" "))
        }
        _ => stage.trim().to_string(),
    };
    if env.is_empty() {
        quick
    } else {
        format!("{env} {quick}")
    }
}

fn quick(command: &str, sample_log: &Path) -> String {
    command
        .split(" | ")
        .map(|stage| quick_stage(stage, sample_log))
        .collect::<Vec<_>>()
        .join(" | ")
}

const PRELUDE: &str = r#"set -eo pipefail
# Lists tests through cargo and fails unless at least one matches the filter.
docs_list_tests() {
    local out
    out="$("$@")" || return 1
    printf '%s\n' "$out"
    if ! grep -q ': test$' <<<"$out"; then
        echo "docs-check: no test matches: $*" >&2
        return 1
    fi
}
"#;

fn check_shell(block: &Block, root: &Path, sample_log: &Path) -> Result<(), String> {
    let mut script = String::from(PRELUDE);
    for command in commands(&block.body) {
        let command = strip_comment(&command);
        if command.is_empty() {
            continue;
        }
        let quick = quick(command, sample_log);
        script.push_str(&format!(
            "echo '+ {}'\n{quick}\n",
            quick.replace('\'', "'\\''")
        ));
    }
    let where_ = format!("{}:{}", block.file.display(), block.line);
    println!("== {where_}");
    let started = std::time::Instant::now();
    let status = Command::new("bash")
        .arg("-c")
        .arg(&script)
        .current_dir(root)
        .status()
        .map_err(|e| format!("{where_}: cannot run bash: {e}"))?;
    // So a slow CI run shows which block took the time.
    println!("== {where_}: {:.1} s", started.elapsed().as_secs_f64());
    if status.success() {
        Ok(())
    } else {
        Err(format!("{where_}: the block failed ({status})"))
    }
}

fn check_quote(block: &Block, from: &str, root: &Path) -> Result<(), String> {
    let where_ = format!("{}:{}", block.file.display(), block.line);
    let source =
        fs::read_to_string(root.join(from)).map_err(|e| format!("{where_}: {from}: {e}"))?;
    let source: Vec<&str> = source.lines().map(str::trim).collect();
    let quoted: Vec<&str> = block.body.iter().map(|l| l.trim()).collect();
    let found = source.windows(quoted.len()).any(|w| w == quoted.as_slice());
    if found {
        println!("== {where_}: quoted from {from}, matches");
        Ok(())
    } else {
        Err(format!(
            "{where_}: the quoted code is not in {from} (line for line)"
        ))
    }
}

fn markdown_files(root: &Path) -> Vec<PathBuf> {
    let mut files = vec![root.join("README.md")];
    let mut dirs: Vec<PathBuf> = fs::read_dir(root)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    for dir in dirs {
        let readme = dir.join("README.md");
        if readme.exists() {
            files.push(readme);
        }
    }
    files
}

/// Runs the shell blocks of the workspace's READMEs in a quick mode, checks their quoted
/// code and tables, and .vscode/launch.json, so the guides do not rot.
#[derive(Parser)]
#[command(
    args_override_self = true,
    name = "docs-check",
    bin_name = "scripts/check_docs.sh",
    version
)]
struct Args {
    /// Check only the READMEs whose path contains one of these (lab3, scripts/...) [default:
    /// every README, and launch.json]
    #[arg(value_name = "PATH-PART")]
    only: Vec<String>,
}

fn main() -> ExitCode {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let root = root.canonicalize().unwrap_or(root);
    let only = Args::parse().only;
    let sample_log = root.join("scripts/lablog-viewer/tests/data/raft.jsonl");
    let mut failures = Vec::new();
    let mut checked = 0;
    let definitions = tables::Definitions::scan(&root);
    for file in markdown_files(&root) {
        let rel = file
            .strip_prefix(&root)
            .unwrap_or(&file)
            .display()
            .to_string();
        if !only.is_empty() && !only.iter().any(|o| rel.contains(o.as_str())) {
            continue;
        }
        let (names, table_errors) =
            tables::check(&file, file.parent().unwrap_or(&root), &definitions);
        println!(
            "== {rel}: {names} name(s) in tables, {} not defined or missing",
            table_errors.len()
        );
        for e in &table_errors {
            eprintln!("docs-check: {e}");
        }
        failures.extend(table_errors);
        let blocks = match blocks(&file) {
            Ok(b) => b,
            Err(e) => {
                failures.push(e);
                continue;
            }
        };
        for block in &blocks {
            let result = match (block.info.as_str(), &block.from) {
                ("sh", _) => check_shell(block, &root, &sample_log),
                ("rust", Some(from)) => check_quote(block, from, &root),
                _ => continue,
            };
            checked += 1;
            if let Err(e) = result {
                eprintln!("docs-check: {e}");
                failures.push(e);
            }
        }
    }
    let launch = root.join(".vscode/launch.json");
    if only.is_empty() {
        for result in launch::check(&launch, &root) {
            match result {
                Ok(found) => println!("== .vscode/launch.json: {found}"),
                Err(e) => failures.push(format!(".vscode/launch.json: {e}")),
            }
        }
    }
    if checked == 0 && !only.is_empty() {
        Args::command()
            .error(
                ErrorKind::ValueValidation,
                format!(
                    "no README's path contains {} (try lab3, or none for all)",
                    only.join(" or ")
                ),
            )
            .exit()
    }
    println!(
        "docs-check: {checked} block(s), {} failure(s)",
        failures.len()
    );
    for f in &failures {
        println!("  {f}");
    }
    if failures.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quick_forms() {
        let log = Path::new("sample.jsonl");
        assert_eq!(
            quick("cargo test -p lab3-raft 3a", log),
            "docs_list_tests cargo test -p lab3-raft 3a --  --list"
        );
        assert_eq!(
            quick(
                "LAB_SEED=1 cargo test -p x --test t -- --exact a --nocapture 2>&1 | scripts/lablog --index 2",
                log
            ),
            "LAB_SEED=1 docs_list_tests cargo test -p x --test t -- --exact a --nocapture --list 2>&1 | scripts/lablog --index 2"
        );
        assert_eq!(
            quick("cargo run -p a --bin b -- --bench", log),
            "cargo build -p a --bin b"
        );
        assert_eq!(
            quick("cargo run --release -p a --example b", log),
            "cargo build -p a --example b"
        );
        assert_eq!(
            quick("scripts/lablog out/x-1.log.jsonl --term 3..5", log),
            "scripts/lablog sample.jsonl --term 3..5"
        );
        assert_eq!(strip_comment("cargo test   # all"), "cargo test");
        assert_eq!(strip_comment("# a comment"), "");
    }

    #[test]
    fn options_are_usage_errors_and_paths_filters() {
        let parsed = Args::try_parse_from(["docs-check", "--bogus"]);
        assert_eq!(parsed.err().map(|e| e.exit_code()), Some(2));
        let parsed = Args::try_parse_from(["docs-check", "lab3", "scripts"]).expect("parses");
        assert_eq!(parsed.only, ["lab3", "scripts"]);
    }

    #[test]
    fn continued_lines_are_one_command() {
        let body = ["a \\".to_string(), "  b".to_string(), "c".to_string()];
        assert_eq!(commands(&body), ["a    b", "c"]);
    }
}
