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

/// `#[serde(with = "common::codec::bytes")]` on a field of bytes (a `Vec<u8>` or an
/// `Arc<[u8]>`): serde encodes a `Vec<u8>` as a sequence, one byte at a time, and this as
/// one block of bytes. In postcard both are the length and then the bytes, so the
/// encoding is the same, only made without a call per byte (log entries and snapshots are
/// the bulk of what Raft encodes).
pub mod bytes {
    use serde::de::{Deserializer, Error, SeqAccess, Visitor};
    use serde::ser::Serializer;
    use std::fmt;
    use std::marker::PhantomData;

    /// Encodes `value` as a block of bytes.
    ///
    /// # Errors
    /// As the serializer's `serialize_bytes`.
    pub fn serialize<S: Serializer, T: AsRef<[u8]> + ?Sized>(
        value: &T,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        serializer.serialize_bytes(value.as_ref())
    }

    /// Decodes a block of bytes (or a sequence of bytes, for formats that write one).
    ///
    /// # Errors
    /// When the input holds neither.
    pub fn deserialize<'de, D, T>(deserializer: D) -> Result<T, D::Error>
    where
        D: Deserializer<'de>,
        T: for<'a> From<&'a [u8]>,
    {
        deserializer.deserialize_byte_buf(BytesVisitor(PhantomData))
    }

    struct BytesVisitor<T>(PhantomData<T>);

    impl<'de, T: for<'a> From<&'a [u8]>> Visitor<'de> for BytesVisitor<T> {
        type Value = T;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("bytes")
        }

        fn visit_bytes<E: Error>(self, v: &[u8]) -> Result<T, E> {
            Ok(T::from(v))
        }

        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<T, A::Error> {
            // Bounded by the input, not by a length the input claims.
            let mut out = Vec::new();
            while let Some(byte) = seq.next_element::<u8>()? {
                out.push(byte);
            }
            Ok(T::from(&out[..]))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct AsBlock {
        term: u64,
        #[serde(with = "super::bytes")]
        command: Vec<u8>,
    }

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Shared {
        #[serde(with = "super::bytes")]
        command: std::sync::Arc<[u8]>,
    }

    #[test]
    fn bytes_encode_as_a_sequence_of_bytes_would() {
        let shared = Shared {
            command: std::sync::Arc::from(&[1u8, 2, 3][..]),
        };
        let bytes = encode(&shared).unwrap();
        assert_eq!(bytes, encode(&vec![1u8, 2, 3]).unwrap());
        assert_eq!(decode::<Shared>(&bytes).unwrap(), shared);
        let command: Vec<u8> = (0..=255).collect();
        let block = AsBlock { term: 7, command };
        let bytes = encode(&block).unwrap();
        let as_seq = encode(&(7u64, &block.command)).unwrap();
        assert_eq!(bytes, as_seq, "the same encoding");
        assert_eq!(decode::<AsBlock>(&bytes).unwrap(), block);
        assert!(
            decode::<AsBlock>(&bytes[..bytes.len() - 1]).is_err(),
            "cut short"
        );
    }

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
