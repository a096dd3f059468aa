//! The student workspace's file set, computed from this workspace: every file git knows
//! (tracked, or new and not ignored), minus what only this repository needs, with each
//! stripped lab's solution swapped for its skeleton as its manifest says.

use crate::manifest::{self, Manifest};
use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

pub use lab_stress::catalogue::Edition;

/// The edition's labs, in order.
pub fn labs(edition: Edition) -> &'static [Lab] {
    match edition {
        Edition::Y2024 => &LABS_2024,
        Edition::Y2026 => &LABS_2026,
    }
}

/// The largest `--from`: the 2024 edition's is one past its last lab (nothing stripped,
/// which CI compares with this workspace); the 2026 edition's, its last lab.
pub fn last_from(edition: Edition) -> u32 {
    match edition {
        Edition::Y2024 => 6,
        Edition::Y2026 => 5,
    }
}

/// Whether the 2026 workspace for `--from from` keeps the 2024 crates that the
/// reference 2026 Lab 4 builds on (its rsm is the 2024 lab's): when Lab 4 is given.
fn keeps_2024_lab4(edition: Edition, from: u32) -> bool {
    edition == Edition::Y2026 && from > 4
}

/// The workspace members that go, (path, package name).
fn dropped_members(edition: Edition, from: u32) -> &'static [(&'static str, &'static str)] {
    match edition {
        Edition::Y2024 => &DROPPED_2024,
        Edition::Y2026 if keeps_2024_lab4(edition, from) => &DROPPED_2026_FROM_5,
        Edition::Y2026 => &DROPPED_2026,
    }
}

/// Whether the workspace of `edition` for `--from from` never has `path`.
fn never(edition: Edition, from: u32, path: &str) -> bool {
    let (rules, kept): (&[&str], &[&str]) = match edition {
        Edition::Y2024 => (&NEVER_2024, &[]),
        Edition::Y2026 if keeps_2024_lab4(edition, from) => (&NEVER_2026_FROM_5, &KEPT_2026),
        Edition::Y2026 => (&NEVER_2026, &KEPT_2026),
    };
    NEVER
        .iter()
        .chain(rules)
        .any(|rule| manifest::matches(rule, path))
        && !kept.iter().any(|rule| manifest::matches(rule, path))
}

/// One lab of an edition: the crate whose `src/` the student writes, with its skeleton and
/// manifest in `student/` beside it, and where its tests and guide are.
pub struct Lab {
    pub number: u32,
    /// The crate the skeleton replaces.
    pub dir: &'static str,
    /// That crate's package name.
    pub package: &'static str,
    /// The package of its course tests.
    pub tests: &'static str,
    /// Its guide.
    pub guide: &'static str,
}

const fn lab(number: u32, dir: &'static str, guide: &'static str) -> Lab {
    Lab {
        number,
        dir,
        package: dir,
        tests: dir,
        guide,
    }
}

pub const LABS_2024: [Lab; 5] = [
    lab(1, "lab1-mapreduce", "lab1-mapreduce/README.md"),
    lab(2, "lab2-kvsrv", "lab2-kvsrv/README.md"),
    lab(3, "lab3-raft", "lab3-raft/README.md"),
    lab(4, "lab4-kvraft", "lab4-kvraft/README.md"),
    lab(5, "lab5-shardkv", "lab5-shardkv/README.md"),
];

