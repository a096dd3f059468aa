//! The student workspace's file set, computed from this workspace: every file git knows
//! (tracked, or new and not ignored), minus what only this repository needs, with each
//! stripped lab's solution swapped for its skeleton as its manifest says.

use crate::manifest::{self, Manifest};
use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

pub struct Lab {
    pub number: u32,
    pub dir: &'static str,
}

pub const LABS: [Lab; 5] = [
    Lab {
        number: 1,
        dir: "lab1-mapreduce",
    },
    Lab {
        number: 2,
        dir: "lab2-kvsrv",
    },
    Lab {
        number: 3,
        dir: "lab3-raft",
    },
    Lab {
        number: 4,
        dir: "lab4-kvraft",
    },
    Lab {
        number: 5,
        dir: "lab5-shardkv",
    },
];

/// One file of the workspace to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct File {
    pub bytes: Vec<u8>,
    pub executable: bool,
}

/// Relative path (with `/`) to contents, in path order.
pub type Files = BTreeMap<String, File>;

/// Files of this repository that the student workspace never has: this tool, the
/// skeletons it copies from and its check; the checks of this repository's own guides
/// (the student's guides are cut to the parts about doing the lab); and the demo, which
/// runs the reference's examples (a stripped lab has none); the mutant suite, whose
/// mutants are edits of the reference; and the cargo fuzz targets, which call the
/// reference's fuzz entry points. The 2026 edition's crates are not in it yet: their
/// skeletons come with `--edition 2026`, still to be written, and until then the
/// reference solutions must not reach a student.
const NEVER: [&str; 15] = [
    "scripts/student/",
    "scripts/student.sh",
    "scripts/check_student.sh",
    "scripts/docs-check/",
    "scripts/check_docs.sh",
    "scripts/demo.sh",
    "scripts/mutants.sh",
    "scripts/fuzz/",
    "lab3-raft/mutants.txt",
    "lab4-kvraft/mutants.txt",
    "lab5-shardkv/mutants.txt",
    "lab1-mapreduce/y2026/",
    "lab2-kvsrv/y2026/",
    "lab3-raft/y2026/",
    "lab4-kvraft/y2026/",
];

/// The workspace members that go with them: (path, package name).
const DROPPED_MEMBERS: [(&str, &str); 6] = [
    ("scripts/student", "lab-student"),
    ("scripts/docs-check", "docs-check"),
    ("lab1-mapreduce/y2026", "lab1-mapreduce-2026"),
    ("lab2-kvsrv/y2026", "lab2-kvsrv-2026"),
    ("lab3-raft/y2026", "lab3-raft-2026"),
    ("lab4-kvraft/y2026", "lab4-kvraft-2026"),
];

/// Written from templates rather than copied.
const TEMPLATES: [(&str, &str, bool); 2] = [
    ("README.md", include_str!("../template/README.md"), false),
    (".ci/run", include_str!("../template/ci-run"), true),
];

