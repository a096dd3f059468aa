//! [`Clerk`]: the client library (the course's `kvraft/client.go`). Each call keeps
//! trying, server after server, until one that leads has applied it.

use common::labrpc::ClientEnd;

/// A client of the key/value service. One call at a time, as `&mut self` enforces.
pub struct Clerk {
    servers: Vec<ClientEnd>,
    // Lab 4A: what else the clerk needs (which server led last time, say).
}

impl Clerk {
    /// A clerk for the servers behind `servers`, handed over in a random order (the
    /// course's `MakeClerk`). Called by the tester.
    pub fn new(servers: Vec<ClientEnd>) -> Clerk {
        Clerk { servers }
    }

    /// The ends to the servers, in the order the clerk was given them.
    pub fn servers(&self) -> &[ClientEnd] {
        &self.servers
    }

    /// The value of `key` (`""` if missing).
    pub async fn get(&mut self, _key: &str) -> String {
        todo!("Lab 4A: Clerk::get")
    }

    /// Sets `key` to `value`.
    pub async fn put(&mut self, _key: &str, _value: &str) {
        todo!("Lab 4A: Clerk::put")
    }

    /// Appends `value` to `key`'s value.
    pub async fn append(&mut self, _key: &str, _value: &str) {
        todo!("Lab 4A: Clerk::append")
    }
}
