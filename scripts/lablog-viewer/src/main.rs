//! The `lablog` command (see `scripts/lablog --help`).

use clap::{Parser, ValueEnum};
use lablog::filter::{Filter, parse_range};
use lablog::layout::{MAX_WIDTH, MIN_WIDTH};
use lablog::parse::{Level, parse};
use lablog::{Options, render};
use std::io::{IsTerminal, Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

/// Lays out a JSON log (a test run with LAB_LOG_JSON=1, or a failing run saved by
/// scripts/stress_test.sh) with virtual time on the left and one column per server.
///
/// The tester's actions (crashes, partitions, network changes) pass every filter but
/// --level, --from and --to.
#[derive(Parser)]
#[command(
    args_override_self = true,
    name = "lablog",
    bin_name = "scripts/lablog",
    version
)]
struct Args {
    /// The log; standard input if - or missing
    #[arg(value_name = "FILE")]
    file: Option<PathBuf>,
    /// Total width [default: the terminal's, else $COLUMNS, else 80]
    #[arg(long, value_name = "N", value_parser = width)]
    width: Option<usize>,
    /// Colour by topic: auto (when writing to a terminal), always, never
    #[arg(long, value_name = "WHEN", default_value = "auto")]
    color: Color,
    /// Servers to show: 0,2 or 101:0,101:1 (group:peer)
    #[arg(long, value_name = "LIST")]
    peer: Option<String>,
    /// Topics or target prefixes: replication,snapshot or lab4_kvraft
    #[arg(long, value_name = "LIST")]
    topic: Option<String>,
    /// Lowest level shown: trace, debug, info, warn, error
    #[arg(long, value_name = "LEVEL", value_parser = level)]
    level: Option<Level>,
    /// Hide events of other terms (events with no term stay): T or A..B
    #[arg(long, value_name = "T|A..B", value_parser = term_range)]
    term: Option<(u64, u64)>,
    /// Only events about log index N (fields index or *_index)
    #[arg(long, value_name = "N")]
    index: Option<u64>,
    /// Only events from this virtual time on, in seconds
    #[arg(long, value_name = "SECONDS", value_parser = seconds)]
    from: Option<f64>,
    /// Only events up to this virtual time, in seconds
    #[arg(long, value_name = "SECONDS", value_parser = seconds)]
    to: Option<f64>,
}

#[derive(Clone, Copy, ValueEnum)]
enum Color {
    Auto,
    Always,
    Never,
}

fn width(s: &str) -> Result<usize, String> {
    match s.parse::<usize>() {
        // Narrower than the layout's minimum is laid out at the minimum (a small terminal).
        Ok(w) if (1..=MAX_WIDTH).contains(&w) => Ok(w.max(MIN_WIDTH)),
        _ => Err(format!("wants a width from 1 to {MAX_WIDTH} characters")),
    }
}

fn level(s: &str) -> Result<Level, String> {
    Level::parse(s).ok_or_else(|| "wants trace, debug, info, warn or error".to_string())
}

fn term_range(s: &str) -> Result<(u64, u64), String> {
    parse_range(s).ok_or_else(|| "wants a term (3) or a range of terms (3..5)".to_string())
}

fn seconds(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(t) if t.is_finite() => Ok(t),
        _ => Err("wants a number of seconds, as 1.5".to_string()),
    }
}

fn main() -> ExitCode {
    let args = Args::parse();
    match run(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("lablog: {e}");
            ExitCode::from(1)
        }
    }
}

fn run(args: Args) -> Result<(), String> {
    let filter = Filter {
        peers: args.peer.as_deref().map(list).unwrap_or_default(),
        topics: args.topic.as_deref().map(list).unwrap_or_default(),
        level: args.level,
        terms: args.term,
        index: args.index,
        from: args.from,
        to: args.to,
    };
    let mut bytes = Vec::new();
    match args.file.as_deref() {
        Some(path) if path.as_os_str() != "-" => std::fs::File::open(path)
            .and_then(|mut f| f.read_to_end(&mut bytes))
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?,
        _ => std::io::stdin()
            .read_to_end(&mut bytes)
            .map_err(|e| format!("cannot read standard input: {e}"))?,
    };
    let width = args
        .width
        .or_else(|| width(&std::env::var("COLUMNS").ok()?).ok())
        .unwrap_or(80);
    let color = match args.color {
        Color::Always => true,
        Color::Never => false,
        Color::Auto => std::io::stdout().is_terminal(),
    };
    let opts = Options {
        width,
        color,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn width_is_range_checked() {
        assert_eq!(width("80"), Ok(80));
        assert_eq!(width("5"), Ok(MIN_WIDTH));
        // 10^11 aborted allocating the padding of one line.
        for bad in ["100000000000", "1e11", "0", "-3", "x"] {
            assert!(width(bad).is_err(), "{bad}");
        }
        let parsed = Args::try_parse_from(["lablog", "--width", "100000000000"]);
        assert_eq!(parsed.err().map(|e| e.exit_code()), Some(2));
    }

    #[test]
    fn bad_values_and_unknown_options_are_usage_errors() {
        for args in [
            &["lablog", "--bogus"][..],
            &["lablog", "--color", "sometimes"],
            &["lablog", "--level", "loud"],
            &["lablog", "--term", "3..x"],
            &["lablog", "--from", "NaN"],
            &["lablog", "a.log", "b.log"],
        ] {
            let parsed = Args::try_parse_from(args);
            assert_eq!(parsed.err().map(|e| e.exit_code()), Some(2), "{args:?}");
        }
    }
}
