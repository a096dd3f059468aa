//! The picture of a history that is not linearizable: one self-contained HTML file.
//!
//! For each partition that is not `Ok`, one time line: a row per client, each operation a
//! bar from its call to its return. Green bars are the longest legal prefix the checker
//! found, numbered in that order; the red bar is the operation that could not be placed
//! after it; orange bars are operations a presolver's reason names; grey bars are the rest. Hovering a bar shows the operation, its times, its
//! place in the prefix and the state after it. The x axis is the order of events, not time
//! to scale, so that operations an instant apart stay apart; times are in the tooltips and
//! on the axis. The text explanation and the prefix as a table come first.

use super::explain::{explain, seconds};
use super::{CheckResult, Method, Model, Operation, PartitionVerdict, Verdict};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;

const COL: usize = 14;
const ROW: usize = 30;
const LEFT: usize = 90;
const TOP: usize = 30;
/// Columns drawn at most; a larger partition is drawn around the failure.
const MAX_COLS: usize = 4000;

/// Escapes text for HTML and SVG.
fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The whole page for `verdict` on `history`; `title` names the test and seed.
pub fn render<M: Model>(
    model: &M,
    history: &[Operation<M::Input, M::Output>],
    verdict: &Verdict,
    title: &str,
) -> String {
    let mut page = String::new();
    let _ = write!(
        page,
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>{t}</title>\n<style>\n\
         body {{ font-family: sans-serif; margin: 1em; }}\n\
         pre {{ background: #f6f6f6; padding: .8em; white-space: pre-wrap; }}\n\
         .scroll {{ overflow-x: auto; border: 1px solid #ccc; margin-bottom: 1em; }}\n\
         rect.op {{ stroke: #555; stroke-width: 1; }}\n\
         rect.op:hover {{ stroke: #000; stroke-width: 2; }}\n\
         rect.prefix {{ fill: #b9e4c0; }}\n\
         rect.stuck {{ fill: #f4a6a6; stroke: #b00000; stroke-width: 3; }}\n\
         rect.rest {{ fill: #e4e4e4; }}\n\
         rect.culprit {{ fill: #ffd08a; stroke: #c06000; stroke-width: 3; }}\n\
         text {{ font-size: 10px; pointer-events: none; }}\n\
         table {{ border-collapse: collapse; font-size: 13px; }}\n\
         td, th {{ border: 1px solid #ccc; padding: 2px 6px; text-align: left; }}\n\
         .legend span {{ display: inline-block; padding: 0 .6em; margin-right: .6em; border: 1px solid #555; }}\n\
         </style></head><body>\n<h1>{t}</h1>\n<p>Verdict: <b>{v}</b> ({n} operations, {k} partitions).</p>\n",
        t = esc(title),
        v = verdict.result,
        n = history.len(),
        k = verdict.partitions.len()
    );
    let text = explain(model, history, verdict);
    if !text.is_empty() {
        let _ = writeln!(page, "<pre>{}</pre>", esc(&text));
    }
    page.push_str(
        "<p class=\"legend\"><span style=\"background:#b9e4c0\">longest legal prefix (#order)</span>\
         <span style=\"background:#f4a6a6\">could not be placed</span>\
         <span style=\"background:#ffd08a\">named in the reason</span>\
         <span style=\"background:#e4e4e4\">not placed</span> \
         Bars run from call to return; the x axis is event order. Hover a bar for details.</p>\n",
    );
    for p in verdict
        .partitions
        .iter()
        .filter(|p| p.result != CheckResult::Ok && p.method != Method::Skipped)
    {
        draw_partition(&mut page, model, history, p);
    }
    let ok: Vec<&str> = verdict
        .partitions
        .iter()
        .filter(|p| p.result == CheckResult::Ok)
        .map(|p| p.name.as_str())
        .collect();
    if !ok.is_empty() {
        let _ = writeln!(
            page,
            "<p>Linearizable partitions ({}): {}</p>",
            ok.len(),
            esc(&ok.join(", "))
        );
    }
    page.push_str(
        "<script>const s = document.getElementById('stuck');\n\
         if (s) s.scrollIntoView({block: 'center', inline: 'center'});</script>\n</body></html>\n",
    );
    page
}

/// States after each operation of the prefix, described.
fn states_after<M: Model>(
    model: &M,
    history: &[Operation<M::Input, M::Output>],
    prefix: &[usize],
) -> Vec<String> {
    let mut state = model.init();
    let mut out = Vec::with_capacity(prefix.len());
    for &i in prefix {
        match model.step(&state, &history[i].input, &history[i].output) {
            Some(next) => state = next,
            None => {
                out.push("(illegal here)".to_string());
                continue;
            }
        }
        out.push(model.describe_state(&state));
    }
    out
}

fn draw_partition<M: Model>(
    page: &mut String,
    model: &M,
    history: &[Operation<M::Input, M::Output>],
    p: &PartitionVerdict,
) {
    let _ = writeln!(
        page,
        "<h2>{}: {}</h2>",
        esc(&p.name),
        match p.result {
            CheckResult::Illegal => "not linearizable",
            CheckResult::Unknown => "undecided",
            CheckResult::Ok => "linearizable",
        }
    );
    let position: BTreeMap<usize, usize> = p
        .linearization
        .iter()
        .enumerate()
        .map(|(k, &i)| (i, k))
        .collect();
    let after = states_after(model, history, &p.linearization);
    // Columns: the distinct event times of this partition, in order.
    let times: BTreeSet<u64> = p
        .ops
        .iter()
        .flat_map(|&i| [history[i].call, history[i].ret])
        .collect();
    let times: Vec<u64> = times.into_iter().collect();
    let col = |t: u64| times.partition_point(|&x| x < t);
    // What the reader should see first: the operation that could not be placed, else the
    // first one the reason names.
    let focus = p.stuck.or_else(|| p.culprits.first().copied());
    let (lo, hi) = window(&times, focus, p, history, col);
    let clients: BTreeSet<u64> = p.ops.iter().map(|&i| history[i].client_id).collect();
    let row: BTreeMap<u64, usize> = clients.iter().enumerate().map(|(r, &c)| (c, r)).collect();
    if lo > 0 || hi < times.len() {
        let _ = writeln!(
            page,
            "<p>Drawn: events {lo} to {hi} of {}, around the operation that could not be \
             placed (set <code>LAB_HISTORY_DIR</code> to keep the whole history as JSON).</p>",
            times.len()
        );
    }
    let width = LEFT + (hi - lo + 2) * COL;
    let height = TOP + clients.len() * ROW + 10;
    let _ = writeln!(
        page,
        "<div class=\"scroll\"><svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\">"
    );
    for (&client, &r) in &row {
        let y = TOP + r * ROW;
        let _ = write!(
            page,
            "<text x=\"4\" y=\"{}\" style=\"font-size:12px\">client {client}</text>\n\
             <line x1=\"{LEFT}\" y1=\"{}\" x2=\"{width}\" y2=\"{}\" stroke=\"#eee\"/>\n",
            y + ROW / 2 + 4,
            y + ROW - 2,
            y + ROW - 2
        );
    }
    let x = |c: usize| LEFT + (c - lo) * COL;
    for c in (lo..hi).step_by(20) {
        let _ = writeln!(
            page,
            "<text x=\"{}\" y=\"12\">{}</text><line x1=\"{}\" y1=\"16\" x2=\"{}\" y2=\"{height}\" stroke=\"#f0f0f0\"/>",
            x(c),
            esc(&seconds(times[c])),
            x(c),
            x(c)
        );
    }
    for &i in &p.ops {
        let op = &history[i];
        let (c0, c1) = (col(op.call), col(op.ret));
        if c1 < lo || c0 >= hi {
            continue;
        }
        let (c0, c1) = (c0.max(lo), c1.min(hi - 1));
        let class = if Some(i) == p.stuck {
            "stuck"
        } else if p.culprits.contains(&i) {
            "culprit"
        } else if position.contains_key(&i) {
            "prefix"
        } else {
            "rest"
        };
        let y = TOP + row[&op.client_id] * ROW + 3;
        let w = (c1 - c0) * COL + COL / 2;
        let desc = model.describe_operation(&op.input, &op.output);
        let mut tip = format!(
            "client {}: {desc}\ncalled {}, returned {}",
            op.client_id,
            seconds(op.call),
            seconds(op.ret)
        );
        let mut label = String::new();
        if let Some(&k) = position.get(&i) {
            let _ = write!(
                tip,
                "\n#{} in the legal prefix; state after: {}",
                k + 1,
                after[k]
            );
            let _ = write!(label, "#{} ", k + 1);
        } else if Some(i) == p.stuck {
            tip.push_str("\ncould not be placed after the prefix");
            if !p.allowed.is_empty() {
                let _ = write!(
                    tip,
                    "; legal there only in state {}",
                    p.allowed.join(" or ")
                );
            }
        }
        label.push_str(&desc);
        let fit = (w / 6).max(1);
        let label: String = if label.chars().count() > fit {
            label
                .chars()
                .take(fit.saturating_sub(1))
                .chain(['…'])
                .collect()
        } else {
            label
        };
        let id = if Some(i) == focus {
            " id=\"stuck\""
        } else {
            ""
        };
        let _ = writeln!(
            page,
            "<g><rect{id} class=\"op {class}\" x=\"{}\" y=\"{y}\" width=\"{w}\" height=\"{}\" rx=\"3\">\
             <title>{}</title></rect><text x=\"{}\" y=\"{}\">{}</text></g>",
            x(c0),
            ROW - 8,
            esc(&tip),
            x(c0) + 3,
            y + ROW / 2 + 1,
            esc(&label)
        );
    }
    page.push_str("</svg></div>\n");
    if !p.linearization.is_empty() {
        let _ = write!(
            page,
            "<details><summary>The longest legal prefix ({} operations)</summary>\n<table>\
             <tr><th>#</th><th>client</th><th>operation</th><th>called</th><th>returned</th><th>state after</th></tr>\n",
            p.linearization.len()
        );
        for (k, &i) in p.linearization.iter().enumerate() {
            let op = &history[i];
            let _ = writeln!(
                page,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                k + 1,
                op.client_id,
                esc(&model.describe_operation(&op.input, &op.output)),
                esc(&seconds(op.call)),
                esc(&seconds(op.ret)),
                esc(&after[k])
            );
        }
        page.push_str("</table></details>\n");
    }
}

/// The columns to draw: all of them, or [`MAX_COLS`] around the stuck operation.
fn window<I, O>(
    times: &[u64],
    focus: Option<usize>,
    p: &PartitionVerdict,
    history: &[Operation<I, O>],
    col: impl Fn(u64) -> usize,
) -> (usize, usize) {
    if times.len() <= MAX_COLS {
        return (0, times.len());
    }
    let center = focus
        .map(|i| col(history[i].call))
        .or_else(|| p.linearization.last().map(|&i| col(history[i].ret)))
        .unwrap_or(0);
    let lo = center.saturating_sub(MAX_COLS / 2);
    let hi = (lo + MAX_COLS).min(times.len());
    (hi.saturating_sub(MAX_COLS), hi)
}
