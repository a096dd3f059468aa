//! [`Clerk`]: the client library (the course's `kvsrv1/client.go`). The tests call its
//! `get` and `put` through the `KvClerk` trait; each keeps trying until the server
//! answers.

use common::kvtest::KvClerk;
use common::kvtest::rpc::{KvErr, Tversion};
use common::tester1::Clnt;

/// A client of the [`crate::KvServer`] named `server` (`MakeClerk(clnt, server)`). Send
/// an RPC with `self.clnt.call(&self.server, GET, &args).await`: it returns the reply, or
/// an error if the request or the reply was lost (the call then may or may not have run
/// on the server). Pause between tries with `common::sim::sleep` (the course's page
/// suggests about 100 ms).
#[allow(dead_code)] // Lab 2: the fields are yours to use.
pub struct Clerk {
    clnt: Clnt,
    server: String,
}

impl Clerk {
    /// A clerk that calls the server named `server` through `clnt`. Called by the tester.
    pub fn new(clnt: Clnt, server: &str) -> Clerk {
        Clerk {
            clnt,
            server: server.to_string(),
        }
    }
}

impl KvClerk for Clerk {
    /// The key's value and version, or `ErrNoKey`. Keeps trying until the server answers.
    async fn get(&self, _key: &str) -> (String, Tversion, KvErr) {
        todo!("Lab 2: Clerk::get")
    }

    /// Puts `value` at `version`. Keeps trying until the server answers. `ErrVersion`
    /// from the first try means the Put surely did not apply; from a resent try it may
    /// have (an earlier copy's reply was lost), so the answer is then `ErrMaybe`.
    async fn put(&self, _key: &str, _value: &str, _version: Tversion) -> KvErr {
        todo!("Lab 2: Clerk::put")
    }
}
