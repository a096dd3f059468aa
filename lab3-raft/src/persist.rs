//! The durable state of a peer as bytes for its [`common::persister::Persister`]:
//! `current_term`, `voted_for` and the log (with its snapshot point), and back.
//!
//! The format, written by [`Saver::encode`] and read by [`decode`], its mirror image: a
//! `Header` (the term, the vote, the snapshot point and the number of entries), then
//! each entry's own encoding, one after the other, all in `common::codec`. The header is
//! one type that both sides use, so the two cannot drift apart, and nothing about
//! [`Log`]'s fields is part of the format.
//!
//! Reading it back never panics: bytes that do not decode, or that decode to a state no
//! peer could have written (terms going down along the log, a vote for no such peer), are
//! a [`RestoreError`].

use crate::core::log::{Entry, Log, LogId};
use crate::core::{Core, Durable};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::sync::Arc;

/// What precedes the entries in a save.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
struct Header {
    current_term: u64,
    voted_for: Option<usize>,
    last_included: LogId,
    entries: u64,
}

/// Why a persisted state could not be restored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RestoreError {
    /// The bytes do not decode.
    Decode(common::codec::CodecError),
    /// They decode to a state that breaks an invariant.
    Invalid(String),
}

impl fmt::Display for RestoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RestoreError::Decode(e) => write!(f, "persisted Raft state does not decode: {e}"),
            RestoreError::Invalid(why) => write!(f, "persisted Raft state is invalid: {why}"),
        }
    }
}

impl std::error::Error for RestoreError {}

/// Encodes the durable state again and again as the log grows, re-encoding only the
/// entries that changed since the last time, and handing the persister the unchanged
/// part as shared pieces: a save costs what changed, not a copy of the whole log.
///
/// Which cached entries are still valid follows from the Log Matching property: an entry
/// is identified by its [`LogId`], and if this peer's log still holds the cached entry at
/// some index with the same term, it holds the same entries up to there. So the cache
/// keeps each entry's term, and a save walks back from the end of the cache to the last
/// entry whose term still matches (after an append, that is the very end).
///
/// The entries' encodings, one after the other, are kept as sealed pieces of about
/// [`PIECE`] bytes (shared with every save that has them) and an open tail (copied into
/// each save).
#[derive(Debug)]
pub struct Saver {
    /// The size at which the tail is sealed.
    piece: usize,
    /// The snapshot point the cache was built after.
    last_included: LogId,
    /// Per cached entry (from `last_included.index + 1` on): its term and where its
    /// encoding starts among the encoded bytes.
    cached: Vec<(u64, usize)>,
    /// The sealed pieces, each with where it starts among the encoded bytes.
    sealed: Vec<(usize, Arc<[u8]>)>,
    /// The encoded bytes after the sealed pieces.
    tail: Vec<u8>,
}

/// The size at which the tail is sealed into a piece: a save copies at most about this
/// much of the log, and passes one shared piece per this much.
const PIECE: usize = 4 * 1024;

impl Default for Saver {
    fn default() -> Self {
        Saver::with_piece(PIECE)
    }
}

impl Saver {
    /// An empty cache.
    pub fn new() -> Saver {
        Saver::default()
    }

    /// An empty cache that seals pieces of `piece` bytes.
    fn with_piece(piece: usize) -> Saver {
        Saver {
            piece,
            last_included: LogId::default(),
            cached: Vec::new(),
            sealed: Vec::new(),
            tail: Vec::new(),
        }
    }

