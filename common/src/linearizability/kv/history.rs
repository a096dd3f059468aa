//! [`KvHistory`]: the history a KV test records for the checker, shared by the testers
//! of Labs 2, 4 and 5. Each clerk operation goes through it: the call is stamped, the
//! operation runs, the return is stamped, and the operation is recorded as its client's,
//! with the values read sharing what they have in common ([`SharedValues`]).

use super::{KvInput, KvModel, KvOutput, SharedValues};
use crate::linearizability::{Recorder, Verdict, assert_linearizable};
use std::future::Future;
use std::time::Duration;

/// A KV test's recorded operations. Safe to use from many tasks at once.
#[derive(Default)]
pub struct KvHistory {
    recorder: Recorder<KvInput, KvOutput>,
    values: SharedValues,
}

impl KvHistory {
    /// Nothing recorded yet.
    pub fn new() -> KvHistory {
        KvHistory::default()
    }

    /// Runs `get`, a Get of `key`, as client `client`'s operation; records and returns
    /// the value read.
    pub async fn get(&self, client: u64, key: &str, get: impl Future<Output = String>) -> String {
        let call = self.recorder.call();
        let value = get.await;
        let input = KvInput::Get {
            key: key.to_string(),
        };
        self.record_read(client, input, call, key, &value);
        value
    }

    /// Runs and records `put`, a Put of `value` to `key`.
    pub async fn put(&self, client: u64, key: &str, value: &str, put: impl Future<Output = ()>) {
        let input = KvInput::Put {
            key: key.to_string(),
            value: value.to_string(),
        };
        self.write(client, input, put).await;
    }

    /// Runs and records `append`, an Append of `value` to `key` that returns nothing
    /// (Labs 4 and 5).
    pub async fn append(
        &self,
        client: u64,
        key: &str,
        value: &str,
        append: impl Future<Output = ()>,
    ) {
        let input = KvInput::Append {
            key: key.to_string(),
            value: value.to_string(),
        };
        self.write(client, input, append).await;
    }

    /// Runs and records `write`, which returns nothing.
    async fn write(&self, client: u64, input: KvInput, write: impl Future<Output = ()>) {
        let call = self.recorder.call();
        write.await;
        self.recorder
            .record(client, input, call, KvOutput::default());
    }

    /// Runs `append`, an Append of `value` to `key` that returns the value before it
    /// (Lab 2); records and returns that value.
    pub async fn append_returning_old(
        &self,
        client: u64,
        key: &str,
        value: &str,
        append: impl Future<Output = String>,
    ) -> String {
        let call = self.recorder.call();
        let old = append.await;
        let input = KvInput::Append {
            key: key.to_string(),
            value: value.to_string(),
        };
        self.record_read(client, input, call, key, &old);
        old
    }

    fn record_read(&self, client: u64, input: KvInput, call: u64, key: &str, read: &str) {
        let output = KvOutput {
            value: self.values.value(key, read.to_string()),
        };
        self.recorder.record(client, input, call, output);
    }

    /// Takes the recorded history and fails the test unless it is linearizable under
    /// `model` (see [`assert_linearizable`]); returns the verdict and the number of
    /// operations checked.
    pub fn assert_linearizable(&self, model: &KvModel, timeout: Duration) -> (Verdict, usize) {
        let history = self.recorder.take();
        let verdict = assert_linearizable(model, &history, timeout);
        (verdict, history.len())
    }
}
