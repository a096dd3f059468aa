//! The course's KV workloads (`kvtest1/kvtest.go`): many clients putting to shared keys
//! with versions, the checks of what they did, and the random partitioner.

use super::rpc::{KvErr, Tversion};
use super::{KvClerk, KvTest, MAIN_CLIENT, TestClerk};
use crate::sim::{self, RngExt};
use crate::tester1::{Daemon, ServerGrp};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
use tokio::sync::Notify;

/// What the clients of `OneClientPut` write: who, and at which version (`EntryV`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntryV {
    /// The client.
    #[serde(rename = "Id")]
    pub id: u64,
    /// The version it put at.
    #[serde(rename = "V")]
    pub v: Tversion,
}

/// What one client's Puts came to (`ClntRes`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ClntRes {
    /// Puts that answered `OK`.
    pub nok: u64,
    /// Puts that answered `ErrMaybe`.
    pub nmaybe: u64,
}

impl std::fmt::Display for ClntRes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{{{} {}}}", self.nok, self.nmaybe)
    }
}

/// The course's `done` channel, unbuffered: each stop signal the test sends is taken by
/// whichever client looks first, and the send waits until one does. Which client stops
/// first matters: with a lock or a contended key, the client that just finished a step
/// takes the signal and leaves, so the others stop competing with it; stopping the
/// clients in a fixed order instead starves the one asked to stop while the rest keep
/// winning, which the course never does.
#[derive(Debug, Clone, Default)]
pub struct Stop(Arc<StopInner>);

#[derive(Debug, Default)]
struct StopInner {
    /// A signal is being sent and nobody has taken it yet.
    offered: AtomicBool,
    /// Wakes the sender when a client takes the signal.
    taken: Notify,
}

impl Stop {
    /// No signal sent yet.
    pub fn new() -> Stop {
        Stop::default()
    }

    /// Sends one signal (`done <- struct{}{}`): returns once some client has taken it.
    pub async fn stop(&self) {
        self.0.offered.store(true, Ordering::SeqCst);
        while self.0.offered.load(Ordering::SeqCst) {
            sim::waiting("a client to take a stop signal", self.0.taken.notified()).await;
        }
    }

    /// Takes the signal being sent, if there is one (`case <-done:`); a client that
    /// sees `true` must stop.
    pub fn stopped(&self) -> bool {
        let took = self.0.offered.swap(false, Ordering::SeqCst);
        if took {
            self.0.taken.notify_one();
        }
        took
    }
}

impl<C: KvClerk> KvTest<C> {
    /// The course's `GetJson`: a recorded Get of `key` (counted once more), decoded from
    /// JSON. Any error but `OK` fails the test. Returns the value and its version.
    pub async fn get_json<T: DeserializeOwned>(
        &self,
        ck: &impl KvClerk,
        key: &str,
        me: u64,
    ) -> (T, Tversion) {
        let (value, ver, err) = self.recorded_get(ck, key, me).await;
        self.cfg.op_inc();
        assert!(err == KvErr::Ok, "{me}: Get {key:?} err {err}");
        match serde_json::from_str(&value) {
            Ok(v) => (v, ver),
            Err(e) => panic!("Unmarshal err {e}"),
        }
    }

    /// The course's `PutJson`: a recorded Put (counted once more) of `v` as JSON.
    pub async fn put_json<T: Serialize>(
        &self,
        ck: &impl KvClerk,
        key: &str,
        v: &T,
        ver: Tversion,
        me: u64,
    ) -> KvErr {
        let value = serde_json::to_string(v).expect("a plain value encodes");
        let err = self.recorded_put(ck, key, &value, ver, me).await;
        self.cfg.op_inc();
        err
    }

    /// The course's `OnePut`: puts this client's entry at `ver` until a Put answers `OK`
    /// or `ErrMaybe`, reading the key after each; returns the version read and whether
    /// the last Put was `OK`.
    pub async fn one_put(
        &self,
        me: u64,
        ck: &impl KvClerk,
        key: &str,
        mut ver: Tversion,
    ) -> (Tversion, bool) {
        loop {
            let err = self
                .put_json(ck, key, &EntryV { id: me, v: ver }, ver, me)
                .await;
            assert!(
                matches!(err, KvErr::Ok | KvErr::ErrVersion | KvErr::ErrMaybe),
                "Wrong error {err}"
            );
            let (e, ver0): (EntryV, Tversion) = self.get_json(ck, key, me).await;
            if err == KvErr::Ok && ver.checked_add(1) == Some(ver0) {
                // My put.
                assert!(e.id == me || e.v == ver, "Wrong value {e:?}");
            }
            ver = ver0;
            if matches!(err, KvErr::Ok | KvErr::ErrMaybe) {
                return (ver, err == KvErr::Ok);
            }
        }
    }

    /// The course's `OneClientPut`: until `done`, [`KvTest::one_put`] to `keys[0]` (or a
    /// random key of `keys` with random keys), tracking each key's version.
    pub async fn one_client_put(
        &self,
        cli: u64,
        ck: &impl KvClerk,
        keys: &[String],
        done: &Stop,
    ) -> ClntRes {
        let mut res = ClntRes::default();
        let mut versions = vec![0; keys.len()];
        while !done.stopped() {
            let k = if self.randomkeys {
                sim::rng(|r| r.random_range(0..keys.len()))
            } else {
                0
            };
            let (ver, ok) = self.one_put(cli, ck, &keys[k], versions[k]).await;
            versions[k] = ver;
            if ok {
                res.nok += 1;
            } else {
                res.nmaybe += 1;
            }
        }
        res
    }