    /// The core's durable state, encoded, in pieces to be saved one after the other
    /// (see [`common::persister::Persister::save_pieces`]).
    pub fn encode(&mut self, core: &Core) -> Vec<Arc<[u8]>> {
        let log = core.log();
        let point = log.last_included();
        if point != self.last_included {
            *self = Saver {
                last_included: point,
                ..Saver::with_piece(self.piece)
            };
        }
        // Keep the longest cached prefix that still matches the log.
        let mut keep = self.cached.len().min(log.entries().len());
        while keep > 0 && log.term(point.index + keep as u64) != Some(self.cached[keep - 1].0) {
            keep -= 1;
        }
        if keep < self.cached.len() {
            self.truncate(self.cached[keep].1);
            self.cached.truncate(keep);
        }
        for entry in &log.entries()[keep..] {
            self.cached.push((entry.term, self.len()));
            encode_into(entry, &mut self.tail);
            if self.tail.len() >= self.piece {
                let start = self.len() - self.tail.len();
                self.sealed.push((start, Arc::from(&self.tail[..])));
                self.tail.clear();
            }
        }
        let header = Header {
            current_term: core.current_term(),
            voted_for: core.voted_for(),
            last_included: point,
            entries: self.cached.len() as u64,
        };
        let mut pieces = Vec::with_capacity(self.sealed.len() + 2);
        pieces.push(Arc::from(encoded(&header)));
        pieces.extend(self.sealed.iter().map(|(_, piece)| Arc::clone(piece)));
        pieces.push(Arc::from(&self.tail[..]));
        pieces
    }

    /// How many bytes the cached entries' encodings take.
    fn len(&self) -> usize {
        self.sealed
            .last()
            .map_or(0, |(start, piece)| start + piece.len())
            + self.tail.len()
    }

    /// Keeps the first `at` encoded bytes: a piece cut through becomes the tail again.
    fn truncate(&mut self, at: usize) {
        let sealed = self.len() - self.tail.len();
        if at >= sealed {
            self.tail.truncate(at - sealed);
            return;
        }
        let cut = self.sealed.partition_point(|(start, _)| *start <= at) - 1;
        let (start, piece) = &self.sealed[cut];
        self.tail = piece[..at - start].to_vec();
        self.sealed.truncate(cut);
    }
}

/// Integers, options and byte vectors always encode.
fn encoded<T: Serialize>(value: &T) -> Vec<u8> {
    let mut out = Vec::new();
    encode_into(value, &mut out);
    out
}

/// As [`encoded`], at the end of `out`.
fn encode_into<T: Serialize>(value: &T, out: &mut Vec<u8>) {
    common::codec::encode_into(value, out)
        .unwrap_or_else(|e| panic!("encoding the Raft state: {e}"));
}

