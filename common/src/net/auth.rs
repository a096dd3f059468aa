//! Who may talk to a server: the cluster key, the challenge that proves a connection
//! holds it, and the tag on every frame after that. Pure functions, tested without a
//! socket.
//!
//! Why HMAC and not mutual TLS: a local cluster has one secret, a key file, and nothing
//! else to manage (no certificates, no authority, no expiry); the question a server asks
//! is only "does the other end hold the cluster key, and which peer is it", which an HMAC
//! challenge answers, and RustCrypto's `hmac` and `sha2` are small. What it does not give
//! is secrecy: the frames are readable on the wire. For a cluster on one machine or a
//! trusted network that is the trade; across an untrusted network, TLS is the tool.
//!
//! The handshake, server first, each side with a fresh 32-byte nonce:
//!
//! ```text
//! server -> client  Challenge { version, server nonce }
//! client -> server  Hello { who, client nonce, HMAC(key, "hello" | nonces | who) }
//! server -> client  Welcome { HMAC(key, "welcome" | nonces | who) }   (or Refused)
//! ```
//!
//! Both sides then derive a session key, HMAC(key, "session" | nonces), and every frame
//! carries a 16-byte tag, HMAC(session, direction | sequence number | payload), so a
//! frame cannot be forged, altered, replayed, reordered or reflected back to its sender.

use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::fmt;
use std::path::Path;

type HmacSha256 = Hmac<Sha256>;

/// Bytes of a nonce.
pub const NONCE: usize = 32;
/// Bytes of a frame's tag.
pub const TAG: usize = 16;
/// The fewest bytes a key file may hold.
pub const MIN_KEY: usize = 16;

/// The cluster's shared secret. Its bytes never reach a log.
#[derive(Clone)]
pub struct ClusterKey(Vec<u8>);

impl fmt::Debug for ClusterKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ClusterKey({} bytes)", self.0.len())
    }
}

impl ClusterKey {
    /// A key of these bytes.
    ///
    /// # Errors
    /// When there are fewer than [`MIN_KEY`] of them.
    pub fn new(bytes: Vec<u8>) -> Result<ClusterKey, String> {
        if bytes.len() < MIN_KEY {
            return Err(format!(
                "a cluster key needs at least {MIN_KEY} bytes, this one has {}",
                bytes.len()
            ));
        }
        Ok(ClusterKey(bytes))
    }

    /// Reads a key file: its contents, without a trailing newline. It must be readable
    /// by its owner only (as ssh insists of a private key).
    ///
    /// # Errors
    /// When the file cannot be read, is too short or too long (over 4 KiB), or others may
    /// read it.
    pub fn from_file(path: &Path) -> Result<ClusterKey, String> {
        let shown = path.display();
        let meta = std::fs::metadata(path).map_err(|e| format!("key file {shown}: {e}"))?;
        if meta.len() > 4096 {
            return Err(format!(
                "key file {shown}: {} bytes; a key is at most 4096",
                meta.len()
            ));
        }
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = meta.permissions().mode();
            if mode & 0o077 != 0 {
                return Err(format!(
                    "key file {shown}: readable by others (mode {:o}); run chmod 600 {shown}",
                    mode & 0o777
                ));
            }
        }
        let mut bytes = std::fs::read(path).map_err(|e| format!("key file {shown}: {e}"))?;
        while bytes.last().is_some_and(|b| *b == b'\n' || *b == b'\r') {
            bytes.pop();
        }
        ClusterKey::new(bytes).map_err(|e| format!("key file {shown}: {e}"))
    }

    fn mac(&self, parts: &[&[u8]]) -> HmacSha256 {
        keyed(&self.0, parts)
    }
}

fn keyed(key: &[u8], parts: &[&[u8]]) -> HmacSha256 {
    // HMAC takes a key of any length: this cannot fail.
    let mut mac = HmacSha256::new_from_slice(key).unwrap_or_else(|_| unreachable!());
    for part in parts {
        mac.update(part);
    }
    mac
}