fn source_files(source: &Path) -> Result<Vec<String>, String> {
    let out = Command::new("git")
        .args([
            "ls-files",
            "-z",
            "--cached",
            "--others",
            "--exclude-standard",
        ])
        .current_dir(source)
        .output()
        .map_err(|e| format!("cannot run git in {}: {e}", source.display()))?;
    if !out.status.success() {
        return Err(format!(
            "git ls-files failed in {} (is it a clone of this repository?): {}",
            source.display(),
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    let mut paths: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .split('\0')
        .filter(|p| !p.is_empty())
        .map(str::to_string)
        .collect();
    paths.sort();
    paths.dedup();
    Ok(paths)
}

fn read(source: &Path, path: &str) -> Result<Option<File>, String> {
    let full = source.join(path);
    let meta = match std::fs::symlink_metadata(&full) {
        Ok(m) => m,
        // Tracked but deleted in the working tree: the working tree is what is copied.
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(format!("cannot read {}: {e}", full.display())),
    };
    if !meta.is_file() {
        return Ok(None);
    }
    let bytes = std::fs::read(&full).map_err(|e| format!("cannot read {}: {e}", full.display()))?;
    Ok(Some(File {
        bytes,
        executable: is_executable(&meta),
    }))
}

#[cfg(unix)]
fn is_executable(meta: &std::fs::Metadata) -> bool {
    use std::os::unix::fs::PermissionsExt;
    meta.permissions().mode() & 0o111 != 0
}

#[cfg(not(unix))]
fn is_executable(_: &std::fs::Metadata) -> bool {
    false
}

fn text(file: &File, path: &str) -> Result<String, String> {
    String::from_utf8(file.bytes.clone()).map_err(|_| format!("{path} is not UTF-8"))
}

/// The workspace's `Cargo.toml` without the members the student workspace does not have.
fn workspace_manifest(toml: &str) -> Result<String, String> {
    let mut out = toml.to_string();
    for (member, _) in DROPPED_MEMBERS {
        let line = format!("    \"{member}\",\n");
        if !out.contains(&line) {
            return Err(format!("Cargo.toml: the members list has no line {line:?}"));
        }
        out = out.replace(&line, "");
    }
    Ok(out)
}

/// A rewrite of a copied file's text.
type Edit = fn(&str) -> Result<String, String>;

/// `Cargo.lock` without the dropped members' entries, as cargo itself would write it for
/// the student workspace (so its first build leaves the lock file, and the commit, as
/// they were). Their dependencies are all shared with members that stay.
fn lock_file(lock: &str) -> Result<String, String> {
    let mut out = String::new();
    let mut dropped = 0;
    for (i, block) in lock.split("\n\n").enumerate() {
        let gone = DROPPED_MEMBERS
            .iter()
            .any(|(_, name)| block.starts_with(&format!("[[package]]\nname = \"{name}\"\n")));
        if gone {
            dropped += 1;
            continue;
        }
        if i > 0 {
            out.push_str("\n\n");
        }
        out.push_str(block);
    }
    if lock.ends_with('\n') && !out.ends_with('\n') {
        out.push('\n');
    }
    if dropped != DROPPED_MEMBERS.len() {
        return Err(format!(
            "Cargo.lock: found {dropped} of the {} dropped members' entries",
            DROPPED_MEMBERS.len()
        ));
    }
    Ok(out)
}

fn render(template: &str, from: u32) -> String {
    let yours: Vec<String> = LABS
        .iter()
        .filter(|l| l.number >= from)
        .map(|l| format!("`{}`", l.dir))
        .collect();
    let given: Vec<String> = LABS
        .iter()
        .filter(|l| l.number < from)
        .map(|l| format!("`{}`", l.dir))
        .collect();
    let list = |v: &[String]| {
        if v.is_empty() {
            "none".to_string()
        } else {
            v.join(", ")
        }
    };
    template
        .replace("{{FROM}}", &from.to_string())
        .replace("{{YOURS}}", &list(&yours))
        .replace("{{GIVEN}}", &list(&given))
}

/// The student workspace for `--from from` (6: nothing stripped).
pub fn plan(source: &Path, from: u32) -> Result<Files, String> {
    let stripped: Vec<&Lab> = LABS.iter().filter(|l| l.number >= from).collect();
    let mut manifests = BTreeMap::new();
    for lab in &stripped {
        let path = source.join(lab.dir).join("student/manifest.txt");
        let text = std::fs::read_to_string(&path).map_err(|e| {
            format!(
                "lab {} has no skeleton manifest ({}): {e}",
                lab.number,
                path.display()
            )
        })?;
        manifests.insert(lab.dir, Manifest::parse(&text, &path)?);
    }
    let mut files = Files::new();
    let mut skeletons = Vec::new();
    for path in source_files(source)? {
        if NEVER.iter().any(|rule| manifest::matches(rule, &path))
            || TEMPLATES.iter().any(|(t, _, _)| *t == path)
        {
            continue;
        }
        let Some((top, rest)) = path.split_once('/') else {
            if let Some(file) = read(source, &path)? {
                let edit: Option<Edit> = match path.as_str() {
                    "Cargo.toml" => Some(workspace_manifest),
                    "Cargo.lock" => Some(lock_file),
                    _ => None,
                };
                let file = match edit {
                    Some(edit) => File {
                        bytes: edit(&text(&file, &path)?)?.into_bytes(),
                        ..file
                    },
                    None => file,
                };
                files.insert(path, file);
            }
            continue;
        };
        let lab = LABS.iter().find(|l| l.dir == top);
        // A lab's skeleton is copied only over a stripped lab, and never as itself.
        if let Some(skeleton) = rest.strip_prefix("student/") {
            if lab.is_some_and(|l| manifests.contains_key(l.dir)) && skeleton != "manifest.txt" {
                skeletons.push((path.clone(), format!("{top}/{skeleton}")));
            }
            continue;
        }
        let Some(manifest) = manifests.get(top) else {
            if let Some(file) = read(source, &path)? {
                files.insert(path, file);
            }
            continue;
        };
        if !manifest.takes(rest) {
            continue;
        }
        let Some(mut file) = read(source, &path)? else {
            continue;
        };
        if rest == "README.md" {
            file.bytes = manifest::cut_guide(&text(&file, &path)?, &manifest.guide)
                .map_err(|e| format!("{path}: {e} (named in its student/manifest.txt)"))?
                .into_bytes();
        }
        files.insert(path, file);
    }
    for (from_path, to_path) in skeletons {
        let Some(file) = read(source, &from_path)? else {
            continue;
        };
        if files.insert(to_path.clone(), file).is_some() {
            return Err(format!(
                "{from_path} would replace {to_path}, which the manifest keeps: drop one of them"
            ));
        }
    }
    for (path, template, executable) in TEMPLATES {
        files.insert(
            path.to_string(),
            File {
                bytes: render(template, from).into_bytes(),
                executable,
            },
        );
    }
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_members_list_loses_the_repositorys_own_tools() {
        let toml = "members = [\n    \"common\",\n    \"lab1-mapreduce/y2026\",\n    \"lab2-kvsrv/y2026\",\n    \"lab3-raft/y2026\",\n    \"lab4-kvraft/y2026\",\n    \"scripts/docs-check\",\n    \"scripts/student\",\n]\n";
        assert_eq!(
            workspace_manifest(toml).expect("edits"),
            "members = [\n    \"common\",\n]\n"
        );
        assert!(workspace_manifest("members = []").is_err());
    }

    #[test]
    fn the_lock_file_loses_the_dropped_members() {
        let lock = "version = 4\n\n[[package]]\nname = \"docs-check\"\nversion = \"0.1.0\"\n\n[[package]]\nname = \"common\"\nversion = \"0.1.0\"\n\n[[package]]\nname = \"lab-student\"\nversion = \"0.1.0\"\n\n[[package]]\nname = \"lab2-kvsrv-2026\"\nversion = \"0.1.0\"\n\n[[package]]\nname = \"lab3-raft-2026\"\nversion = \"0.1.0\"\n\n[[package]]\nname = \"lab4-kvraft-2026\"\nversion = \"0.1.0\"\n\n[[package]]\nname = \"lab1-mapreduce-2026\"\nversion = \"0.1.0\"\n";
        assert_eq!(
            lock_file(lock).expect("edits"),
            "version = 4\n\n[[package]]\nname = \"common\"\nversion = \"0.1.0\"\n"
        );
        assert!(lock_file("version = 4\n").is_err());
    }

    #[test]
    fn templates_name_the_labs_that_are_yours() {
        assert_eq!(
            render("{{FROM}}: {{YOURS}} on {{GIVEN}}", 4),
            "4: `lab4-kvraft`, `lab5-shardkv` on `lab1-mapreduce`, `lab2-kvsrv`, `lab3-raft`"
        );
        assert_eq!(render("{{GIVEN}}", 1), "none");
    }
}
