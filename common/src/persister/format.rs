//! The on-disk format of [`super::FilePersister`]: two kinds of file, each a header, the
//! bytes, and a CRC-32 of everything before it. Pure functions, so every way a file can be
//! damaged is tested without a disk.
//!
//! The state file (`raft-state`) holds the Raft state and names the snapshot that goes
//! with it by generation, length and checksum, so a state is never paired with another
//! snapshot than the one it was saved with:
//!
//! ```text
//!  0  magic "RAFTSTAT"      8  version u32   12  reserved u32
//! 16  save number u64      24  snapshot generation u64 (0: no snapshot)
//! 32  snapshot length u64  40  snapshot CRC-32 u32   44  reserved u32
//! 48  state length u64     56  state bytes ...        then CRC-32 u32 of bytes 0..56+n
//! ```
//!
//! A snapshot file (`snapshot-<generation>`):
//!
//! ```text
//!  0  magic "RAFTSNAP"  8  version u32  12  reserved u32
//! 16  generation u64   24  length u64   32  snapshot bytes ...  then CRC-32 u32 of 0..32+n
//! ```
//!
//! Integers are little-endian. A length is checked against the file's own size before
//! anything is read with it, so a damaged length cannot make a reader allocate.

use std::fmt;

/// The format version this build writes and reads.
pub const VERSION: u32 = 1;
const STATE_MAGIC: &[u8; 8] = b"RAFTSTAT";
const SNAPSHOT_MAGIC: &[u8; 8] = b"RAFTSNAP";
/// Bytes of a state file before the state.
pub const STATE_HEADER: usize = 56;
/// Bytes of a snapshot file before the snapshot.
pub const SNAPSHOT_HEADER: usize = 32;
/// The trailing checksum.
pub const CHECKSUM: usize = 4;

/// What the state file says besides the state itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct StateHeader {
    /// How many saves this directory has seen (1 for the first): for diagnostics, and
    /// for the tests that kill a process mid-save.
    pub save: u64,
    /// The snapshot saved with this state; its generation is 0 when there is none.
    pub snapshot: SnapshotRef,
}

/// Which snapshot file goes with a state: its generation, length and checksum.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SnapshotRef {
    /// 0 when there is no snapshot; otherwise the `N` of `snapshot-N`.
    pub generation: u64,
    /// The snapshot's length in bytes.
    pub len: u64,
    /// CRC-32 of the snapshot's bytes.
    pub crc: u32,
}

/// How a file failed its checks: each is a file this build must not start from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Damage {
    /// Shorter than its header and checksum.
    TooShort {
        /// The file's length.
        len: usize,
        /// The least a file of its kind takes.
        least: usize,
    },
    /// Its first bytes are not the magic of its kind: not a file of ours.
    BadMagic,
    /// Written by a format version this build does not read.
    Version(u32),
    /// The header's length does not match the file's size: truncated or extended.
    Length {
        /// The data length the header states.
        header: u64,
        /// The data length the file's size leaves.
        file: usize,
    },
    /// The checksum does not match the contents.
    Checksum {
        /// The checksum in the file.
        stored: u32,
        /// The checksum of the file's contents.
        computed: u32,
    },
    /// The snapshot file is not the one the state file names.
    Mismatch {
        /// What the state file names.
        expected: SnapshotRef,
        /// What the snapshot file holds.
        found: SnapshotRef,
    },
}

impl fmt::Display for Damage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Damage::TooShort { len, least } => write!(
                f,
                "truncated: {len} bytes, but a header and checksum alone take {least}"
            ),
            Damage::BadMagic => write!(f, "not a file of this persister (wrong magic bytes)"),
            Damage::Version(v) => write!(
                f,
                "written by format version {v}; this build reads version {VERSION}"
            ),
            Damage::Length { header, file } => write!(
                f,
                "truncated or extended: the header says {header} bytes of data, the file holds {file}"
            ),
            Damage::Checksum { stored, computed } => write!(
                f,
                "corrupt: checksum {stored:#010x} stored, {computed:#010x} computed"
            ),
            Damage::Mismatch { expected, found } => write!(
                f,
                "not the snapshot saved with the Raft state: expected generation {} ({} bytes, \
                 crc {:#010x}), found generation {} ({} bytes, crc {:#010x})",
                expected.generation,
                expected.len,
                expected.crc,
                found.generation,
                found.len,
                found.crc
            ),
        }
    }
}

