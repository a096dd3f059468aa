//! Writing the file set into the student's directory, and its first commit.
//!
//! Writing into a directory that holds an earlier copy (with `--force`) touches only the
//! files whose contents differ and removes the ones the set does not have, and keeps
//! `target/`: cargo then rebuilds only what changed (it judges freshness by modification
//! time, so an unchanged file must keep its own), which is what lets CI generate one
//! workspace after another in one place.

use crate::plan::Files;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

#[derive(Debug, Default)]
pub struct Summary {
    pub written: usize,
    pub unchanged: usize,
    pub removed: usize,
}

/// Why the directory cannot be used; the caller exits 2 for these, as for bad arguments.
pub fn check_dir(source: &Path, dir: &Path, force: bool) -> Result<(), String> {
    if dir.exists() {
        if !dir.is_dir() {
            return Err(format!("{} exists and is not a directory", dir.display()));
        }
        let source = fs::canonicalize(source).map_err(|e| format!("{}: {e}", source.display()))?;
        let target = fs::canonicalize(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        let home = std::env::var_os("HOME").map(PathBuf::from);
        if target.parent().is_none_or(|p| p.parent().is_none()) || home.is_some_and(|h| h == target)
        {
            return Err(format!(
                "{} is a top-level or home directory; choose a directory of its own (e.g. ../my-labs)",
                dir.display()
            ));
        }
        if source.starts_with(&target) {
            return Err(format!(
                "{} holds this workspace; choose a directory outside it (e.g. ../my-labs)",
                dir.display()
            ));
        }
        let empty = fs::read_dir(dir)
            .map_err(|e| format!("cannot read {}: {e}", dir.display()))?
            .next()
            .is_none();
        if !empty && !force {
            return Err(format!(
                "{} is not empty; choose another directory, or pass --force to replace what it holds",
                dir.display()
            ));
        }
    }
    Ok(())
}

fn existing(dir: &Path, rel: &Path, out: &mut Vec<PathBuf>) -> Result<(), String> {
    let here = dir.join(rel);
    let entries =
        fs::read_dir(&here).map_err(|e| format!("cannot read {}: {e}", here.display()))?;
    for entry in entries {
        let entry = entry.map_err(|e| format!("cannot read {}: {e}", here.display()))?;
        let rel = rel.join(entry.file_name());
        // The build cache is kept; the repository is made afresh.
        if rel == Path::new("target") || rel == Path::new(".git") {
            continue;
        }
        let kind = entry
            .file_type()
            .map_err(|e| format!("{}: {e}", rel.display()))?;
        if kind.is_dir() {
            existing(dir, &rel, out)?;
        } else {
            out.push(rel);
        }
    }
    Ok(())
}

fn set_executable(path: &Path, executable: bool) -> Result<(), String> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = if executable { 0o755 } else { 0o644 };
        fs::set_permissions(path, fs::Permissions::from_mode(mode))
            .map_err(|e| format!("cannot set the mode of {}: {e}", path.display()))?;
    }
    let _ = (path, executable);
    Ok(())
}

fn remove_empty_dirs(dir: &Path) -> bool {
    let Ok(entries) = fs::read_dir(dir) else {
        return false;
    };
    let mut empty = true;
    for entry in entries.flatten() {
        let path = entry.path();
        if entry.file_type().is_ok_and(|t| t.is_dir()) && remove_empty_dirs(&path) {
            let _ = fs::remove_dir(&path);
        } else {
            empty = false;
        }
    }
    empty
}

/// Makes `dir` hold exactly `files` (besides `target/`), then, with `git`, a repository
/// with one commit of it.
pub fn write(dir: &Path, files: &Files, git: bool) -> Result<Summary, String> {
    let mut summary = Summary::default();
    fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let mut old = Vec::new();
    existing(dir, Path::new(""), &mut old)?;
    for rel in old {
        let key = rel.to_string_lossy().replace('\\', "/");
        if !files.contains_key(&key) {
            fs::remove_file(dir.join(&rel))
                .map_err(|e| format!("cannot remove {}: {e}", rel.display()))?;
            summary.removed += 1;
        }
    }
    remove_empty_dirs(dir);
    for (rel, file) in files {
        let path = dir.join(rel);
        if fs::read(&path).is_ok_and(|bytes| bytes == file.bytes) {
            summary.unchanged += 1;
        } else {
            if let Some(parent) = path.parent() {
                fs::create_dir_all(parent)
                    .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
            }
            fs::write(&path, &file.bytes)
                .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
            summary.written += 1;
        }
        set_executable(&path, file.executable)?;
    }
    if git {
        init_repository(dir)?;
    }
    Ok(summary)
}

fn git(dir: &Path, args: &[&str]) -> Result<(), String> {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .output()
        .map_err(|e| format!("cannot run git: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "git {} failed in {}: {}",
            args.join(" "),
            dir.display(),
            String::from_utf8_lossy(&out.stderr).trim()
        ))
    }
}

fn init_repository(dir: &Path) -> Result<(), String> {
    let repo = dir.join(".git");
    if repo.exists() {
        fs::remove_dir_all(&repo).map_err(|e| format!("cannot remove {}: {e}", repo.display()))?;
    }
    git(dir, &["init", "-q", "-b", "main"])?;
    git(dir, &["add", "-A"])?;
    // An identity of its own, so the commit works on a machine with no git identity; the
    // student's own commits use theirs.
    git(
        dir,
        &[
            "-c",
            "user.name=6.5840 student workspace",
            "-c",
            "user.email=student@localhost",
            "-c",
            "commit.gpgsign=false",
            "commit",
            "-q",
            "-m",
            "The labs as handed out: the harness, the tests and the skeletons",
        ],
    )
}
