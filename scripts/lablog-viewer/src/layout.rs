//! Laying events out: virtual time on the left, then one column per server, grouped in
//! blocks by replica group; the tester's actions and lines from no server span the whole
//! width; raw lines are printed as they are.
//!
//! When the columns would be narrower than [`MIN_COLUMN`] characters (many servers, or an
//! 80-column terminal), the view switches to lanes: one character per server marks whose
//! line it is, and the text takes the rest of the width.

use crate::filter::Filter;
use crate::parse::{Event, Level, Line};
use std::collections::BTreeSet;

/// The narrowest column worth showing; below it the view uses lanes.
pub const MIN_COLUMN: usize = 16;

/// Width of the time column, separator included.
const TIME: usize = 11;

/// How to draw.
#[derive(Debug, Clone)]
pub struct Options {
    /// Total width in characters.
    pub width: usize,
    /// Whether to colour by topic (ANSI).
    pub color: bool,
    /// What to show.
    pub filter: Filter,
}

/// A server's column: its group (if any) and index.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Column {
    /// Sort key of the group: numeric groups in order, then named ones, ungrouped first.
    group_key: (u8, u64, String),
    group: Option<String>,
    peer: u64,
}

impl Column {
    fn new(group: Option<&str>, peer: u64) -> Column {
        let group_key = match group {
            None => (0, 0, String::new()),
            Some(g) => match g.parse::<u64>() {
                Ok(n) => (1, n, String::new()),
                Err(_) => (2, 0, g.to_string()),
            },
        };
        Column {
            group_key,
            group: group.map(str::to_string),
            peer,
        }
    }

    fn label(&self) -> String {
        match &self.group {
            Some(g) => format!("{g}:{}", self.peer),
            None => format!("S{}", self.peer),
        }
    }
}

/// The narrowest layout: the time column and a little text.
pub const MIN_WIDTH: usize = TIME + 20;
/// The widest layout: every line is padded to the width, so a width of 10^11 was 100 GB
/// of spaces a line; wider than any screen is pointless.
pub const MAX_WIDTH: usize = 10_000;

/// Renders `lines` as the viewer prints them (the width clamped to [`MIN_WIDTH`] ..=
/// [`MAX_WIDTH`]).
pub fn render(lines: &[Line], opts: &Options) -> String {
    let columns: Vec<Column> = lines
        .iter()
        .filter_map(|l| match l {
            Line::Event(e) => e.peer.map(|p| Column::new(e.group.as_deref(), p)),
            Line::Raw(_) => None,
        })
        .filter(|c| opts.filter.shows_column(c.group.as_deref(), c.peer))
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let width = opts.width.clamp(MIN_WIDTH, MAX_WIDTH);
    let n = columns.len().max(1);
    let column_width = (width - TIME) / n;
    let view = View {
        lanes: column_width < MIN_COLUMN + 1,
        column_width: column_width.saturating_sub(1),
        width,
        opts,
        columns: &columns,
    };
    let mut out = String::new();
    view.header(&mut out);
    for line in lines {
        match line {
            Line::Raw(raw) => {
                out.push_str(raw);
                out.push('\n');
            }
            Line::Event(e) if opts.filter.shows(e) => view.event(e, &mut out),
            Line::Event(_) => {}
        }
    }
    out
}

struct View<'a> {
    lanes: bool,
    column_width: usize,
    width: usize,
    opts: &'a Options,
    columns: &'a [Column],
}