/// Decodes and checks a state saved by a peer of a cluster of `peers`. `None` for no
/// state at all (a peer that never saved).
///
/// # Errors
/// When the bytes do not decode or the state breaks an invariant.
pub fn decode(bytes: &[u8], peers: usize) -> Result<Option<Durable>, RestoreError> {
    if bytes.is_empty() {
        return Ok(None);
    }
    let (header, mut rest): (Header, _) =
        common::codec::decode_prefix(bytes).map_err(RestoreError::Decode)?;
    // Every entry takes at least two bytes: a count above that is a lie, refused before
    // any entry is read.
    if header.entries > rest.len() as u64 / 2 {
        return Err(RestoreError::Invalid(format!(
            "{} entries in {} bytes",
            header.entries,
            rest.len()
        )));
    }
    let mut entries = Vec::new();
    for _ in 0..header.entries {
        let (entry, after): (Entry, _) =
            common::codec::decode_prefix(rest).map_err(RestoreError::Decode)?;
        entries.push(entry);
        rest = after;
    }
    if !rest.is_empty() {
        return Err(RestoreError::Invalid(format!(
            "{} byte(s) after the last entry",
            rest.len()
        )));
    }
    if header.current_term == u64::MAX {
        // Requests of this term are refused (`core::admission`), and no campaign can leave it.
        return Err(RestoreError::Invalid(
            "current term u64::MAX: a term with no successor".to_string(),
        ));
    }
    if header.voted_for.is_some_and(|v| v >= peers) {
        return Err(RestoreError::Invalid(format!(
            "a vote for peer {:?} in a cluster of {peers}",
            header.voted_for
        )));
    }
    let log = Log::from_parts(header.last_included, entries).map_err(RestoreError::Invalid)?;
    if log.last_term() > header.current_term {
        return Err(RestoreError::Invalid(format!(
            "log term {} above current term {}",
            log.last_term(),
            header.current_term
        )));
    }
    Ok(Some(Durable {
        current_term: header.current_term,
        voted_for: header.voted_for,
        log,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::log::log_of;
    use crate::core::{Config, Core};

    /// The core's durable state, encoded from scratch.
    fn encode(core: &Core) -> Vec<u8> {
        Saver::new().encode(core).concat()
    }

    fn saved(term: u64, voted_for: Option<usize>, log_terms: &[u64]) -> Vec<u8> {
        let core = Core::restore(
            0,
            3,
            Config::default(),
            1,
            Durable {
                current_term: term,
                voted_for,
                log: log_of(log_terms),
            },
            Vec::new(),
        );
        encode(&core)
    }

    #[test]
    fn a_saved_state_reads_back() {
        let bytes = saved(4, Some(2), &[1, 1, 3]);
        let durable = decode(&bytes, 3).expect("valid").expect("present");
        assert_eq!(
            (durable.current_term, durable.voted_for, durable.log),
            (4, Some(2), log_of(&[1, 1, 3]))
        );
        assert_eq!(decode(&[], 3), Ok(None), "nothing saved yet");
    }

    /// Issue 8: a truncated or corrupt state is an error, never a panic.
    #[test]
    fn truncated_or_corrupt_state_is_an_error() {
        let bytes = saved(4, Some(2), &[1, 1, 3]);
        for cut in 1..bytes.len() {
            assert!(decode(&bytes[..cut], 3).is_err(), "cut at {cut}");
        }
        assert!(
            matches!(decode(&bytes, 2), Err(RestoreError::Invalid(_))),
            "vote for peer 2 of 2"
        );
        assert!(matches!(
            decode(&saved(2, None, &[1, 3]), 3),
            Err(RestoreError::Invalid(_))
        ));
        // A log whose terms go down, written by hand: the core would never make one.
        #[derive(Serialize)]
        struct RawState {
            current_term: u64,
            voted_for: Option<usize>,
            last_included_index: u64,
            last_included_term: u64,
            entries: Vec<crate::core::log::Entry>,
        }
        let entry = |term| crate::core::log::Entry {
            term,
            command: std::sync::Arc::from([]),
        };
        let raw = RawState {
            current_term: 5,
            voted_for: None,
            last_included_index: 0,
            last_included_term: 0,
            entries: vec![entry(3), entry(1)],
        };
        let bytes_down = common::codec::encode(&raw).expect("encodes");
        // A count of entries far above what the bytes can hold is refused before any
        // entry is read.
        let lie = Header {
            current_term: 1,
            voted_for: None,
            last_included: LogId::default(),
            entries: u64::MAX,
        };
        assert!(matches!(
            decode(&common::codec::encode(&lie).expect("encodes"), 3),
            Err(RestoreError::Invalid(_))
        ));
        assert!(matches!(
            decode(&bytes_down, 3),
            Err(RestoreError::Invalid(_))
        ));
        let mut flipped = bytes.clone();
        for i in 0..flipped.len() {
            flipped[i] ^= 0xff;
            let _ = decode(&flipped, 3); // any answer but a panic
            flipped[i] ^= 0xff;
        }
    }

    /// Issue 25: states that decode but that no peer could run from are refused: the last
    /// term (it has no successor), and a snapshot point with no index after it.
    #[test]
    fn an_impossible_state_is_refused() {
        let state = |current_term, last_included: LogId, entries: &[u64]| {
            let header = Header {
                current_term,
                voted_for: None,
                last_included,
                entries: entries.len() as u64,
            };
            let mut bytes = encoded(&header);
            for &term in entries {
                let entry = Entry {
                    term,
                    command: std::sync::Arc::from([]),
                };
                common::codec::encode_into(&entry, &mut bytes).expect("encodes");
            }
            decode(&bytes, 3)
        };
        let at = |index, term| LogId::new(index, term);
        assert!(
            matches!(state(5, at(3, 2), &[2, 5]), Ok(Some(_))),
            "a sane one"
        );
        for (term, point, entries) in [
            (u64::MAX, at(0, 0), &[][..]),
            (u64::MAX, at(3, 2), &[2, 5]),
            (5, at(u64::MAX, 1), &[]),
            (5, at(u64::MAX, 1), &[1]),
            (5, at(u64::MAX - 1, 1), &[1]),
        ] {
            assert!(
                matches!(state(term, point, entries), Err(RestoreError::Invalid(_))),
                "term {term}, snapshot at {point}, entries {entries:?}"
            );
        }
    }

    /// Checklist G14: a peer that granted a vote and crashed before anything else still
    /// remembers the vote after a restart, and refuses another candidate in that term.
    #[test]
    fn a_vote_survives_a_crash() {
        use crate::core::Input;
        use crate::core::messages::{Request, RequestVoteArgs, Response};
        let ask = |candidate| {
            Input::Request(Request::RequestVote(RequestVoteArgs {
                term: 3,
                candidate_id: candidate,
                last_log_index: 0,
                last_log_term: 0,
            }))
        };
        let granted = |out: crate::core::Output| match out.reply {
            Some(Response::RequestVote(r)) => r.vote_granted,
            other => panic!("no vote reply: {other:?}"),
        };
        let mut peer = Core::new(0, 3, Config::default(), 1);
        let out = peer.step(ask(1));
        assert!(out.persist);
        assert!(granted(out));
        let saved = encode(&peer);
        let durable = decode(&saved, 3).expect("valid").expect("present");
        let mut restarted = Core::restore(0, 3, Config::default(), 2, durable, Vec::new());
        assert!(
            !granted(restarted.step(ask(2))),
            "voted for 1 in term 3 already"
        );
        assert!(granted(restarted.step(ask(1))), "the same candidate again");
    }

    /// The saver gives exactly [`encode`]'s bytes through appends, truncations (including
    /// ones that replace entries by as many of another term) and compactions.
    #[test]
    fn the_saver_matches_a_full_encoding() {
        use crate::core::Input;
        use crate::core::messages::Request;
        use crate::core::test_util::{append, follower, id};
        // Pieces of a few bytes, so that truncations cut through sealed pieces.
        let mut saver = Saver::with_piece(5);
        let mut f = follower(1, 3, 1, &[]);
        let mut check = |f: &Core| assert_eq!(saver.encode(f).concat(), encode(f));
        check(&f);
        let steps = [
            append(1, 0, id(0, 0), &[1, 1, 1], 0),
            append(1, 0, id(3, 1), &[1, 1], 0),
            append(2, 2, id(2, 1), &[2, 2, 2], 0), // replaces 3..=5 by as many of term 2
            append(3, 0, id(1, 1), &[3], 2),       // truncates to 2, then one more
            append(3, 0, id(3, 3), &[3, 3, 3], 5),
        ];
        for args in steps {
            let _ = f.step(Input::Request(Request::AppendEntries(args)));
            check(&f);
        }
        let _ = f.step(Input::Snapshot {
            index: 4,
            data: vec![7],
        });
        check(&f);
        let _ = f.step(Input::Request(Request::AppendEntries(append(
            3,
            0,
            id(6, 3),
            &[3],
            6,
        ))));
        check(&f);
        let durable = decode(&saver.encode(&f).concat(), 3)
            .expect("valid")
            .expect("present");
        assert_eq!(durable.log, *f.log());
    }
}
