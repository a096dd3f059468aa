//! The workspace's one encoding for RPC arguments, replies, persisted Raft state and
//! snapshots: postcard over serde.
//!
//! Every decode returns a [`Result`]: bytes come from the (simulated) network or from a
//! persister that a crash may have left behind, so a bad byte is an error the caller
//! handles, never a panic. Trailing bytes after a value are an error too, so a truncated
//! or concatenated buffer is not silently half-read.

use serde::{Serialize, de::DeserializeOwned};
use std::fmt;

/// Why a value could not be encoded or decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodecError {
    message: String,
}

impl CodecError {
    fn new(message: impl Into<String>) -> Self {
        CodecError {
            message: message.into(),
        }
    }
}

impl fmt::Display for CodecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "codec error: {}", self.message)
    }
}

impl std::error::Error for CodecError {}

/// Encodes `value` into a fresh buffer.
///
/// # Errors
/// When serde refuses the value (for example a map whose length is not known).
pub fn encode<T: Serialize + ?Sized>(value: &T) -> Result<Vec<u8>, CodecError> {
    // Most values (RPC arguments and replies, headers) fit in this without a regrowth.
    let mut out = Vec::with_capacity(64);
    encode_into(value, &mut out)?;
    Ok(out)
}

/// Encodes `value` at the end of `out`: for formats written as a sequence of values.
///
/// # Errors
/// As [`encode`]; `out` is then left empty.
pub fn encode_into<T: Serialize + ?Sized>(value: &T, out: &mut Vec<u8>) -> Result<(), CodecError> {
    let buffer = std::mem::take(out);
    *out = postcard::to_extend(value, buffer).map_err(|e| CodecError::new(e.to_string()))?;
    Ok(())
}

/// Decodes exactly one `T` from `bytes`.
///
/// # Errors
/// When the bytes are not a valid encoding of `T`, are cut short, or have bytes left over.
pub fn decode<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, CodecError> {
    let (value, rest) = decode_prefix(bytes)?;
    if !rest.is_empty() {
        return Err(CodecError::new(format!(
            "{} trailing byte(s) after the value",
            rest.len()
        )));
    }
    Ok(value)
}

/// Decodes one `T` from the front of `bytes`, and returns it with the bytes after it: for
/// formats written as a sequence of values (a header, then entries, say).
///
/// # Errors
/// When the bytes do not start with a valid encoding of `T`.
pub fn decode_prefix<T: DeserializeOwned>(bytes: &[u8]) -> Result<(T, &[u8]), CodecError> {
    postcard::take_from_bytes(bytes).map_err(|e| CodecError::new(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Entry {
        term: u64,
        command: Vec<u8>,
        note: Option<String>,
    }

    #[test]
    fn round_trip_of_nested_values() {
        let log = vec![
            Entry {
                term: 1,
                command: vec![1, 2, 3],
                note: None,
            },
            Entry {
                term: u64::MAX,
                command: vec![],
                note: Some("x".into()),
            },
        ];
        let bytes = encode(&log).unwrap();
        assert_eq!(decode::<Vec<Entry>>(&bytes).unwrap(), log);
    }

    #[test]
    fn truncated_bytes_are_an_error() {
        let bytes = encode(&(7u64, String::from("hello"))).unwrap();
        for cut in 0..bytes.len() {
            assert!(
                decode::<(u64, String)>(&bytes[..cut]).is_err(),
                "cut at {cut}"
            );
        }
    }

    #[test]
    fn trailing_bytes_are_an_error() {
        let mut bytes = encode(&5u32).unwrap();
        bytes.push(0);
        let err = decode::<u32>(&bytes).unwrap_err();
        assert!(err.to_string().contains("trailing"), "{err}");
    }

    #[test]
    fn garbage_never_panics() {
        // A fixed pseudo-random walk over byte strings: every decode returns, none panic.
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        for len in 0..200 {
            let bytes: Vec<u8> = (0..len)
                .map(|_| {
                    x ^= x << 13;
                    x ^= x >> 7;
                    x ^= x << 17;
                    x as u8
                })
                .collect();
            let _ = decode::<Vec<Entry>>(&bytes);
            let _ = decode::<(u64, Option<String>, Vec<u64>)>(&bytes);
        }
    }
}