impl View<'_> {
    /// Whether column `i` starts a new group block.
    fn starts_group(&self, i: usize) -> bool {
        i > 0 && self.columns[i].group != self.columns[i - 1].group
    }

    fn header(&self, out: &mut String) {
        let mut line = format!("{:>10} ", "time");
        if self.lanes {
            for (i, c) in self.columns.iter().enumerate() {
                if self.starts_group(i) {
                    line.push(' ');
                }
                line.push_str(&(c.peer % 10).to_string());
            }
            let groups: Vec<String> = self
                .columns
                .iter()
                .filter_map(|c| c.group.clone())
                .collect::<BTreeSet<_>>()
                .into_iter()
                .collect();
            if !groups.is_empty() {
                line.push_str("  groups: ");
                let mut shown: Vec<&str> = Vec::new();
                for c in self.columns {
                    if let Some(g) = &c.group
                        && !shown.contains(&g.as_str())
                    {
                        shown.push(g);
                    }
                }
                line.push_str(&shown.join(" | "));
            }
        } else {
            for (i, c) in self.columns.iter().enumerate() {
                line.push_str(if self.starts_group(i) { "│" } else { " " });
                line.push_str(&pad(&c.label(), self.column_width));
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }

    fn event(&self, e: &Event, out: &mut String) {
        let time = match e.t {
            Some(t) => format!("{t:>10.6} "),
            None => format!("{:>10} ", "-"),
        };
        // The tester's actions span all columns, naming the server they are about.
        let column = e.peer.filter(|_| !e.is_harness()).and_then(|p| {
            let key = Column::new(e.group.as_deref(), p);
            self.columns.iter().position(|c| *c == key)
        });
        let mut text = e.text();
        if e.is_harness() {
            match (e.peer, &e.group) {
                (Some(peer), group) => {
                    let label = Column::new(group.as_deref(), peer).label();
                    text = format!("{label} {text}");
                }
                (None, Some(group)) => text = format!("group {group}: {text}"),
                (None, None) => {}
            }
        }
        let color = self.color(e);
        match column {
            None => {
                // The tester's actions, and lines of no server: the whole width.
                let marker = if e.is_harness() { "── " } else { "   " };
                let pieces = wrap(&format!("{marker}{text}"), self.width - TIME);
                self.rows(out, &time, &pieces, |piece, _| color.paint(piece));
            }
            Some(i) if self.lanes => {
                let mut lanes = String::new();
                for (j, _) in self.columns.iter().enumerate() {
                    if self.starts_group(j) {
                        lanes.push(' ');
                    }
                    lanes.push(if j == i { '●' } else { '·' });
                }
                let label = self.columns[i].label();
                let lane_width = lanes.chars().count() + 2;
                let body = format!("{label} {text}");
                let pieces = wrap(&body, self.width.saturating_sub(TIME + lane_width).max(10));
                let blank = " ".repeat(lane_width - 2);
                self.rows(out, &time, &pieces, |piece, row| {
                    let lead = if row == 0 {
                        lanes.clone()
                    } else {
                        blank.clone()
                    };
                    format!("{lead}  {}", color.paint(piece))
                });
            }
            Some(i) => {
                let pieces = wrap(&text, self.column_width);
                self.rows(out, &time, &pieces, |piece, _| {
                    let mut row = String::new();
                    for j in 0..self.columns.len() {
                        row.push(if self.starts_group(j) { '│' } else { ' ' });
                        if j == i {
                            row.push_str(&color.paint(&pad(piece, self.column_width)));
                        } else {
                            row.push_str(&" ".repeat(self.column_width));
                        }
                    }
                    row
                });
            }
        }
    }

    /// Appends one row per piece: the time on the first, then what `draw` makes of it.
    fn rows(
        &self,
        out: &mut String,
        time: &str,
        pieces: &[String],
        draw: impl Fn(&str, usize) -> String,
    ) {
        for (row, piece) in pieces.iter().enumerate() {
            let lead = if row == 0 {
                time.to_string()
            } else {
                " ".repeat(TIME)
            };
            let line = format!("{lead}{}", draw(piece, row));
            out.push_str(line.trim_end());
            out.push('\n');
        }
    }

    fn color(&self, e: &Event) -> Paint {
        if !self.opts.color {
            return Paint(None);
        }
        let code = if e.level >= Level::Warn {
            "1;31"
        } else if e.is_harness() {
            "1"
        } else {
            topic_color(e.topic())
        };
        Paint(Some(code))
    }
}

/// An ANSI colour, or none.
struct Paint(Option<&'static str>);

impl Paint {
    fn paint(&self, s: &str) -> String {
        match self.0 {
            Some(code) if !s.trim().is_empty() => format!("\x1b[{code}m{s}\x1b[0m"),
            _ => s.to_string(),
        }
    }
}

/// The colour of a topic: fixed for the labs' topics, else picked by the topic's name.
fn topic_color(topic: &str) -> &'static str {
    const PALETTE: [&str; 8] = ["33", "32", "35", "34", "36", "94", "95", "96"];
    match topic {
        "core" => "33",
        "replication" => "32",
        "snapshot" => "35",
        "persist" => "34",
        "node" => "90",
        "rsm" => "36",
        "machine" => "94",
        "migration" => "95",
        "clerk" | "client" => "90",
        "server" => "96",
        other => {
            // FNV-1a: stable across runs and platforms, unlike the std hasher.
            let hash = other.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
                (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
            });
            PALETTE[(hash % PALETTE.len() as u64) as usize]
        }
    }
}

/// `s` padded with spaces to `width` characters.
fn pad(s: &str, width: usize) -> String {
    let n = s.chars().count();
    format!("{s}{}", " ".repeat(width.saturating_sub(n)))
}

/// Splits `text` into pieces of at most `width` characters, at spaces where it can.
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    let width = width.max(1);
    let mut pieces = Vec::new();
    let mut current = String::new();
    // Characters in `current`, counted as they go in: recounting them per word, or
    // splitting a long word by copying its rest, made a long field quadratic.
    let mut used = 0;
    for word in text.split(' ') {
        let len = word.chars().count();
        let sep = usize::from(used > 0);
        if used + sep + len <= width {
            if sep == 1 {
                current.push(' ');
            }
            current.push_str(word);
            used += sep + len;
            continue;
        }
        if used > 0 {
            pieces.push(std::mem::take(&mut current));
        }
        // A word longer than a whole piece: cut it; what is left stays open.
        let mut chars = word.chars();
        let mut left = len;
        while left > width {
            pieces.push(chars.by_ref().take(width).collect());
            left -= width;
        }
        current = chars.collect();
        used = left;
    }
    if !current.is_empty() || pieces.is_empty() {
        pieces.push(current);
    }
    pieces
}

#[cfg(test)]
mod tests {
    use super::wrap;

    #[test]
    fn wraps_at_spaces_and_cuts_long_words() {
        assert_eq!(wrap("ab cd ef", 5), ["ab cd", "ef"]);
        assert_eq!(wrap("abcdefgh", 3), ["abc", "def", "gh"]);
        assert_eq!(wrap("", 4), [""]);
        assert_eq!(wrap("a  b", 10), ["a  b"]);
        assert_eq!(wrap("ab cdefgh i", 3), ["ab", "cde", "fgh", "i"]);
        assert_eq!(wrap("abc  d", 3), ["abc", "d"]);
        assert_eq!(wrap("éé é", 2), ["éé", "é"]);
    }

    /// Issue 25: a field of 3.2 million characters took 25 s to wrap.
    #[test]
    fn a_long_field_wraps_whole() {
        let field: String = "x".repeat(3_200_000) + " y";
        let pieces = wrap(&field, 80);
        assert_eq!(pieces.len(), 40_001);
        assert!(pieces[..40_000].iter().all(|p| p.len() == 80));
        assert_eq!(pieces[40_000], " y".trim_start());
    }
}
