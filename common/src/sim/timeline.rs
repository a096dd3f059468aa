//! The timeline of a world, for the picture a failed test leaves (the 2026 course's
//! annotations and its "wrote visualization" page, for both editions' tests).
//!
//! The harness notes what it does ([`note`]: a test begins, a server is crashed or
//! restarted, a partition, the network's reliability) and every recorded client operation
//! ([`op`]: who, from its call to its return, described only if the page is drawn). A
//! world keeps the last [`KEPT`] entries. When a world fails, [`super::Builder::run`]
//! draws them, with the failure, as one HTML page and prints its path:
//! `info: wrote visualization to <file>`. `VIS_ENABLE=never` turns the page off,
//! `VIS_ENABLE=always` draws it for passing tests too, and `VIS_FILE` fixes its path.

use super::world::{self, lock};
use std::collections::{BTreeMap, VecDeque};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// How many entries a world keeps: the latest, which a failure needs most.
pub const KEPT: usize = 50_000;

/// Longest description shown for one operation.
const SHOWN: usize = 160;

/// What an entry is about, and the row it is drawn in.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Lane {
    /// The test's own steps (a test begins, a check, a picture written).
    Test,
    /// Faults: crashes, restarts, partitions, an unreliable network.
    Faults,
    /// Client `n`'s operations (`u64::MAX`: the test's own checking clerk).
    Client(u64),
}

impl Lane {
    fn name(&self) -> String {
        match self {
            Lane::Test => "test".into(),
            Lane::Faults => "faults".into(),
            Lane::Client(u64::MAX) => "checker".into(),
            Lane::Client(n) => format!("client {n}"),
        }
    }
}

type Describe = Box<dyn Fn(&mut String) + Send>;

/// One entry: a point in time, or an interval.
struct Entry {
    lane: Lane,
    at: Duration,
    until: Option<Duration>,
    text: Text,
}

enum Text {
    Now(String),
    Later(Describe),
}

/// A world's entries.
#[derive(Default)]
pub(crate) struct Timeline {
    entries: VecDeque<Entry>,
    dropped: u64,
}

impl Timeline {
    fn push(&mut self, entry: Entry) {
        if self.entries.len() == KEPT {
            self.entries.pop_front();
            self.dropped += 1;
        }
        self.entries.push_back(entry);
    }
}

/// Notes something the harness did, now, in `lane` (nothing outside a world).
pub fn note(lane: Lane, text: impl Into<String>) {
    if let Some(world) = world::try_current() {
        let at = world.start.get().map_or(Duration::ZERO, |start| {
            tokio::time::Instant::now().saturating_duration_since(*start)
        });
        lock(&world.timeline).push(Entry {
            lane,
            at,
            until: None,
            text: Text::Now(text.into()),
        });
    }
}

/// Notes client `client`'s operation from virtual nanosecond `call` to `ret`; `describe`
/// writes what it was, only if the page is drawn.
pub fn op(client: u64, call: u64, ret: u64, describe: impl Fn(&mut String) + Send + 'static) {
    if let Some(world) = world::try_current() {
        lock(&world.timeline).push(Entry {
            lane: Lane::Client(client),
            at: Duration::from_nanos(call),
            until: Some(Duration::from_nanos(ret)),
            text: Text::Later(Box::new(describe)),
        });
    }
}

/// A `fmt::Write` that keeps the first [`SHOWN`] bytes and refuses the rest, so that a
/// huge value is never formatted whole.
struct Capped<'a>(&'a mut String);

impl std::fmt::Write for Capped<'_> {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        let room = SHOWN.saturating_sub(self.0.len());
        if s.len() <= room {
            self.0.push_str(s);
            return Ok(());
        }
        let mut cut = room;
        while !s.is_char_boundary(cut) {
            cut -= 1;
        }
        self.0.push_str(&s[..cut]);
        self.0.push('…');
        Err(std::fmt::Error)
    }
}

