//! [`Clerk`]: resends a request until the server answers. A Put that had to be resent and
//! then hears `ErrVersion` may have applied on an earlier copy: it answers `ErrMaybe`.

use common::kvtest::KvClerk;
use common::kvtest::rpc::{GET, GetArgs, KvErr, PUT, PutArgs, Tversion};
use common::sim;
use common::tester1::Clnt;
use std::time::Duration;

/// How long a clerk waits before resending. Short: a lost message has already cost the
/// call its delay (up to 27 ms dropped, up to 100 ms to a server that is gone), and a
/// clerk that waits long after each loss is slow on a lossy network, where Lab 5's
/// controller, which keeps its state in this server, must post a change within the
/// second its test allows (`partitionCtrler`; with 100 ms, 1 run in 300 of
/// `test_partition_recovery_unreliable_no_clerk_5c` lost five messages in a row and
/// missed it).
const RETRY_PAUSE: Duration = Duration::from_millis(20);

/// A client of the [`crate::KvServer`] named `server` (`MakeClerk(clnt, server)`).
pub struct Clerk {
    clnt: Clnt,
    server: String,
}

impl Clerk {
    /// A clerk that calls `server` through `clnt`.
    pub fn new(clnt: Clnt, server: &str) -> Clerk {
        Clerk {
            clnt,
            server: server.to_string(),
        }
    }
}

impl KvClerk for Clerk {
    async fn get(&self, key: &str) -> (String, Tversion, KvErr) {
        let args = GetArgs {
            key: key.to_string(),
        };
        loop {
            match self.clnt.call(&self.server, GET, &args).await {
                Ok(reply) => return (reply.value, reply.version, reply.err),
                Err(e) => tracing::debug!(key, error = %e, "Get: resend"),
            }
            sim::sleep(RETRY_PAUSE).await;
        }
    }

    async fn put(&self, key: &str, value: &str, version: Tversion) -> KvErr {
        let args = PutArgs {
            key: key.to_string(),
            value: value.to_string(),
            version,
        };
        let mut resent = false;
        loop {
            match self.clnt.call(&self.server, PUT, &args).await {
                // Only a first copy's ErrVersion proves the Put did not apply.
                Ok(reply) if reply.err == KvErr::ErrVersion && resent => return KvErr::ErrMaybe,
                Ok(reply) => return reply.err,
                Err(e) => tracing::debug!(key, version, error = %e, "Put: resend"),
            }
            resent = true;
            sim::sleep(RETRY_PAUSE).await;
        }
    }
}
