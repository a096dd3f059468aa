//! The durable state of a peer as bytes for its [`common::persister::Persister`]:
//! `current_term`, `voted_for` and the log (with its snapshot point).

use crate::core::Core;
use crate::core::log::Log;
use serde::Serialize;

/// What is saved, borrowed from the core so that saving copies the log only once, into
/// the encoding.
#[derive(Serialize)]
struct Durable<'a> {
    current_term: u64,
    voted_for: Option<usize>,
    log: &'a Log,
}

/// The core's durable state, encoded.
pub fn encode(core: &Core) -> Vec<u8> {
    let durable = Durable {
        current_term: core.current_term(),
        voted_for: core.voted_for(),
        log: core.log(),
    };
    // Encoding plain integers and byte vectors into a Vec cannot fail.
    common::codec::encode(&durable).unwrap_or_else(|e| panic!("encoding the Raft state: {e}"))
}