/// CRC-32 (IEEE) of consecutive pieces.
pub fn crc_of<'a>(pieces: impl IntoIterator<Item = &'a [u8]>) -> u32 {
    let mut hasher = crc32fast::Hasher::new();
    for piece in pieces {
        hasher.update(piece);
    }
    hasher.finalize()
}

/// The header of a state file of `state_len` bytes of state.
pub fn state_header(header: &StateHeader, state_len: usize) -> [u8; STATE_HEADER] {
    let mut out = [0u8; STATE_HEADER];
    out[0..8].copy_from_slice(STATE_MAGIC);
    out[8..12].copy_from_slice(&VERSION.to_le_bytes());
    out[16..24].copy_from_slice(&header.save.to_le_bytes());
    out[24..32].copy_from_slice(&header.snapshot.generation.to_le_bytes());
    out[32..40].copy_from_slice(&header.snapshot.len.to_le_bytes());
    out[40..44].copy_from_slice(&header.snapshot.crc.to_le_bytes());
    out[48..56].copy_from_slice(&(state_len as u64).to_le_bytes());
    out
}

/// The header of snapshot file `generation` holding `len` bytes.
pub fn snapshot_header(generation: u64, len: usize) -> [u8; SNAPSHOT_HEADER] {
    let mut out = [0u8; SNAPSHOT_HEADER];
    out[0..8].copy_from_slice(SNAPSHOT_MAGIC);
    out[8..12].copy_from_slice(&VERSION.to_le_bytes());
    out[16..24].copy_from_slice(&generation.to_le_bytes());
    out[24..32].copy_from_slice(&(len as u64).to_le_bytes());
    out
}

/// A whole state file, as one buffer (the persister writes the same bytes in pieces).
pub fn encode_state(header: &StateHeader, state: &[u8]) -> Vec<u8> {
    let head = state_header(header, state.len());
    let crc = crc_of([&head[..], state]);
    [&head[..], state, &crc.to_le_bytes()].concat()
}

/// A whole snapshot file.
pub fn encode_snapshot(generation: u64, snapshot: &[u8]) -> Vec<u8> {
    let head = snapshot_header(generation, snapshot.len());
    let crc = crc_of([&head[..], snapshot]);
    [&head[..], snapshot, &crc.to_le_bytes()].concat()
}

fn u32_at(bytes: &[u8], at: usize) -> u32 {
    let mut b = [0u8; 4];
    b.copy_from_slice(&bytes[at..at + 4]);
    u32::from_le_bytes(b)
}

fn u64_at(bytes: &[u8], at: usize) -> u64 {
    let mut b = [0u8; 8];
    b.copy_from_slice(&bytes[at..at + 8]);
    u64::from_le_bytes(b)
}

/// Checks a file of either kind: size, magic, version, length, checksum; returns its data.
fn check<'a>(file: &'a [u8], magic: &[u8; 8], header: usize) -> Result<&'a [u8], Damage> {
    let least = header + CHECKSUM;
    if file.len() < least {
        return Err(Damage::TooShort {
            len: file.len(),
            least,
        });
    }
    if &file[0..8] != magic {
        return Err(Damage::BadMagic);
    }
    let version = u32_at(file, 8);
    if version != VERSION {
        return Err(Damage::Version(version));
    }
    let data_len = file.len() - least;
    let stated = u64_at(file, header - 8);
    if stated != data_len as u64 {
        return Err(Damage::Length {
            header: stated,
            file: data_len,
        });
    }
    let body = &file[..header + data_len];
    let stored = u32_at(file, header + data_len);
    let computed = crc_of([body]);
    if stored != computed {
        return Err(Damage::Checksum { stored, computed });
    }
    Ok(&file[header..header + data_len])
}

