//! The 2026 course's KV test toolkit (`kvtest1`), shared by the versioned KV labs (2, 4
//! and 5): the clerk interface the tests call ([`KvClerk`]), the wrapper that counts its
//! calls ([`TestClerk`]), and [`KvTest`]: recorded operations and the course's workloads
//! (`PutAtLeastOnce`, `OnePut`, `OneClientPut`, `SpawnClientsAndWait`,
//! `CheckPutConcurrent`, the partitioner) with the linearizability check of the
//! versioned model ([`crate::linearizability::versioned`]).

pub mod rpc;
mod workload;

use crate::linearizability::versioned::{VersionedInput, VersionedKvModel, VersionedOutput};
use crate::linearizability::{Recorder, assert_linearizable};
use crate::sim;
use crate::tester1::{Clnt, Config};
use rpc::{KvErr, Tversion};
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

pub use workload::{ClntRes, EntryV, Stop, partitioner};

/// The course's `ElectionTimeout` of the KV tests.
pub const ELECTION_TIMEOUT: Duration = Duration::from_secs(1);

/// The client id the main (checking) clerk records its operations under (the course's -1).
pub const MAIN_CLIENT: u64 = u64::MAX;

/// A versioned KV clerk, as the tests call it (`IKVClerk`). `&self`: a clerk is shared by
/// the locks built on it, so what it remembers (the last leader) sits behind its own lock.
pub trait KvClerk: Send + Sync + 'static {
    /// The value and version of `key`, or `ErrNoKey`.
    fn get(&self, key: &str) -> impl Future<Output = (String, Tversion, KvErr)> + Send;
    /// Puts `value` if `key` has `version` (0 creates it).
    fn put(&self, key: &str, value: &str, version: Tversion) -> impl Future<Output = KvErr> + Send;
}

/// A clerk the tests made, with its client (`TestClerk`): each Get and Put adds one to
/// the test's operation count.
pub struct TestClerk<C> {
    clerk: C,
    clnt: Clnt,
    cfg: Arc<Config>,
}

impl<C> TestClerk<C> {
    /// The clerk inside, for calls the test does not count.
    pub fn clerk(&self) -> &C {
        &self.clerk
    }

    /// Its client: connect it to, or cut it off from, servers.
    pub fn clnt(&self) -> &Clnt {
        &self.clnt
    }
}

impl<C: KvClerk> KvClerk for TestClerk<C> {
    async fn get(&self, key: &str) -> (String, Tversion, KvErr) {
        self.cfg.op_inc();
        self.clerk.get(key).await
    }

    async fn put(&self, key: &str, value: &str, version: Tversion) -> KvErr {
        self.cfg.op_inc();
        self.clerk.put(key, value, version).await
    }
}

/// Makes a lab's clerk on a client.
pub type MakeClerk<C> = Arc<dyn Fn(Clnt) -> C + Send + Sync>;

/// One KV test's clerks and recorded history (`kvtest.Test`).
pub struct KvTest<C> {
    cfg: Arc<Config>,
    make: MakeClerk<C>,
    randomkeys: bool,
    history: Recorder<VersionedInput, VersionedOutput>,
}

/// The course's `linearizabilityCheckTimeout`, as a step budget.
pub const LINEARIZABILITY_CHECK_TIMEOUT: Duration = Duration::from_secs(1);

impl<C: KvClerk> KvTest<C> {
    /// A test on `cfg` whose clerks `make` builds; `randomkeys` makes `OneClientPut` pick
    /// random keys.
    pub fn new(cfg: Arc<Config>, randomkeys: bool, make: MakeClerk<C>) -> KvTest<C> {
        KvTest {
            cfg,
            make,
            randomkeys,
            history: Recorder::new(),
        }
    }

    /// The test's configuration.
    pub fn cfg(&self) -> &Arc<Config> {
        &self.cfg
    }

    /// A clerk on a new client that may reach every server (`MakeClerk`).
    pub fn make_clerk(&self) -> TestClerk<C> {
        self.wrap(self.cfg.make_client())
    }

    /// A clerk on a new client that may reach only the servers in `to`.
    pub fn make_clerk_to(&self, to: &[String]) -> TestClerk<C> {
        self.wrap(self.cfg.make_client_to(to))
    }

    fn wrap(&self, clnt: Clnt) -> TestClerk<C> {
        TestClerk {
            clerk: (self.make)(clnt.clone()),
            clnt,
            cfg: self.cfg.clone(),
        }
    }

    /// Removes a clerk's ends from the network (`DeleteClerk`).
    pub fn delete_clerk(&self, ck: TestClerk<C>) {
        self.cfg.delete_client(&ck.clnt);
    }