/// Writes `value`'s `Debug` form, shortened, for [`op`]'s descriptions.
pub fn debug_capped(out: &mut String, value: &dyn std::fmt::Debug) {
    let _ = write!(Capped(out), "{value:?}");
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The page: the failure, then one row per lane with each entry placed at its time, then
/// every entry in a table.
fn render(timeline: &Timeline, title: &str, failure: Option<&str>, end: Duration) -> String {
    let span = end.as_secs_f64().max(1e-9);
    let pct = |d: Duration| 100.0 * d.as_secs_f64() / span;
    let mut lanes: BTreeMap<Lane, Vec<(usize, &Entry)>> = BTreeMap::new();
    for (i, e) in timeline.entries.iter().enumerate() {
        lanes.entry(e.lane.clone()).or_default().push((i, e));
    }
    let texts: Vec<String> = timeline
        .entries
        .iter()
        .map(|e| match &e.text {
            Text::Now(s) => s.clone(),
            Text::Later(f) => {
                let mut s = String::new();
                f(&mut s);
                s
            }
        })
        .collect();
    let mut page = String::new();
    let _ = write!(
        page,
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>{}</title><style>\
         body{{font:13px sans-serif;margin:1em}} .lane{{position:relative;height:18px;\
         border-bottom:1px solid #ddd;margin-left:9em}} .name{{position:absolute;left:-9em;\
         width:8.5em;text-align:right;color:#555}} .pt{{position:absolute;top:2px;width:3px;\
         height:14px;background:#c33}} .iv{{position:absolute;top:3px;height:12px;\
         min-width:2px;background:#48c;opacity:.7}} .fail{{background:#fee;border:1px solid \
         #c33;padding:.5em;white-space:pre-wrap}} td{{padding:0 .6em;vertical-align:top}}\
         </style></head><body><h2>{}</h2>",
        escape(title),
        escape(title)
    );
    match failure {
        Some(f) => {
            let _ = write!(page, "<div class=\"fail\">{}</div>", escape(f));
        }
        None => page.push_str("<p>passed</p>"),
    }
    if timeline.dropped > 0 {
        let _ = write!(
            page,
            "<p>the first {} entries were dropped; the last {KEPT} are shown</p>",
            timeline.dropped
        );
    }
    let _ = write!(
        page,
        "<p>virtual time 0 to {:.3} s; hover for details</p>",
        end.as_secs_f64()
    );
    for (lane, entries) in &lanes {
        let _ = write!(
            page,
            "<div class=\"lane\"><span class=\"name\">{}</span>",
            escape(&lane.name())
        );
        for (i, e) in entries {
            let tip = format!("{:.6} s: {}", e.at.as_secs_f64(), texts[*i]);
            match e.until {
                None => {
                    let _ = write!(
                        page,
                        "<span class=\"pt\" style=\"left:{:.4}%\" title=\"{}\"></span>",
                        pct(e.at),
                        escape(&tip)
                    );
                }
                Some(until) => {
                    let _ = write!(
                        page,
                        "<span class=\"iv\" style=\"left:{:.4}%;width:{:.4}%\" title=\"{}\"></span>",
                        pct(e.at),
                        pct(until.saturating_sub(e.at)),
                        escape(&tip)
                    );
                }
            }
        }
        page.push_str("</div>");
    }
    page.push_str("<h3>every entry</h3><table><tr><th>time (s)</th><th>until</th><th>lane</th><th>what</th></tr>");
    let mut order: Vec<usize> = (0..timeline.entries.len()).collect();
    order.sort_by_key(|&i| timeline.entries[i].at);
    for i in order {
        let e = &timeline.entries[i];
        let until = e
            .until
            .map_or(String::new(), |u| format!("{:.6}", u.as_secs_f64()));
        let _ = write!(
            page,
            "<tr><td>{:.6}</td><td>{until}</td><td>{}</td><td>{}</td></tr>",
            e.at.as_secs_f64(),
            escape(&e.lane.name()),
            escape(&texts[i])
        );
    }
    page.push_str("</table></body></html>\n");
    page
}

/// Where a page goes: `VIS_FILE`, else the temp directory's `lab-timelines`.
fn page_path(test: &str, seed: u64) -> Option<PathBuf> {
    if let Some(file) = std::env::var_os("VIS_FILE").filter(|f| !f.is_empty()) {
        return Some(PathBuf::from(file));
    }
    let dir = std::env::temp_dir().join("lab-timelines");
    std::fs::create_dir_all(&dir).ok()?;
    let name: String = test
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    Some(dir.join(format!("{name}-seed{seed}-{}.html", std::process::id())))
}

/// What `VIS_ENABLE` asks for: draw a page when the test failed (`failed`)?
pub(crate) fn wanted(failed: bool) -> bool {
    match std::env::var("VIS_ENABLE").as_deref() {
        Ok("never") => false,
        Ok("always") => true,
        _ => failed,
    }
}

/// Draws the world's timeline and writes it; returns the path, or why not.
pub(crate) fn write(
    timeline: &Timeline,
    test: &str,
    seed: u64,
    failure: Option<&str>,
    end: Duration,
) -> Result<PathBuf, String> {
    let title = format!("{test} (seed {seed})");
    let page = render(timeline, &title, failure, end);
    let path = page_path(test, seed).ok_or("no directory for the page")?;
    std::fs::write(&path, page).map_err(|e| format!("{} ({e})", path.display()))?;
    Ok(path)
}

/// The page's path as printed.
pub(crate) fn announce(result: Result<PathBuf, String>) {
    match result {
        Ok(path) => println!("info: wrote visualization to {}", display(&path)),
        Err(e) => println!("info: failed to open visualization file {e}"),
    }
}

fn display(path: &Path) -> String {
    path.display().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_shows_the_failure_the_faults_and_the_operations() {
        let mut t = Timeline::default();
        t.push(Entry {
            lane: Lane::Faults,
            at: Duration::from_millis(500),
            until: None,
            text: Text::Now("group 0 partition [0, 1] | [2]".into()),
        });
        let huge = "x".repeat(10_000);
        t.push(Entry {
            lane: Lane::Client(3),
            at: Duration::from_millis(600),
            until: Some(Duration::from_millis(900)),
            text: Text::Later(Box::new(move |out| debug_capped(out, &("put", &huge)))),
        });
        let page = render(
            &t,
            "test_x (seed 1)",
            Some("panic: <boom>"),
            Duration::from_secs(1),
        );
        assert!(page.contains("panic: &lt;boom&gt;"), "the failure, escaped");
        assert!(page.contains("group 0 partition [0, 1] | [2]"));
        assert!(page.contains("client 3") && page.contains("left:60.0000%;width:30.0000%"));
        assert!(
            page.len() < 5_000,
            "a huge value is cut: {} bytes",
            page.len()
        );
    }

    #[test]
    fn a_world_keeps_only_its_latest_entries() {
        let mut t = Timeline::default();
        for i in 0..KEPT + 10 {
            t.push(Entry {
                lane: Lane::Test,
                at: Duration::from_nanos(i as u64),
                until: None,
                text: Text::Now(String::new()),
            });
        }
        assert_eq!((t.entries.len(), t.dropped), (KEPT, 10));
        assert_eq!(
            t.entries.front().map(|e| e.at),
            Some(Duration::from_nanos(10))
        );
    }
}
