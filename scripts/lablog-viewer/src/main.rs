//! The `lablog` command (see `scripts/lablog --help`).

use lablog::filter::{Filter, parse_range};
use lablog::parse::{Level, parse};
use lablog::{Options, render};
use std::io::{IsTerminal, Read, Write};
use std::process::ExitCode;

const USAGE: &str = "\
usage: scripts/lablog [FILE|-] [--width N] [--color auto|always|never]
                      [--peer LIST] [--topic LIST] [--level LEVEL]
                      [--term T|A..B] [--index N] [--from SECONDS] [--to SECONDS]

Lays out a JSON log (a test run with LAB_LOG_JSON=1, or a failing run saved by
scripts/stress_test.sh) with virtual time on the left and one column per server.
Reads FILE, or standard input if FILE is - or missing.

  --width N        total width (default: the terminal's, else $COLUMNS, else 80)
  --color WHEN     colour by topic: auto (when writing to a terminal), always, never
  --peer LIST      servers to show: 0,2 or 101:0,101:1 (group:peer)
  --topic LIST     topics or target prefixes: replication,snapshot or lab4_kvraft
  --level LEVEL    lowest level shown: trace, debug, info, warn, error
  --term T|A..B    hide events of other terms (events with no term stay)
  --index N        only events about log index N (fields index or *_index)
  --from S, --to S only events in this window of virtual time
The tester's actions (crashes, partitions, network changes) pass every filter but
--level, --from and --to.";

fn main() -> ExitCode {
    match run(std::env::args().skip(1).collect()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("lablog: {e}\n\n{USAGE}");
            ExitCode::from(2)
        }
    }
}

fn run(args: Vec<String>) -> Result<(), String> {
    let mut file = None;
    let mut width = None;
    let mut color = None;
    let mut filter = Filter::default();
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        let mut value = |name: &str| args.next().ok_or(format!("{name} needs a value"));
        match arg.as_str() {
            "-h" | "--help" => {
                println!("{USAGE}");
                return Ok(());
            }
            "--width" => {
                let w = value("--width")?;
                width = Some(w.parse().map_err(|_| format!("bad width {w:?}"))?);
            }
            "--color" => {
                color = Some(match value("--color")?.as_str() {
                    "always" => true,
                    "never" => false,
                    "auto" => std::io::stdout().is_terminal(),
                    other => return Err(format!("bad --color {other:?}")),
                });
            }
            "--peer" => filter.peers = list(&value("--peer")?),
            "--topic" => filter.topics = list(&value("--topic")?),
            "--level" => {
                let l = value("--level")?;
                filter.level = Some(Level::parse(&l).ok_or(format!("bad level {l:?}"))?);
            }
            "--term" => {
                let t = value("--term")?;
                filter.terms = Some(parse_range(&t).ok_or(format!("bad term range {t:?}"))?);
            }
            "--index" => {
                let i = value("--index")?;
                filter.index = Some(i.parse().map_err(|_| format!("bad index {i:?}"))?);
            }
            "--from" => filter.from = Some(seconds(&value("--from")?)?),
            "--to" => filter.to = Some(seconds(&value("--to")?)?),
            flag if flag.starts_with("--") => return Err(format!("unknown option {flag}")),
            path if file.is_none() => file = Some(path.to_string()),
            extra => return Err(format!("unexpected argument {extra:?}")),
        }
    }
    let mut bytes = Vec::new();
    match file.as_deref() {
        None | Some("-") => std::io::stdin().read_to_end(&mut bytes),
        Some(path) => std::fs::File::open(path)
            .and_then(|mut f| f.read_to_end(&mut bytes))
            .map_err(|e| std::io::Error::new(e.kind(), format!("{path}: {e}"))),
    }
    .map_err(|e| format!("cannot read {e}"))?;
    let width = width
        .or_else(|| std::env::var("COLUMNS").ok()?.parse().ok())
        .unwrap_or(80);
    let opts = Options {
        width,
        color: color.unwrap_or_else(|| std::io::stdout().is_terminal()),
        filter,
    };
    // A log cut off mid-line (a killed run) is read as far as it goes.
    let text = String::from_utf8_lossy(&bytes);
    let out = render(&parse(&text), &opts);
    // A closed pipe (`| head`) is not an error worth reporting.
    let _ = std::io::stdout().write_all(out.as_bytes());
    Ok(())
}

fn list(s: &str) -> Vec<String> {
    s.split(',')
        .map(str::trim)
        .filter(|x| !x.is_empty())
        .map(str::to_string)
        .collect()
}

fn seconds(s: &str) -> Result<f64, String> {
    s.parse()
        .map_err(|_| format!("bad time {s:?} (seconds, as 1.5)"))
}
