//! The command that replays a failed run: `LAB_SEED=<seed> cargo test -p <package>
//! <target> -- --exact <test> --nocapture`, runnable as printed.
//!
//! Cargo tells a test binary its package (`CARGO_PKG_NAME`) only when cargo runs it. The
//! stress runner and a debugger run the binary directly, so then the package is found
//! from the binary's name (`<target>-<hash>`): the workspace member that has a test,
//! example or library target of that name.

use std::path::{Path, PathBuf};

/// The command that replays this test binary's current test with `seed`.
pub fn replay_command(seed: u64) -> String {
    let exe = std::env::current_exe().ok();
    let target = exe.as_deref().map(target_of).unwrap_or_default();
    let package = std::env::var("CARGO_PKG_NAME")
        .ok()
        .filter(|p| !p.is_empty())
        .or_else(|| package_of(&target, exe.as_deref()))
        .unwrap_or_else(|| "<package>".to_string());
    let target_flag = if target.is_empty() || target == package.replace('-', "_") {
        "--lib".to_string()
    } else {
        format!("--test {target}")
    };
    let test = super::test_name().unwrap_or_else(|| "<test name>".to_string());
    format!("LAB_SEED={seed} cargo test -p {package} {target_flag} -- --exact {test} --nocapture")
}

/// The target a test binary was built from: cargo names them `<target>-<hash>`.
fn target_of(exe: &Path) -> String {
    let stem = exe.file_stem().and_then(|s| s.to_str()).unwrap_or("");
    stem.rsplit_once('-').map_or(stem, |(t, _)| t).to_string()
}

/// The workspace package that owns `target`, looked up in the workspace this crate was
/// built in, else in the one above the binary (`<root>/target/<profile>/deps/<exe>`).
fn package_of(target: &str, exe: Option<&Path>) -> Option<String> {
    let built_in = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf);
    let above_exe = exe
        .and_then(|e| e.ancestors().nth(4))
        .map(Path::to_path_buf);
    [built_in, above_exe]
        .into_iter()
        .flatten()
        .find_map(|root| find_package(&root, target))
}

/// Searches `root` and two levels below it (the layout of this workspace: `lab3-raft`,
/// `scripts/stress`) for a package with a target called `target`.
fn find_package(root: &Path, target: &str) -> Option<String> {
    let mut dirs = vec![root.to_path_buf()];
    for _ in 0..2 {
        let below: Vec<PathBuf> = dirs.iter().flat_map(|d| subdirs(d)).collect();
        dirs.extend(below);
    }
    dirs.sort();
    dirs.dedup();
    dirs.iter().find_map(|dir| {
        let name = package_name(&dir.join("Cargo.toml"))?;
        let owns = name.replace('-', "_") == target
            || dir.join("tests").join(format!("{target}.rs")).is_file()
            || dir.join("examples").join(format!("{target}.rs")).is_file()
            || dir.join("src/bin").join(format!("{target}.rs")).is_file();
        owns.then_some(name)
    })
}

fn subdirs(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .filter(|p| {
            let name = p.file_name().and_then(|n| n.to_str()).unwrap_or(".");
            !name.starts_with('.') && name != "target" && name != "src"
        })
        .collect()
}

/// The `name` of a manifest's `[package]` section.
fn package_name(manifest: &Path) -> Option<String> {
    let text = std::fs::read_to_string(manifest).ok()?;
    let mut in_package = false;
    for line in text.lines().map(str::trim) {
        if line.starts_with('[') {
            in_package = line == "[package]";
        } else if in_package && let Some(value) = line.strip_prefix("name") {
            let value = value.trim_start().strip_prefix('=')?.trim();
            return Some(value.trim_matches('"').to_string());
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn workspace() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .parent()
            .unwrap()
            .to_path_buf()
    }

    #[test]
    fn a_binary_name_leads_to_its_package() {
        let root = workspace();
        assert_eq!(find_package(&root, "common").as_deref(), Some("common"));
        assert_eq!(find_package(&root, "raft_3b").as_deref(), Some("lab3-raft"));
        assert_eq!(
            find_package(&root, "lab3_raft").as_deref(),
            Some("lab3-raft")
        );
        assert_eq!(find_package(&root, "no_such_target"), None);
        assert_eq!(
            target_of(Path::new("/w/target/debug/deps/raft_3b-0123abcd")),
            "raft_3b"
        );
    }

    #[test]
    fn the_package_is_named_without_cargo_too() {
        // As when the stress runner or a debugger runs the binary: no CARGO_PKG_NAME.
        let exe = std::env::current_exe().unwrap();
        assert_eq!(
            package_of(&target_of(&exe), Some(&exe)).as_deref(),
            Some("common")
        );
    }
}
