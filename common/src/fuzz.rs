//! Inputs for the fuzz tests that stay in `cargo test`: from a seed, a bounded number of
//! byte strings, each either random or a valid encoding with a few bytes changed, cut or
//! extended. Every decoder and state machine of the labs is fed these in a unit test of
//! its own (nothing may panic, whatever decodes); the same seed gives the same inputs.
//!
//! The same harnesses also run under `cargo fuzz` (`scripts/fuzz`), where libFuzzer's
//! bytes take the seed's place: [`ByteRng`] turns them into the harness's random
//! choices, so coverage guidance steers the choices themselves.

use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng, TryRng};
use std::convert::Infallible;

/// A random-number source that reads its numbers from a fuzzer's input, then yields zeros
/// once the input is used up (so a harness driven by it always ends).
pub struct ByteRng<'a> {
    bytes: &'a [u8],
}

impl<'a> ByteRng<'a> {
    /// The choices `bytes` spell out.
    pub fn new(bytes: &'a [u8]) -> ByteRng<'a> {
        ByteRng { bytes }
    }

    /// Whether every byte has been read.
    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }
}

impl TryRng for ByteRng<'_> {
    type Error = Infallible;

    fn try_next_u32(&mut self) -> Result<u32, Infallible> {
        let mut b = [0; 4];
        self.try_fill_bytes(&mut b)?;
        Ok(u32::from_le_bytes(b))
    }

    fn try_next_u64(&mut self) -> Result<u64, Infallible> {
        let mut b = [0; 8];
        self.try_fill_bytes(&mut b)?;
        Ok(u64::from_le_bytes(b))
    }

    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Infallible> {
        let n = dst.len().min(self.bytes.len());
        dst[..n].copy_from_slice(&self.bytes[..n]);
        dst[n..].fill(0);
        self.bytes = &self.bytes[n..];
        Ok(())
    }
}

/// A fuzzer's input as a sequence of byte strings: each is a length byte, then up to that
/// many bytes (the last may be short). A stateful harness applies them in order.
pub fn chunks(mut bytes: &[u8]) -> impl Iterator<Item = &[u8]> {
    std::iter::from_fn(move || {
        let (&len, rest) = bytes.split_first()?;
        let (chunk, rest) = rest.split_at(usize::from(len).min(rest.len()));
        bytes = rest;
        Some(chunk)
    })
}

/// `cases` inputs from `seed`: half random bytes (up to 64), half mutations of one of
/// `valid` (which must not be empty).
pub fn inputs(seed: u64, valid: &[Vec<u8>], cases: usize) -> Vec<Vec<u8>> {
    let mut rng = StdRng::seed_from_u64(seed);
    (0..cases)
        .map(|_| {
            if valid.is_empty() || rng.random::<bool>() {
                let len = rng.random_range(0..64);
                (0..len).map(|_| rng.random::<u8>()).collect()
            } else {
                let original = &valid[rng.random_range(0..valid.len())];
                mutate(&mut rng, original.clone())
            }
        })
        .collect()
}

/// `bytes` with a few bytes changed, cut short, or extended with random ones.
pub fn mutate<R: rand::Rng + ?Sized>(rng: &mut R, mut bytes: Vec<u8>) -> Vec<u8> {
    match rng.random_range(0..4) {
        0 | 1 if !bytes.is_empty() => {
            for _ in 0..rng.random_range(1..4) {
                let k = rng.random_range(0..bytes.len());
                bytes[k] = match rng.random_range(0..3) {
                    0 => 0,
                    1 => 0xff,
                    _ => rng.random(),
                };
            }
        }
        2 => bytes.truncate(rng.random_range(0..=bytes.len())),
        _ => bytes.extend((0..rng.random_range(1..9)).map(|_| rng.random::<u8>())),
    }
    bytes
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_same_seed_gives_the_same_inputs() {
        let valid = vec![vec![1, 2, 3, 4], vec![9; 20]];
        let a = super::inputs(7, &valid, 100);
        assert_eq!(a, super::inputs(7, &valid, 100));
        assert_ne!(a, super::inputs(8, &valid, 100));
        assert!(a.iter().all(|b| !valid.contains(b) || b.is_empty()));
    }

    #[test]
    fn chunks_are_length_prefixed() {
        let data = [2, 1, 2, 0, 3, 9];
        let chunks: Vec<&[u8]> = super::chunks(&data).collect();
        assert_eq!(chunks, [&[1, 2][..], &[], &[9]]);
        assert_eq!(super::chunks(&[]).count(), 0);
    }

    #[test]
    fn byte_rng_reads_its_bytes_then_zeros() {
        use rand::RngExt;
        let mut rng = super::ByteRng::new(&[1, 0, 0, 0, 7]);
        assert_eq!(rng.random::<u32>(), 1);
        assert!(!rng.is_empty());
        assert_eq!(rng.random::<u32>(), 7);
        assert!(rng.is_empty());
        assert_eq!(rng.random::<u64>(), 0);
    }
}