    /// A Get through `ck`, recorded as client `cli`'s.
    async fn recorded_get(
        &self,
        ck: &impl KvClerk,
        key: &str,
        cli: u64,
    ) -> (String, Tversion, KvErr) {
        let call = self.history.call();
        let (value, version, err) = ck.get(key).await;
        let output = VersionedOutput {
            value: Arc::from(value.as_str()),
            version,
            err,
        };
        let input = VersionedInput::Get {
            key: key.to_string(),
        };
        self.history.record(cli, input, call, output);
        (value, version, err)
    }

    /// A Put through `ck`, recorded as client `cli`'s.
    async fn recorded_put(
        &self,
        ck: &impl KvClerk,
        key: &str,
        value: &str,
        version: Tversion,
        cli: u64,
    ) -> KvErr {
        let call = self.history.call();
        let err = ck.put(key, value, version).await;
        let input = VersionedInput::Put {
            key: key.to_string(),
            value: value.to_string(),
            version,
        };
        let output = VersionedOutput {
            value: Arc::from(""),
            version: 0,
            err,
        };
        self.history.record(cli, input, call, output);
        err
    }

    /// The course's `ts.Get`: a recorded Get that counts one more operation.
    pub async fn get(&self, ck: &impl KvClerk, key: &str, cli: u64) -> (String, Tversion, KvErr) {
        let got = self.recorded_get(ck, key, cli).await;
        self.cfg.op_inc();
        got
    }

    /// The course's `ts.Put`: a recorded Put.
    pub async fn put(
        &self,
        ck: &impl KvClerk,
        key: &str,
        value: &str,
        version: Tversion,
        cli: u64,
    ) -> KvErr {
        self.recorded_put(ck, key, value, version, cli).await
    }

    /// The course's `PutAtLeastOnce`: puts `value` at `version`, and on `ErrMaybe` or
    /// `ErrVersion` again at the next version, until a Put answers `OK`. Returns the
    /// version after the write. Assumes one writer of `key`.
    #[track_caller]
    pub fn put_at_least_once<'a>(
        &'a self,
        ck: &'a impl KvClerk,
        key: &'a str,
        value: &'a str,
        version: Tversion,
        me: u64,
    ) -> impl Future<Output = Tversion> + Send + 'a {
        let at = std::panic::Location::caller();
        async move {
            let mut ver = version;
            loop {
                match self.put(ck, key, value, ver, me).await {
                    KvErr::Ok | KvErr::ErrMaybe | KvErr::ErrVersion if ver == Tversion::MAX => {
                        panic!("{at}: Put {key} ver {ver}: no version after it")
                    }
                    KvErr::Ok => return ver + 1,
                    KvErr::ErrMaybe | KvErr::ErrVersion => ver += 1,
                    err if ver == 0 => tracing::debug!(%err, "PutAtLeastOnce retries"),
                    err => panic!("{at}: Put {key} ver {ver} err {err}"),
                }
            }
        }
    }

    /// The course's `CheckGet`: a recorded Get must read `value` at `version`.
    #[track_caller]
    pub fn check_get<'a>(
        &'a self,
        ck: &'a impl KvClerk,
        key: &'a str,
        value: &'a str,
        version: Tversion,
    ) -> impl Future<Output = ()> + Send + 'a {
        let at = std::panic::Location::caller();
        async move {
            let (v, ver, err) = self.get(ck, key, MAIN_CLIENT).await;
            assert!(err == KvErr::Ok, "{at}: Get({key}) returns error = {err}");
            assert!(
                v == value && ver == version,
                "{at}: Get({key}) returns ({v}, {ver}) != ({value}, {version})"
            );
        }
    }

    /// The course's `CheckPorcupine`: the whole history recorded so far must be
    /// linearizable (the course's 1 s check timeout, as a step budget).
    pub fn check_porcupine(&self) {
        self.check_porcupine_t(LINEARIZABILITY_CHECK_TIMEOUT);
    }

    /// [`KvTest::check_porcupine`] with another timeout (`CheckPorcupineT`).
    pub fn check_porcupine_t(&self, timeout: Duration) {
        let history = self.history.history();
        assert_linearizable(&VersionedKvModel, &history, timeout);
    }

    /// Operations recorded so far.
    pub fn recorded(&self) -> usize {
        self.history.len()
    }

    /// Whether `OneClientPut` picks random keys.
    pub fn randomkeys(&self) -> bool {
        self.randomkeys
    }
}

/// The course's `RandValue(n)`: `n` random letters, a-z and A-Z.
pub fn rand_value(n: usize) -> String {
    sim::random_string(sim::LETTERS, n)
}

/// The course's `MakeKeys(n)`: `k0` ... `k<n-1>`.
pub fn make_keys(n: usize) -> Vec<String> {
    (0..n).map(|i| format!("k{i}")).collect()
}

/// The course's `tester.Randstring(n)`: `n` base64url characters.
pub fn randstring(n: usize) -> String {
    const BASE64URL: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    sim::random_string(BASE64URL, n)
}