/// What the handshake binds together: both nonces and the caller's identity (its
/// encoding).
pub struct Binding<'a> {
    /// The server's nonce.
    pub server_nonce: &'a [u8; NONCE],
    /// The client's nonce.
    pub client_nonce: &'a [u8; NONCE],
    /// The encoded identity the client claims.
    pub who: &'a [u8],
}

/// The client's proof: HMAC of "hello", the nonces and its identity.
pub fn hello_mac(key: &ClusterKey, b: &Binding<'_>) -> [u8; 32] {
    key.mac(&[b"labrpc hello", b.server_nonce, b.client_nonce, b.who])
        .finalize()
        .into_bytes()
        .into()
}

/// The server's proof: as the client's, with another label, so one cannot stand for the
/// other.
pub fn welcome_mac(key: &ClusterKey, b: &Binding<'_>) -> [u8; 32] {
    key.mac(&[b"labrpc welcome", b.server_nonce, b.client_nonce, b.who])
        .finalize()
        .into_bytes()
        .into()
}

/// Whether `mac` is the client's proof (compared in constant time).
pub fn check_hello(key: &ClusterKey, b: &Binding<'_>, mac: &[u8]) -> bool {
    key.mac(&[b"labrpc hello", b.server_nonce, b.client_nonce, b.who])
        .verify_slice(mac)
        .is_ok()
}

/// Whether `mac` is the server's proof (compared in constant time).
pub fn check_welcome(key: &ClusterKey, b: &Binding<'_>, mac: &[u8]) -> bool {
    key.mac(&[b"labrpc welcome", b.server_nonce, b.client_nonce, b.who])
        .verify_slice(mac)
        .is_ok()
}

/// The direction of a frame, part of its tag: a frame cannot be sent back to its sender.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// From the caller to the server.
    ToServer = 0,
    /// From the server to the caller.
    ToClient = 1,
}

/// One direction of a session: tags frames (sending) or checks them (receiving), each
/// with the next sequence number.
pub struct Session {
    key: [u8; 32],
    direction: Direction,
    next: u64,
}

/// A frame whose tag is wrong: forged, altered, replayed or out of order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadTag {
    /// The frame's sequence number in its direction.
    pub sequence: u64,
}

impl fmt::Display for BadTag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "frame {} fails its tag: forged, altered, replayed or out of order",
            self.sequence
        )
    }
}

impl std::error::Error for BadTag {}

impl Session {
    /// The session of the connection the handshake `b` opened, for frames going
    /// `direction`.
    pub fn new(key: &ClusterKey, b: &Binding<'_>, direction: Direction) -> Session {
        let session = key
            .mac(&[b"labrpc session", b.server_nonce, b.client_nonce, b.who])
            .finalize()
            .into_bytes()
            .into();
        Session {
            key: session,
            direction,
            next: 0,
        }
    }

    fn tag_mac(&self, payload: &[u8]) -> HmacSha256 {
        keyed(
            &self.key,
            &[&[self.direction as u8], &self.next.to_le_bytes(), payload],
        )
    }

    /// Appends the tag of the next frame to `payload`.
    pub fn seal(&mut self, mut payload: Vec<u8>) -> Vec<u8> {
        let tag = self.tag_mac(&payload).finalize().into_bytes();
        payload.extend_from_slice(&tag[..TAG]);
        self.next += 1;
        payload
    }

    /// Checks the tag at the end of the next frame and returns its payload.
    ///
    /// # Errors
    /// When the tag is wrong, or the frame is too short to have one.
    pub fn open<'a>(&mut self, frame: &'a [u8]) -> Result<&'a [u8], BadTag> {
        let bad = BadTag {
            sequence: self.next,
        };
        let Some(split) = frame.len().checked_sub(TAG) else {
            return Err(bad);
        };
        let (payload, tag) = frame.split_at(split);
        self.tag_mac(payload)
            .verify_truncated_left(tag)
            .map_err(|_| bad)?;
        self.next += 1;
        Ok(payload)
    }
}

