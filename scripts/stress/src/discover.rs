//! Finds the package's test binaries (building them once) and the tests in each.

use serde::Deserialize;
use std::path::PathBuf;
use std::process::{Command, Stdio};

/// One test in one test binary.
#[derive(Debug, Clone)]
pub struct TestCase {
    pub package: String,
    pub exe: PathBuf,
    /// `--lib`, `--test NAME`, `--bin NAME`: how cargo selects the binary.
    pub target_flag: String,
    pub name: String,
}

#[derive(Deserialize)]
struct Message {
    reason: String,
    #[serde(default)]
    executable: Option<PathBuf>,
    #[serde(default)]
    target: Option<Target>,
    #[serde(default)]
    profile: Option<Profile>,
}

#[derive(Deserialize)]
struct Target {
    name: String,
    kind: Vec<String>,
}

#[derive(Deserialize)]
struct Profile {
    test: bool,
}

pub fn tests(package: &str, filters: &[String]) -> Result<Vec<TestCase>, String> {
    eprintln!("building the tests of {package} ...");
    let output = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .args(["test", "-p", package, "--no-run", "--message-format=json"])
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if !output.status.success() {
        return Err(format!("building the tests of {package} failed"));
    }
    let mut binaries = Vec::new();
    for line in String::from_utf8_lossy(&output.stdout).lines() {
        let Ok(msg) = serde_json::from_str::<Message>(line) else {
            continue;
        };
        let (Some(exe), Some(target), Some(profile)) = (msg.executable, msg.target, msg.profile)
        else {
            continue;
        };
        if msg.reason != "compiler-artifact" || !profile.test {
            continue;
        }
        let flag = match target.kind.first().map(String::as_str) {
            Some("lib") | Some("rlib") => "--lib".to_string(),
            Some("test") => format!("--test {}", target.name),
            Some("bin") => format!("--bin {}", target.name),
            Some("example") => format!("--example {}", target.name),
            Some("bench") => format!("--bench {}", target.name),
            _ => continue,
        };
        binaries.push((exe, flag));
    }
    let mut found = Vec::new();
    for (exe, flag) in binaries {
        let ignored = list(&exe, true)?;
        for name in list(&exe, false)? {
            let selected = filters.is_empty() || filters.iter().any(|f| name.contains(f.as_str()));
            if selected && !ignored.contains(&name) {
                found.push(TestCase {
                    package: package.to_string(),
                    exe: exe.clone(),
                    target_flag: flag.clone(),
                    name,
                });
            }
        }
    }
    Ok(found)
}

fn list(exe: &PathBuf, ignored: bool) -> Result<Vec<String>, String> {
    let mut cmd = Command::new(exe);
    cmd.args(["--list", "--format", "terse"]);
    if ignored {
        cmd.arg("--ignored");
    }
    let out = cmd
        .output()
        .map_err(|e| format!("cannot list the tests of {}: {e}", exe.display()))?;
    Ok(String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| l.strip_suffix(": test"))
        .map(str::to_string)
        .collect())
}
