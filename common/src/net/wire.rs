//! What crosses a connection: length-prefixed frames (a 4-byte big-endian length, then
//! that many bytes) of the workspace codec. The handshake's frames come first, untagged;
//! every frame after it is a [`Message`] with its tag (see [`super::auth`]).

use super::auth::NONCE;
use crate::codec;
use serde::{Deserialize, Serialize};
use std::fmt;
use tokio_util::codec::LengthDelimitedCodec;

/// The protocol version a server announces in its challenge.
pub const PROTOCOL: u32 = 1;

/// Who is at the calling end of a connection, as it claims in its handshake (and proves
/// by holding the cluster key).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Who {
    /// Raft peer `i` of the server's cluster (its index in the peer list).
    Peer(u32),
    /// A client: a clerk, a controller, another group's server, an operator's tool.
    Client,
}

impl fmt::Display for Who {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Who::Peer(i) => write!(f, "peer {i}"),
            Who::Client => write!(f, "a client"),
        }
    }
}

/// The handshake's frames.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Handshake {
    /// Server to client, first: the protocol version and the server's nonce.
    Challenge {
        /// [`PROTOCOL`].
        version: u32,
        /// The server's nonce.
        nonce: [u8; NONCE],
    },
    /// Client to server: who it is, its nonce and its proof.
    Hello {
        /// Who the client says it is.
        who: Who,
        /// The client's nonce.
        nonce: [u8; NONCE],
        /// [`super::auth::hello_mac`].
        mac: [u8; 32],
    },
    /// Server to client: accepted, and the server's proof.
    Welcome {
        /// [`super::auth::welcome_mac`].
        mac: [u8; 32],
    },
    /// Server to client: not accepted, and why (then the server closes the connection).
    Refused {
        /// Why.
        why: String,
    },
}

/// A frame after the handshake.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Message {
    /// A call: `service.method` with encoded arguments.
    Request {
        /// The caller's number for the call, echoed in its reply.
        id: u64,
        /// The service's name.
        service: String,
        /// The method's name.
        method: String,
        /// The encoded arguments.
        args: Vec<u8>,
    },
    /// The answer to request `id`.
    Reply {
        /// The request's number.
        id: u64,
        /// The encoded reply, or why there is none.
        outcome: Result<Vec<u8>, Failure>,
    },
}

/// Why a server answered a request without a reply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Failure {
    /// No such service.
    UnknownService(String),
    /// No such method.
    UnknownMethod(String),
    /// The arguments did not decode.
    BadRequest(String),
    /// This caller may not call this service (a client calling a peers' service).
    NotAllowed(String),
    /// The handler failed.
    HandlerFailed,
}

/// The codec of a connection: frames of at most `max_frame` bytes. A longer length
/// prefix is an error before anything is allocated for it.
pub fn framing(max_frame: usize) -> LengthDelimitedCodec {
    LengthDelimitedCodec::builder()
        .length_field_length(4)
        .max_frame_length(max_frame)
        .new_codec()
}

/// Encodes a frame's payload.
pub fn encode<T: Serialize>(value: &T) -> Result<Vec<u8>, codec::CodecError> {
    codec::encode(value)
}

/// Decodes a frame's payload.
pub fn decode<T: for<'de> Deserialize<'de>>(bytes: &[u8]) -> Result<T, codec::CodecError> {
    codec::decode(bytes)
}