/// The 2026 labs: Labs 1 and 3 are the same code as in 2024 (the 2026 crates beside them
/// hold the 2026 tests and testers and stay whole); Labs 2, 4 and 5 are new crates, whose
/// guides are sections of the 2024 labs' guides.
pub const LABS_2026: [Lab; 5] = [
    Lab {
        tests: "lab1-mapreduce-2026",
        ..lab(1, "lab1-mapreduce", "lab1-mapreduce/README.md")
    },
    Lab {
        package: "lab2-kvsrv-2026",
        tests: "lab2-kvsrv-2026",
        ..lab(2, "lab2-kvsrv/y2026", "lab2-kvsrv/README.md")
    },
    Lab {
        tests: "lab3-raft-2026",
        ..lab(3, "lab3-raft", "lab3-raft/README.md")
    },
    Lab {
        package: "lab4-kvraft-2026",
        tests: "lab4-kvraft-2026",
        ..lab(4, "lab4-kvraft/y2026", "lab4-kvraft/README.md")
    },
    Lab {
        package: "lab5-shardkv-2026",
        tests: "lab5-shardkv-2026",
        ..lab(5, "lab5-shardkv/y2026", "lab5-shardkv/README.md")
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
/// reference's fuzz entry points.
const NEVER: [&str; 11] = [
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
];

/// The 2024 workspace has none of the 2026 crates.
const NEVER_2024: [&str; 5] = [
    "lab1-mapreduce/y2026/",
    "lab2-kvsrv/y2026/",
    "lab3-raft/y2026/",
    "lab4-kvraft/y2026/",
    "lab5-shardkv/y2026/",
];

/// The 2026 workspace has none of the 2024 crates of Labs 2, 4 and 5 ...
const NEVER_2026: [&str; 3] = ["lab2-kvsrv/", "lab4-kvraft/", "lab5-shardkv/"];

/// With Lab 4 given (`--from 5`), the reference 2026 Lab 4 needs the 2024 Labs 2 and 4
/// (its rsm, and the map and clerk under it): they stay, without their skeletons and
/// guides-to-be-cut (the guides stay as the 2026 labs' guides).
const NEVER_2026_FROM_5: [&str; 3] = [
    "lab2-kvsrv/student/",
    "lab4-kvraft/student/",
    "lab5-shardkv/",
];

/// ... but for the 2026 crates inside their folders, and their guides.
const KEPT_2026: [&str; 6] = [
    "lab2-kvsrv/y2026/",
    "lab2-kvsrv/README.md",
    "lab4-kvraft/y2026/",
    "lab4-kvraft/README.md",
    "lab5-shardkv/y2026/",
    "lab5-shardkv/README.md",
];

/// The workspace members that go with them: (path, package name).
const DROPPED_2024: [(&str, &str); 7] = [
    ("scripts/student", "lab-student"),
    ("scripts/docs-check", "docs-check"),
    ("lab1-mapreduce/y2026", "lab1-mapreduce-2026"),
    ("lab2-kvsrv/y2026", "lab2-kvsrv-2026"),
    ("lab3-raft/y2026", "lab3-raft-2026"),
    ("lab4-kvraft/y2026", "lab4-kvraft-2026"),
    ("lab5-shardkv/y2026", "lab5-shardkv-2026"),
];

const DROPPED_2026: [(&str, &str); 5] = [
    ("scripts/student", "lab-student"),
    ("scripts/docs-check", "docs-check"),
    ("lab2-kvsrv", "lab2-kvsrv"),
    ("lab4-kvraft", "lab4-kvraft"),
    ("lab5-shardkv", "lab5-shardkv"),
];

const DROPPED_2026_FROM_5: [(&str, &str); 3] = [
    ("scripts/student", "lab-student"),
    ("scripts/docs-check", "docs-check"),
    ("lab5-shardkv", "lab5-shardkv"),
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
fn workspace_manifest(toml: &str, dropped: &[(&str, &str)]) -> Result<String, String> {
    let mut out = toml.to_string();
    for (member, _) in dropped {
        let line = format!("    \"{member}\",\n");
        if !out.contains(&line) {
            return Err(format!("Cargo.toml: the members list has no line {line:?}"));
        }
        out = out.replace(&line, "");
    }
    Ok(out)
}

/// `Cargo.lock` without the dropped members' entries, and without the dependencies that
/// `unlinked` (package, dependency) pairs remove, as cargo itself would write it for the
/// student workspace (so its first build leaves the lock file, and the commit, as they
/// were). The dropped members' own dependencies are all shared with members that stay.
fn lock_file(
    lock: &str,
    dropped: &[(&str, &str)],
    unlinked: &[(&str, String)],
) -> Result<String, String> {
    let mut out = String::new();
    let mut gone = 0;
    let mut cut = 0;
    for (i, block) in lock.split("\n\n").enumerate() {
        let is = |name: &str| block.starts_with(&format!("[[package]]\nname = \"{name}\"\n"));
        if dropped.iter().any(|(_, name)| is(name)) {
            gone += 1;
            continue;
        }
        let mut block = block.to_string();
        for (package, dependency) in unlinked {
            let line = format!("\n \"{dependency}\",");
            if is(package) && block.contains(&line) {
                block = block.replace(&line, "");
                cut += 1;
            }
        }
        if i > 0 {
            out.push_str("\n\n");
        }
        out.push_str(&block);
    }
    if lock.ends_with('\n') && !out.ends_with('\n') {
        out.push('\n');
    }
    if gone != dropped.len() {
        return Err(format!(
            "Cargo.lock: found {gone} of the {} dropped members' entries",
            dropped.len()
        ));
    }
    if cut != unlinked.len() {
        return Err(format!(
            "Cargo.lock: found {cut} of the {} unlinked dependencies",
            unlinked.len()
        ));
    }
    Ok(out)
}

/// A lab's `Cargo.toml` without its dependencies on the `unlink` packages.
fn unlink_manifest(toml: &str, unlink: &[String], path: &str) -> Result<String, String> {
    let mut out = String::new();
    let mut found = 0;
    for line in toml.lines() {
        let name = line.split(['=', '.']).next().unwrap_or("").trim();
        if unlink.iter().any(|u| u == name) {
            found += 1;
            continue;
        }
        out.push_str(line);
        out.push('\n');
    }
    if found != unlink.len() {
        return Err(format!(
            "{path}: found {found} of the {} dependencies its manifest unlinks",
            unlink.len()
        ));
    }
    Ok(out)
}

/// The template for `edition`: lines between `{{#YEAR}}` and `{{/YEAR}}` are kept only
/// in that edition's workspace; then the placeholders.
fn render(template: &str, edition: Edition, from: u32) -> String {
    let labs = labs(edition);
    let yours: Vec<String> = labs
        .iter()
        .filter(|l| l.number >= from)
        .map(|l| format!("`{}`", l.dir))
        .collect();
    let given: Vec<String> = labs
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
    let mut kept = String::new();
    let mut inside: Option<bool> = None;
    for line in template.lines() {
        let trimmed = line.trim();
        if let Some(year) = trimmed
            .strip_prefix("{{#")
            .and_then(|r| r.strip_suffix("}}"))
        {
            inside = Some(year == edition.year());
            continue;
        }
        if trimmed.starts_with("{{/") {
            inside = None;
            continue;
        }
        if inside != Some(false) {
            kept.push_str(line);
            kept.push('\n');
        }
    }
    kept.replace("{{FROM}}", &from.to_string())
        .replace("{{YOURS}}", &list(&yours))
        .replace("{{GIVEN}}", &list(&given))
        .replace("{{EDITION}}", edition.year())
}

/// The student workspace of `edition` for `--from from` (one past the last lab: nothing
/// stripped).
pub fn plan(source: &Path, edition: Edition, from: u32) -> Result<Files, String> {
    let labs = labs(edition);
    // Every lab's manifest is read: a guide shared between editions is cut to the
    // edition's sections whether or not the lab is stripped.
    let mut manifests = BTreeMap::new();
    for lab in labs {
        let path = source.join(lab.dir).join("student/manifest.txt");
        let text = std::fs::read_to_string(&path).map_err(|e| {
            format!(
                "lab {} has no skeleton manifest ({}): {e}",
                lab.number,
                path.display()
            )
        })?;
        manifests.insert(lab.dir, Manifest::parse(&text, &path, edition)?);
    }
    let stripped = |lab: &Lab| lab.number >= from;
    // The lab (of this edition) a path belongs to, by its longest folder.
    let lab_of = |path: &str| {
        labs.iter()
            .filter(|l| path.starts_with(&format!("{}/", l.dir)))
            .max_by_key(|l| l.dir.len())
    };
    let mut unlinked: Vec<(&str, String)> = Vec::new();
    for lab in labs.iter().filter(|l| stripped(l)) {
        for name in &manifests[lab.dir].unlink {
            unlinked.push((lab.package, name.clone()));
        }
    }
    let dropped = dropped_members(edition, from);
    let mut files = Files::new();
    let mut skeletons = Vec::new();
    for path in source_files(source)? {
        if never(edition, from, &path) || TEMPLATES.iter().any(|(t, _, _)| *t == path) {
            continue;
        }
        let Some(mut file) = read(source, &path)? else {
            continue;
        };
        let edited = match path.as_str() {
            "Cargo.toml" => Some(workspace_manifest(&text(&file, &path)?, dropped)?),
            "Cargo.lock" => Some(lock_file(&text(&file, &path)?, dropped, &unlinked)?),
            _ => None,
        };
        if let Some(edited) = edited {
            file.bytes = edited.into_bytes();
            files.insert(path, file);
            continue;
        }
        // A guide shared between editions (it lives outside its lab's crate).
        if let Some(lab) = labs
            .iter()
            .find(|l| l.guide == path && !path.starts_with(&format!("{}/", l.dir)))
        {
            let manifest = &manifests[lab.dir];
            file.bytes = manifest::cut_guide(&text(&file, &path)?, &manifest.guide)
                .map_err(|e| format!("{path}: {e} (named in {}/student/manifest.txt)", lab.dir))?
                .into_bytes();
            files.insert(path, file);
            continue;
        }
        let Some(lab) = lab_of(&path) else {
            files.insert(path, file);
            continue;
        };
        let rest = &path[lab.dir.len() + 1..];
        // A lab's skeleton is copied only over a stripped lab, and never as itself.
        if let Some(skeleton) = rest.strip_prefix("student/") {
            if stripped(lab) && skeleton != "manifest.txt" {
                skeletons.push((path.clone(), format!("{}/{skeleton}", lab.dir)));
            }
            continue;
        }
        if !stripped(lab) {
            files.insert(path, file);
            continue;
        }
        let manifest = &manifests[lab.dir];
        if !manifest.takes(rest) {
            continue;
        }
        if rest == "README.md" {
            file.bytes = manifest::cut_guide(&text(&file, &path)?, &manifest.guide)
                .map_err(|e| format!("{path}: {e} (named in its student/manifest.txt)"))?
                .into_bytes();
        }
        if rest == "Cargo.toml" && !manifest.unlink.is_empty() {
            file.bytes =
                unlink_manifest(&text(&file, &path)?, &manifest.unlink, &path)?.into_bytes();
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
                bytes: render(template, edition, from).into_bytes(),
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
        let toml = "members = [\n    \"common\",\n    \"lab1-mapreduce/y2026\",\n    \"lab2-kvsrv/y2026\",\n    \"lab3-raft/y2026\",\n    \"lab4-kvraft/y2026\",\n    \"lab5-shardkv/y2026\",\n    \"scripts/docs-check\",\n    \"scripts/student\",\n]\n";
        assert_eq!(
            workspace_manifest(toml, &DROPPED_2024).expect("edits"),
            "members = [\n    \"common\",\n]\n"
        );
        assert!(workspace_manifest("members = []", &DROPPED_2024).is_err());
    }

    #[test]
    fn a_2026_workspace_keeps_the_2024_labs_its_given_lab_4_builds_on() {
        let y26 = Edition::Y2026;
        for from in 1..=4 {
            assert!(never(y26, from, "lab4-kvraft/src/rsm/mod.rs"));
            assert!(dropped_members(y26, from).contains(&("lab4-kvraft", "lab4-kvraft")));
        }
        assert!(!never(y26, 5, "lab4-kvraft/src/rsm/mod.rs"));
        assert!(!never(y26, 5, "lab2-kvsrv/src/kv_state.rs"));
        assert!(never(y26, 5, "lab4-kvraft/student/src/lib.rs"));
        assert!(never(y26, 5, "lab5-shardkv/src/lib.rs"));
        assert!(!never(y26, 5, "lab5-shardkv/y2026/src/lib.rs"));
        assert!(!dropped_members(y26, 5).contains(&("lab2-kvsrv", "lab2-kvsrv")));
        assert!(never(Edition::Y2024, 5, "lab5-shardkv/y2026/src/lib.rs"));
    }

    #[test]
    fn the_lock_file_loses_the_dropped_members() {
        let lock = "version = 4\n\n[[package]]\nname = \"docs-check\"\nversion = \"0.1.0\"\n\n[[package]]\nname = \"common\"\nversion = \"0.1.0\"\n\n[[package]]\nname = \"lab-student\"\nversion = \"0.1.0\"\n\n[[package]]\nname = \"lab2-kvsrv-2026\"\nversion = \"0.1.0\"\n\n[[package]]\nname = \"lab3-raft-2026\"\nversion = \"0.1.0\"\n\n[[package]]\nname = \"lab4-kvraft-2026\"\nversion = \"0.1.0\"\n\n[[package]]\nname = \"lab1-mapreduce-2026\"\nversion = \"0.1.0\"\n\n[[package]]\nname = \"lab5-shardkv-2026\"\nversion = \"0.1.0\"\n";
        assert_eq!(
            lock_file(lock, &DROPPED_2024, &[]).expect("edits"),
            "version = 4\n\n[[package]]\nname = \"common\"\nversion = \"0.1.0\"\n"
        );
        assert!(lock_file("version = 4\n", &DROPPED_2024, &[]).is_err());
        let lock =
            "version = 4\n\n[[package]]\nname = \"a\"\ndependencies = [\n \"b\",\n \"c\",\n]\n";
        assert_eq!(
            lock_file(lock, &[], &[("a", "b".to_string())]).expect("edits"),
            "version = 4\n\n[[package]]\nname = \"a\"\ndependencies = [\n \"c\",\n]\n"
        );
        assert!(lock_file(lock, &[], &[("a", "d".to_string())]).is_err());
    }

    #[test]
    fn templates_name_the_labs_that_are_yours() {
        assert_eq!(
            render("{{FROM}}: {{YOURS}} on {{GIVEN}}", Edition::Y2024, 4),
            "4: `lab4-kvraft`, `lab5-shardkv` on `lab1-mapreduce`, `lab2-kvsrv`, `lab3-raft`\n"
        );
        assert_eq!(render("{{GIVEN}}", Edition::Y2024, 1), "none\n");
        assert_eq!(
            render("{{YOURS}}", Edition::Y2026, 4),
            "`lab4-kvraft/y2026`, `lab5-shardkv/y2026`\n"
        );
        let t = "a\n{{#2024}}\nb\n{{/2024}}\n{{#2026}}\nc {{EDITION}}\n{{/2026}}\nd\n";
        assert_eq!(render(t, Edition::Y2024, 1), "a\nb\nd\n");
        assert_eq!(render(t, Edition::Y2026, 1), "a\nc 2026\nd\n");
    }

    #[test]
    fn a_lab_loses_the_dependencies_its_manifest_unlinks() {
        let toml = "[dependencies]\ncommon.workspace = true\nlab4-kvraft = { path = \"..\" }\nserde.workspace = true\n";
        assert_eq!(
            unlink_manifest(toml, &["lab4-kvraft".to_string()], "C").expect("edits"),
            "[dependencies]\ncommon.workspace = true\nserde.workspace = true\n"
        );
        let e = unlink_manifest(toml, &["x".to_string()], "C").expect_err("no x");
        assert!(e.contains("C: found 0 of the 1"), "{e}");
    }
}