/// A fresh nonce from the operating system's generator.
///
/// # Errors
/// When `/dev/urandom` cannot be read.
pub fn nonce() -> std::io::Result<[u8; NONCE]> {
    use std::io::Read;
    let mut out = [0u8; NONCE];
    std::fs::File::open("/dev/urandom")?.read_exact(&mut out)?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(b: u8) -> ClusterKey {
        ClusterKey::new(vec![b; 32]).unwrap()
    }

    const SERVER: [u8; NONCE] = [1; NONCE];
    const CLIENT: [u8; NONCE] = [2; NONCE];

    fn binding(who: &[u8]) -> Binding<'_> {
        Binding {
            server_nonce: &SERVER,
            client_nonce: &CLIENT,
            who,
        }
    }

    #[test]
    fn only_the_same_key_and_binding_pass_the_handshake() {
        let b = binding(b"peer 1");
        let hello = hello_mac(&key(7), &b);
        assert!(check_hello(&key(7), &b, &hello));
        assert!(!check_hello(&key(8), &b, &hello), "another key");
        assert!(
            !check_hello(&key(7), &binding(b"peer 2"), &hello),
            "another identity"
        );
        let other_nonce = [3; NONCE];
        let replayed = Binding {
            server_nonce: &other_nonce,
            ..binding(b"peer 1")
        };
        assert!(
            !check_hello(&key(7), &replayed, &hello),
            "a hello replayed to a new challenge"
        );
        assert!(
            !check_welcome(&key(7), &b, &hello),
            "a hello is not a welcome"
        );
        assert!(check_welcome(&key(7), &b, &welcome_mac(&key(7), &b)));
        assert!(!check_hello(&key(7), &b, &hello[..31]), "a short proof");
    }

    #[test]
    fn frames_open_in_order_and_any_change_is_caught() {
        let b = binding(b"client");
        let mut send = Session::new(&key(7), &b, Direction::ToServer);
        let mut recv = Session::new(&key(7), &b, Direction::ToServer);
        let first = send.seal(b"request 0".to_vec());
        let second = send.seal(b"request 1".to_vec());
        for at in 0..first.len() {
            let mut bad = first.clone();
            bad[at] ^= 1;
            let mut fresh = Session::new(&key(7), &b, Direction::ToServer);
            assert!(fresh.open(&bad).is_err(), "byte {at} changed");
        }
        assert_eq!(recv.open(&first), Ok(&b"request 0"[..]));
        assert_eq!(recv.open(&first), Err(BadTag { sequence: 1 }), "a replay");
        assert_eq!(recv.open(&second), Ok(&b"request 1"[..]));
        assert!(recv.open(b"short").is_err());
        // A frame sent back the other way, or under another session key, does not open.
        let mut back = Session::new(&key(7), &b, Direction::ToClient);
        assert!(back.open(&first).is_err(), "reflected");
        let mut other = Session::new(&key(8), &b, Direction::ToServer);
        assert!(other.open(&first).is_err(), "another key");
    }

    #[test]
    fn key_files_must_be_private_and_long_enough() {
        let dir = std::env::temp_dir().join(format!("cluster-key-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("key");
        std::fs::write(&path, "0123456789abcdef0123456789abcdef\n").unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
            let e = ClusterKey::from_file(&path).unwrap_err();
            assert!(e.contains("chmod 600"), "{e}");
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        }
        let k = ClusterKey::from_file(&path).unwrap();
        assert_eq!(
            format!("{k:?}"),
            "ClusterKey(32 bytes)",
            "no key bytes in logs"
        );
        std::fs::write(&path, "short\n").unwrap();
        assert!(
            ClusterKey::from_file(&path)
                .unwrap_err()
                .contains("at least 16")
        );
        assert!(ClusterKey::from_file(&dir.join("none")).is_err());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn nonces_differ() {
        assert_ne!(nonce().unwrap(), nonce().unwrap());
    }
}
