//! Reads what one run printed: whether it passed, its course line, and why it failed.

/// The figures of a course line (`... Passed --  <secs> <peers> <rpcs> ...`).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct CourseLine {
    /// The test's virtual time, in seconds.
    pub virtual_secs: f64,
    /// The RPCs it sent, where the line gives them.
    pub rpcs: Option<u64>,
    /// Bytes on the network: only Raft's line (`<secs> <peers> <rpcs> <bytes> <cmds>`)
    /// has them; the KV lines end with the number of operations there.
    pub bytes: Option<u64>,
}

/// Parses the first course line in `output`. Four layouts exist: the 2024 course's Raft
/// and KV on Raft (`<secs>  <peers> <rpcs> ...`) and single-server KV (`t <secs> nrpc
/// <rpcs> ...`), and the 2026 course's one for every lab (`time <secs>s #peers <n>
/// #RPCs <rpcs> #Ops <ops>`).
pub fn course_line(output: &str) -> Option<CourseLine> {
    let line = output.lines().find(|l| l.contains("... Passed --"))?;
    let fields: Vec<&str> = line.split("Passed --").nth(1)?.split_whitespace().collect();
    if fields.first() == Some(&"time") {
        Some(CourseLine {
            virtual_secs: fields.get(1)?.strip_suffix('s')?.parse().ok()?,
            rpcs: fields.get(5).and_then(|s| s.parse().ok()),
            bytes: None,
        })
    } else if fields.first() == Some(&"t") {
        Some(CourseLine {
            virtual_secs: fields.get(1)?.parse().ok()?,
            rpcs: fields.get(3).and_then(|s| s.parse().ok()),
            bytes: None,
        })
    } else {
        Some(CourseLine {
            virtual_secs: fields.first()?.parse().ok()?,
            rpcs: fields.get(2).and_then(|s| s.parse().ok()),
            bytes: (fields.len() == 5)
                .then(|| fields.get(3).and_then(|s| s.parse().ok()))
                .flatten(),
        })
    }
}

/// The first panic in `output`: its place and the first line of its message.
pub fn first_panic(output: &str) -> Option<String> {
    let mut lines = output.lines();
    while let Some(line) = lines.next() {
        if let Some(at) = line.split(" panicked at ").nth(1) {
            let place = at.trim_end_matches(':');
            let message = lines.next().unwrap_or("").trim();
            return Some(format!("{place}: {message}"));
        }
    }
    None
}

/// The key failures are grouped by: the message with its numbers blanked, so one bug
/// seen under many seeds (with different indexes, terms, times) is one group.
pub fn group_key(message: &str) -> String {
    let mut key = String::with_capacity(message.len());
    let mut in_number = false;
    for c in message.chars() {
        if c.is_ascii_digit() {
            if !in_number {
                key.push('N');
            }
            in_number = true;
        } else {
            in_number = false;
            key.push(c);
        }
    }
    key
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn course_lines_of_every_layout() {
        let raft = "Test (3B): basic agreement ...\n  ... Passed --   1.2  3   16    4412    3\n";
        assert_eq!(
            course_line(raft),
            Some(CourseLine {
                virtual_secs: 1.2,
                rpcs: Some(16),
                bytes: Some(4412),
            })
        );
        let kv = "  ... Passed --  15.0  5  9876  321";
        assert_eq!(course_line(kv).unwrap().rpcs, Some(9876));
        assert_eq!(course_line(kv).unwrap().bytes, None);
        let srv = "  ... Passed -- t  0.5 nrpc    12 ops    7";
        assert_eq!(
            course_line(srv),
            Some(CourseLine {
                virtual_secs: 0.5,
                rpcs: Some(12),
                bytes: None,
            })
        );
        let y2026 = "  ... Passed --  time  3.5s #peers 3 #RPCs    32 #Ops    0";
        assert_eq!(
            course_line(y2026),
            Some(CourseLine {
                virtual_secs: 3.5,
                rpcs: Some(32),
                bytes: None,
            })
        );
        assert_eq!(course_line("test x ... ok"), None);
    }

    #[test]
    fn first_panic_takes_place_and_message() {
        let out = "running 1 test\n\nthread 'x' (12) panicked at src/a.rs:10:5:\n\
                   commit index went backwards: 7 -> 5\nnote: ...\n\
                   thread 'x' panicked at src/sim.rs:1:1:\nsimulated world failed";
        assert_eq!(
            first_panic(out).unwrap(),
            "src/a.rs:10:5: commit index went backwards: 7 -> 5"
        );
    }

    #[test]
    fn groups_ignore_numbers() {
        assert_eq!(
            group_key("a.rs:10:5: took 1.067ms at term 12"),
            group_key("a.rs:10:5: took 3.2ms at term 9")
        );
        assert_ne!(group_key("a.rs:10: x"), group_key("a.rs:10: y"));
    }
}
