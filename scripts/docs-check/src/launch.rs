//! `.vscode/launch.json` cannot be run here without VS Code, so this runs what CodeLLDB
//! would run before it starts the debugger, with each prompt's default as the answer:
//! the `cargo` command (with `--message-format=json`, as CodeLLDB adds), the artifact
//! filter, which must pick exactly one test executable, and that executable with the
//! configuration's arguments and `--list`, which must find the test.

use serde_json::Value;
use std::collections::BTreeMap;
use std::fs;
use std::path::Path;
use std::process::Command;

/// `${input:id}` replaced by the input's default; `${workspaceFolder}` by the root.
fn substitute(s: &str, inputs: &BTreeMap<String, String>, root: &Path) -> String {
    let mut out = s.replace("${workspaceFolder}", &root.display().to_string());
    for (id, default) in inputs {
        out = out.replace(&format!("${{input:{id}}}"), default);
    }
    out
}

fn strings(v: &Value, inputs: &BTreeMap<String, String>, root: &Path) -> Vec<String> {
    v.as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(|s| substitute(s, inputs, root))
        .collect()
}

/// The test executables among cargo's JSON messages that match the filter.
fn matching_executables(messages: &str, name: &str, kind: &str) -> Vec<String> {
    messages
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter(|m| m["reason"] == "compiler-artifact")
        .filter(|m| m["target"]["name"] == name)
        .filter(|m| {
            m["target"]["kind"]
                .as_array()
                .is_some_and(|k| k.iter().any(|k| k == kind))
        })
        .filter_map(|m| m["executable"].as_str().map(str::to_string))
        .collect()
}

fn check_configuration(
    config: &Value,
    inputs: &BTreeMap<String, String>,
    root: &Path,
) -> Result<String, String> {
    let name = config["name"].as_str().unwrap_or("(unnamed)");
    let cargo = &config["cargo"];
    let mut args = strings(&cargo["args"], inputs, root);
    if args.is_empty() {
        return Err(format!("{name}: no cargo args"));
    }
    args.push("--message-format=json".into());
    let output = Command::new("cargo")
        .args(&args)
        .current_dir(root)
        .output()
        .map_err(|e| format!("{name}: cannot run cargo: {e}"))?;
    if !output.status.success() {
        return Err(format!("{name}: cargo {} failed", args.join(" ")));
    }
    let filter_name = substitute(cargo["filter"]["name"].as_str().unwrap_or(""), inputs, root);
    let filter_kind = cargo["filter"]["kind"].as_str().unwrap_or("");
    let messages = String::from_utf8_lossy(&output.stdout);
    let executables = matching_executables(&messages, &filter_name, filter_kind);
    let [executable] = executables.as_slice() else {
        return Err(format!(
            "{name}: the filter (name {filter_name}, kind {filter_kind}) picks {} executables, not one",
            executables.len()
        ));
    };
    let mut run_args = strings(&config["args"], inputs, root);
    run_args.push("--list".into());
    let mut command = Command::new(executable);
    command.args(&run_args).current_dir(root);
    if let Some(env) = config["env"].as_object() {
        for (k, v) in env {
            command.env(k, substitute(v.as_str().unwrap_or(""), inputs, root));
        }
    }
    let listed = command
        .output()
        .map_err(|e| format!("{name}: cannot run {executable}: {e}"))?;
    let test = run_args
        .iter()
        .skip_while(|a| *a != "--exact")
        .nth(1)
        .cloned()
        .unwrap_or_default();
    let listing = String::from_utf8_lossy(&listed.stdout);
    if listing.lines().any(|l| l == format!("{test}: test")) {
        Ok(format!("{name}: cargo, filter and arguments find {test}"))
    } else {
        Err(format!(
            "{name}: {executable} {} lists no test {test}",
            run_args.join(" ")
        ))
    }
}

/// Checks every configuration of `file` that builds with cargo: one result each, or one
/// error if the file cannot be read.
pub fn check(file: &Path, root: &Path) -> Vec<Result<String, String>> {
    let json: Value = match fs::read_to_string(file)
        .map_err(|e| e.to_string())
        .and_then(|t| serde_json::from_str(&t).map_err(|e| e.to_string()))
    {
        Ok(json) => json,
        Err(e) => return vec![Err(e)],
    };
    let inputs: BTreeMap<String, String> = json["inputs"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|i| {
            Some((
                i["id"].as_str()?.to_string(),
                i["default"].as_str()?.to_string(),
            ))
        })
        .collect();
    json["configurations"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|c| c.get("cargo").is_some())
        .map(|c| check_configuration(c, &inputs, root))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inputs_are_replaced_by_their_defaults() {
        let inputs = BTreeMap::from([("seed".to_string(), "7".to_string())]);
        assert_eq!(
            substitute(
                "${input:seed} in ${workspaceFolder}",
                &inputs,
                Path::new("/w")
            ),
            "7 in /w"
        );
    }

    #[test]
    fn the_filter_picks_test_artifacts_by_name_and_kind() {
        let messages = r#"{"reason":"compiler-artifact","target":{"name":"raft_3b","kind":["test"]},"executable":"/t/raft_3b-1"}
{"reason":"compiler-artifact","target":{"name":"lab3_raft","kind":["lib"]},"executable":"/t/lab3_raft-2"}
{"reason":"build-finished","success":true}"#;
        assert_eq!(
            matching_executables(messages, "raft_3b", "test"),
            ["/t/raft_3b-1"]
        );
        assert!(matching_executables(messages, "raft_3c", "test").is_empty());
    }
}