    /// The course's `SpawnClientsAndWait`: `n` clients, each on a new clerk running `f`
    /// until told to stop; after `d`, sends `n` stop signals, each taken by whichever
    /// client looks first, and returns what each did.
    pub async fn spawn_clients_and_wait<F, Fut>(
        self: &Arc<Self>,
        n: usize,
        d: Duration,
        f: F,
    ) -> Vec<ClntRes>
    where
        F: Fn(Arc<Self>, u64, TestClerk<C>, Stop) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = ClntRes> + Send + 'static,
    {
        let f = Arc::new(f);
        let done = Stop::new();
        let mut clients = Vec::with_capacity(n);
        for cli in 0..n {
            let (ts, f, done) = (self.clone(), f.clone(), done.clone());
            clients.push(sim::spawn(async move {
                let ck = ts.make_clerk();
                let clnt = ck.clnt().clone();
                let res = f(ts.clone(), cli as u64, ck, done).await;
                ts.cfg.delete_client(&clnt);
                res
            }));
        }
        sim::sleep(d).await;
        for _ in 0..n {
            done.stop().await;
        }
        let mut results = Vec::with_capacity(n);
        for task in clients {
            results.push(
                sim::waiting("a client to stop", task)
                    .await
                    .expect("client task"),
            );
        }
        results
    }

    /// The course's `CheckPutConcurrent`: adds `rs` into `res`, then the key's version on
    /// the server must equal the clients' `OK` Puts (reliable), or be at most their `OK`
    /// and `ErrMaybe` Puts (otherwise).
    pub async fn check_put_concurrent(
        &self,
        ck: &impl KvClerk,
        key: &str,
        rs: &[ClntRes],
        res: &mut ClntRes,
        reliable: bool,
    ) {
        let (_, ver0): (EntryV, Tversion) = self.get_json(ck, key, MAIN_CLIENT).await;
        for r in rs {
            res.nok += r.nok;
            res.nmaybe += r.nmaybe;
        }
        if reliable {
            assert!(
                ver0 == res.nok,
                "Reliable: Wrong number of puts: server {ver0} clnts {res}"
            );
        } else {
            assert!(
                ver0 <= res.nok + res.nmaybe,
                "Unreliable: Wrong number of puts: server {ver0} clnts {res}"
            );
        }
    }

    /// The course's `SpreadPutsSize(ck, n, size)`: unrecorded Puts of random values to
    /// `k0`..`k<n-1>`, whose results are ignored, then each must read version 1.
    pub async fn spread_puts_size(
        &self,
        ck: &impl KvClerk,
        n: usize,
        size: usize,
    ) -> (Vec<String>, Vec<String>) {
        let keys = super::make_keys(n);
        let mut values = Vec::with_capacity(n);
        for key in &keys {
            let value = super::randstring(size);
            let _ = ck.put(key, &value, 0).await;
            values.push(value);
        }
        for (key, value) in keys.iter().zip(&values) {
            self.check_get(ck, key, value, 1).await;
        }
        (keys, values)
    }
}

/// The course's `Partitioner`: until `stop`, puts each server of `grp` on one side or the
/// other by a coin flip (a side may be empty) and partitions, every 1.0 to 1.2 s.
pub async fn partitioner<S: Daemon>(grp: Arc<ServerGrp<S>>, stop: Stop) {
    while !stop.stopped() {
        let (mut p1, mut p2) = (Vec::new(), Vec::new());
        for i in 0..grp.n() {
            if sim::rng(|r| r.random_range(0..2)) == 0 {
                p1.push(i);
            } else {
                p2.push(i);
            }
        }
        grp.partition(&p1, &p2);
        let ms = 1000 + sim::rng(|r| r.random_range(0..200));
        sim::sleep(Duration::from_millis(ms)).await;
    }
}

#[cfg(test)]
mod tests {
    use super::Stop;
    use crate::sim;
    use std::sync::{Arc, Mutex};
    use std::time::Duration;

    /// The course's `done` is one unbuffered channel: the first signal goes to the client
    /// that looks first, not to client 0, so a client busy for long does not hold the
    /// others up (a lock waiter must not be asked to stop before the holder is).
    #[test]
    fn a_stop_signal_goes_to_whichever_client_looks_first() {
        sim::run(|| async {
            let done = Stop::new();
            let order = Arc::new(Mutex::new(Vec::new()));
            let mut tasks = Vec::new();
            for (cli, step_ms) in [(0, 5_000), (1, 10)] {
                let (done, order) = (done.clone(), order.clone());
                tasks.push(sim::spawn(async move {
                    while !done.stopped() {
                        sim::sleep(Duration::from_millis(step_ms)).await;
                    }
                    order.lock().unwrap().push((cli, sim::now()));
                }));
            }
            sim::sleep(Duration::from_millis(15)).await;
            done.stop().await;
            assert!(
                sim::now() < Duration::from_millis(100),
                "the quick client looked first"
            );
            done.stop().await;
            for t in tasks {
                t.await.unwrap();
            }
            let order = order.lock().unwrap().clone();
            assert_eq!(order.iter().map(|(c, _)| *c).collect::<Vec<_>>(), [1, 0]);
            assert!(order[1].1 >= Duration::from_secs(5));
            // No signal is pending: a client that looks now goes on.
            assert!(!done.stopped());
        });
    }
}
