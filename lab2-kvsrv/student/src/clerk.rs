//! [`Clerk`]: the client library (the course's `client.go`). The tests call its methods;
//! each must keep trying until the server has answered, so that the caller sees every
//! operation take effect exactly once, whatever the network loses.

use common::labrpc::ClientEnd;

/// A client of the [`crate::KvServer`]. One call at a time, as `&mut self` enforces for
/// writes. Send an RPC with `self.server.call(GET, &args).await`: it returns the reply, or
/// an error if the request or the reply was lost (the call then may or may not have run
/// on the server). Random numbers come from the world's RNG:
/// `common::sim::rng(|r| r.random::<u64>())`, with `use common::sim::RngExt;`.
pub struct Clerk {
    server: ClientEnd,
    // Lab 2: what else the clerk needs.
}

impl Clerk {
    /// A clerk that talks to the server through `server` (the course's `MakeClerk`).
    /// Called by the tester.
    pub fn new(server: ClientEnd) -> Clerk {
        Clerk { server }
    }

    /// The network end this clerk calls through. Called by the tester.
    pub fn end(&self) -> &ClientEnd {
        &self.server
    }

    /// The value of `key` (`""` if missing). Keeps trying until the server answers.
    pub async fn get(&self, _key: &str) -> String {
        todo!("Lab 2: Clerk::get")
    }

    /// Sets `key` to `value`. Keeps trying until the server answers.
    pub async fn put(&mut self, _key: &str, _value: &str) {
        todo!("Lab 2: Clerk::put")
    }

    /// Appends `value` to `key`'s value and returns the value before. Keeps trying until
    /// the server answers.
    pub async fn append(&mut self, _key: &str, _value: &str) -> String {
        todo!("Lab 2: Clerk::append")
    }
}
