//! [`RpcError`]: why a call got no reply. Callers usually treat every variant as "no
//! answer"; the variants exist so logs and tests can tell a lost message from a bug.

use crate::codec::CodecError;
use std::fmt;

/// Why [`super::ClientEnd::call`] returned no reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RpcError {
    /// The end is disabled or unconnected, or its server does not exist: the call timed out.
    /// On a real network: no connection could be opened.
    Unreachable,
    /// The unreliable network lost the request or the reply.
    Dropped,
    /// While the call was in flight its end was disabled, or its server was deleted or
    /// replaced (a crash): the reply, if any, is thrown away.
    ServerGone,
    /// The handler panicked (the world fails too; this is what the caller sees).
    HandlerFailed,
    /// No service of that name on the server (fatal in a simulated world, as in the course).
    UnknownService(String),
    /// No method of that name in the service (fatal in a simulated world, as in the course).
    UnknownMethod(String),
    /// The handler could not decode the arguments.
    BadRequest(CodecError),
    /// The caller could not decode the reply.
    BadReply(CodecError),
    /// The arguments or the reply could not be encoded.
    Encode(CodecError),
    /// Real network only: no reply within the call's time limit.
    TimedOut,
    /// Real network only: the server refused the connection or the call (authentication,
    /// a peer id outside its configuration, a service this caller may not use).
    Refused(String),
}

impl fmt::Display for RpcError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RpcError::Unreachable => write!(
                f,
                "unreachable: end disabled or server missing (on a real network: no connection)"
            ),
            RpcError::Dropped => write!(f, "message lost by the unreliable network"),
            RpcError::ServerGone => write!(f, "server deleted or end disabled during the call"),
            RpcError::HandlerFailed => write!(f, "the handler panicked"),
            RpcError::UnknownService(s) => write!(f, "unknown service {s:?}"),
            RpcError::UnknownMethod(m) => write!(f, "unknown method {m:?}"),
            RpcError::BadRequest(e) => write!(f, "handler could not decode the arguments: {e}"),
            RpcError::BadReply(e) => write!(f, "could not decode the reply: {e}"),
            RpcError::Encode(e) => write!(f, "could not encode: {e}"),
            RpcError::TimedOut => write!(f, "no reply within the call's time limit"),
            RpcError::Refused(why) => write!(f, "refused by the server: {why}"),
        }
    }
}

impl std::error::Error for RpcError {}