/// Reads a state file: its header and its state.
pub fn decode_state(file: &[u8]) -> Result<(StateHeader, &[u8]), Damage> {
    let state = check(file, STATE_MAGIC, STATE_HEADER)?;
    let header = StateHeader {
        save: u64_at(file, 16),
        snapshot: SnapshotRef {
            generation: u64_at(file, 24),
            len: u64_at(file, 32),
            crc: u32_at(file, 40),
        },
    };
    Ok((header, state))
}

/// Reads snapshot file `expected.generation` and checks that it is the one a state file
/// named.
pub fn decode_snapshot(file: &[u8], expected: &SnapshotRef) -> Result<Vec<u8>, Damage> {
    let snapshot = check(file, SNAPSHOT_MAGIC, SNAPSHOT_HEADER)?;
    let found = SnapshotRef {
        generation: u64_at(file, 16),
        len: snapshot.len() as u64,
        crc: crc_of([snapshot]),
    };
    if found != *expected {
        return Err(Damage::Mismatch {
            expected: *expected,
            found,
        });
    }
    Ok(snapshot.to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header() -> StateHeader {
        let snapshot = b"the snapshot";
        StateHeader {
            save: 7,
            snapshot: SnapshotRef {
                generation: 3,
                len: snapshot.len() as u64,
                crc: crc_of([&snapshot[..]]),
            },
        }
    }

    #[test]
    fn a_state_file_reads_back() {
        let file = encode_state(&header(), b"raft state");
        assert_eq!(file.len(), STATE_HEADER + 10 + CHECKSUM);
        assert_eq!(decode_state(&file), Ok((header(), &b"raft state"[..])));
        let empty = encode_state(&StateHeader::default(), b"");
        assert_eq!(decode_state(&empty), Ok((StateHeader::default(), &b""[..])));
    }

    #[test]
    fn a_snapshot_file_reads_back_only_as_the_one_named() {
        let file = encode_snapshot(3, b"the snapshot");
        assert_eq!(
            decode_snapshot(&file, &header().snapshot),
            Ok(b"the snapshot".to_vec())
        );
        let other = SnapshotRef {
            generation: 4,
            ..header().snapshot
        };
        assert!(matches!(
            decode_snapshot(&file, &other),
            Err(Damage::Mismatch { .. })
        ));
    }

    #[test]
    fn every_flipped_bit_and_every_truncation_is_damage() {
        let state = encode_state(&header(), b"raft state");
        let snapshot = encode_snapshot(3, b"the snapshot");
        for at in 0..state.len() {
            for bit in 0..8 {
                let mut bad = state.clone();
                bad[at] ^= 1 << bit;
                assert!(decode_state(&bad).is_err(), "state byte {at} bit {bit}");
            }
            assert!(decode_state(&state[..at]).is_err(), "state cut at {at}");
        }
        for at in 0..snapshot.len() {
            for bit in 0..8 {
                let mut bad = snapshot.clone();
                bad[at] ^= 1 << bit;
                assert!(
                    decode_snapshot(&bad, &header().snapshot).is_err(),
                    "snapshot byte {at} bit {bit}"
                );
            }
            assert!(
                decode_snapshot(&snapshot[..at], &header().snapshot).is_err(),
                "snapshot cut at {at}"
            );
        }
        let mut longer = state.clone();
        longer.push(0);
        assert!(matches!(decode_state(&longer), Err(Damage::Length { .. })));
    }

    #[test]
    fn an_absurd_length_is_refused_without_allocating() {
        let mut file = encode_state(&header(), b"x");
        file[48..56].copy_from_slice(&u64::MAX.to_le_bytes());
        assert_eq!(
            decode_state(&file),
            Err(Damage::Length {
                header: u64::MAX,
                file: 1
            })
        );
    }

    #[test]
    fn another_version_is_named_in_the_error() {
        let mut file = encode_state(&header(), b"x");
        file[8..12].copy_from_slice(&2u32.to_le_bytes());
        let damage = decode_state(&file).unwrap_err();
        assert_eq!(damage, Damage::Version(2));
        assert!(damage.to_string().contains("version 2"), "{damage}");
    }
}
