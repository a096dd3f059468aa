//! [`Raft`]: the thin Tokio driver around the pure [`Core`].
//!
//! The core sits behind one mutex, and every event goes through [`Raft::step`]: lock, step
//! the core, then carry out its [`Output`] in the required order before unlocking:
//!
//! 1. persist the durable state if it changed (so nothing leaves this peer that depends
//!    on state a crash could lose);
//! 2. start one task per outgoing request, which awaits the reply and steps the core with
//!    it (a slow or dead peer delays nobody else);
//! 3. queue committed entries for the applier task, in index order.
//!
//! The apply channel is bounded (capacity 1: the closest Tokio has to the course's
//! unbuffered `applyCh`), so a send can wait for the service. That wait must never hold
//! the lock: the service calls back into Raft ([`Raft::snapshot`]) from the very task that
//! reads the channel, and a Raft that delivered under its lock would deadlock there (the
//! course's "four-way deadlock"). So one applier task per peer delivers the queue: it
//! waits for a free slot with no lock held, then takes the next message under the lock
//! and sends it into the slot it reserved. The protocol never waits for the service; the
//! queue holds what the service has not taken yet.
//!
//! Events come from: a ticker task (one tick every [`Config::tick`]), the `Raft` service's
//! handlers (incoming RPCs, answered with the core's reply), the reply tasks, and the
//! service's calls to [`Raft::start`]. `start` is synchronous, as the course's `Start` is,
//! which is why the core is shared behind a lock rather than owned by a single task; the
//! lock is never held across an `.await`.
//!
//! Services learn of a new term or a change of leadership from [`Raft::state_change`]
//! rather than by polling [`Raft::get_state`]: every step that changes either wakes its
//! waiters, in the order they started waiting.
//!
//! After [`Raft::kill`] (checked under the same lock) the peer does nothing: no step, no
//! persist, no send, no reply, no apply (the applier checks before each message), so a
//! killed instance writes nothing more that counts.

use crate::core::log::LogId;
use crate::core::messages::{Request, Response};
use crate::core::{Config, Core, Durable, Input, Output, Role};
use crate::persist::{self, RestoreError};
use crate::rpc;
use common::ApplyMsg;
use common::labrpc::{ClientEnd, Service};
use common::persister::Persister;
use common::sim::{self, RngExt};
use futures::future::Either;
use std::collections::VecDeque;
use std::future::{self as future, Pending, Ready};
use std::sync::{Arc, Mutex, MutexGuard};
use tokio::sync::Notify;
use tokio::sync::mpsc::Sender;

/// The configuration [`Raft::new`] and [`Raft::try_new`] use: [`Config::default`], unless
/// this process set another with [`set_process_config`].
static PROCESS_CONFIG: std::sync::OnceLock<Config> = std::sync::OnceLock::new();

/// Sets, once per process, the configuration every [`Raft::new`] and [`Raft::try_new`] of
/// the process uses: how the real cluster's binaries give the services' Rafts
/// [`Config::real`] without a new parameter on every service's `start`. The tests never
/// call it; it fails (returning the config) if already set.
///
/// # Errors
/// When a configuration was set before.
pub fn set_process_config(config: Config) -> Result<(), Config> {
    PROCESS_CONFIG.set(config)
}

fn process_config() -> Config {
    PROCESS_CONFIG.get().copied().unwrap_or_default()
}

/// A Raft peer: a cheap, cloneable handle (the course's `*Raft`).
#[derive(Clone)]
pub struct Raft {
    inner: Arc<Inner>,
}

struct Inner {
    me: usize,
    peers: Vec<ClientEnd>,
    persister: Arc<dyn Persister>,
    state: Mutex<State>,
    /// Wakes the applier: messages were queued, or the peer was killed.
    to_apply_changed: Notify,
    /// Wakes [`Raft::state_change`]'s waiters: the term or the leadership changed, or the
    /// peer was killed. A `Notify` wakes its waiters in the order they registered, so the
    /// simulation stays deterministic (Tokio's `watch` wakes in an unseeded order).
    state_changed: Notify,
}

struct State {
    core: Core,
    saver: persist::Saver,
    /// Committed entries (and installed snapshots) the service has not been handed yet,
    /// in index order.
    to_apply: VecDeque<ApplyMsg>,
    killed: bool,
}

impl Raft {
    /// Starts peer `me` of the cluster whose ends are `peers` (one per peer, in peer order;
    /// `peers[me]` is never called), restoring its state from `persister`. Committed
    /// entries go to `apply_tx` (bounded; see the module documentation). Spawns its tasks
    /// on the current runtime and returns at once.
    ///
    /// A persisted state that cannot be restored is logged as an error, and the peer stays
    /// stopped ([`Raft::killed`]): starting it empty could make it vote twice in a term or
    /// forget entries it acknowledged. [`Raft::try_new`] returns the error instead.
    ///
    /// # Panics
    /// If `me` is not an index of `peers`.
    pub fn new(
        peers: Vec<ClientEnd>,
        me: usize,
        persister: Arc<dyn Persister>,
        apply_tx: Sender<ApplyMsg>,
    ) -> Raft {
        let saved = persister.read_raft_state();
        match persist::decode(&saved, peers.len()) {
            Ok(durable) => {
                Raft::start_from(peers, me, persister, apply_tx, durable, process_config())
            }
            Err(e) => {
                tracing::error!(peer = me, bytes = saved.len(), error = %e, "cannot restore; the peer stays stopped");
                let core = Core::new(me, peers.len(), process_config(), 0);
                let raft = Raft::build(peers, me, persister, core);
                raft.kill();
                raft
            }
        }
    }

    /// As [`Raft::new`], but a persisted state that cannot be restored is an error.
    ///
    /// # Errors
    /// When the persisted Raft state does not decode or is invalid.
    ///
    /// # Panics
    /// If `me` is not an index of `peers`.
    pub fn try_new(
        peers: Vec<ClientEnd>,
        me: usize,
        persister: Arc<dyn Persister>,
        apply_tx: Sender<ApplyMsg>,
    ) -> Result<Raft, RestoreError> {
        Raft::try_with_config(peers, me, persister, apply_tx, process_config())
    }

    /// As [`Raft::try_new`], with timing and options of the caller's choice instead of
    /// [`Config::default`] (the tests and services use the default; this is for
    /// experiments, such as turning pre-vote off).
    ///
    /// # Errors
    /// When the persisted Raft state does not decode or is invalid.
    ///
    /// # Panics
    /// If `me` is not an index of `peers`, or the configuration's election timeout range
    /// is empty.
    pub fn try_with_config(
        peers: Vec<ClientEnd>,
        me: usize,
        persister: Arc<dyn Persister>,
        apply_tx: Sender<ApplyMsg>,
        config: Config,
    ) -> Result<Raft, RestoreError> {
        let durable = persist::decode(&persister.read_raft_state(), peers.len())?;
        Ok(Raft::start_from(
            peers, me, persister, apply_tx, durable, config,
        ))
    }

    /// Starts the peer from its restored state (`None`: it never saved any) and its ticker.
    fn start_from(
        peers: Vec<ClientEnd>,
        me: usize,
        persister: Arc<dyn Persister>,
        apply_tx: Sender<ApplyMsg>,
        durable: Option<Durable>,
        config: Config,
    ) -> Raft {
        let seed = sim::rng(|r| r.random());
        let core = match durable {
            Some(durable) => {
                tracing::debug!(
                    peer = me,
                    term = durable.current_term,
                    index = durable.log.last_index(),
                    "restored"
                );
                let snapshot = persister.read_snapshot();
                Core::restore(me, peers.len(), config, seed, durable, snapshot)
            }
            None => Core::new(me, peers.len(), config, seed),
        };
        let raft = Raft::build(peers, me, persister, core);
        raft.spawn_ticker(config.tick);
        raft.spawn_applier(apply_tx);
        raft
    }

    fn build(peers: Vec<ClientEnd>, me: usize, persister: Arc<dyn Persister>, core: Core) -> Raft {
        Raft {
            inner: Arc::new(Inner {
                me,
                peers,
                persister,
                state: Mutex::new(State {
                    core,
                    saver: persist::Saver::new(),
                    to_apply: VecDeque::new(),
                    killed: false,
                }),
                to_apply_changed: Notify::new(),
                state_changed: Notify::new(),
            }),
        }
    }

    fn state(&self) -> MutexGuard<'_, State> {
        // Every critical section leaves the state whole: a panic inside one is a bug that
        // has already failed the test, and what remains is still consistent to read.
        self.inner.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// (current term, whether this peer believes it is the leader).
    pub fn get_state(&self) -> (u64, bool) {
        let state = self.state();
        (state.core.current_term(), state.core.role() == Role::Leader)
    }

    /// The last index that the snapshot this peer holds covers (0: none). Not part of the
    /// course's API: a service restarting from the persisted snapshot checks against it
    /// that the snapshot is the one Raft's log continues from.
    pub fn last_included_index(&self) -> u64 {
        self.state().core.log().last_included_index()
    }

    /// The highest index this peer knows committed. Not part of the course's API: the
    /// real cluster's status reports it.
    pub fn commit_index(&self) -> u64 {
        self.state().core.commit_index()
    }

    /// The last index of this peer's log (its snapshot's, if the log is empty). Not part
    /// of the course's API: the real cluster's status reports it.
    pub fn last_log_index(&self) -> u64 {
        self.state().core.log().last_index()
    }

    /// Waits until this peer's `(term, is_leader)` differs from `since`, and returns the
    /// new value: the event that services would otherwise poll [`Raft::get_state`] for (a
    /// waiting request whose leader was deposed, a new leader's first duties). A killed
    /// peer leads nothing: for it the value is `(term, false)`.
    ///
    /// # Cancel safety
    /// Cancel safe: it consumes nothing, and a new call sees any change that happened
    /// meanwhile.
    pub async fn state_change(&self, since: (u64, bool)) -> (u64, bool) {
        loop {
            let notified = self.inner.state_changed.notified();
            tokio::pin!(notified);
            // Registered before the state is read, so no change can slip in between.
            notified.as_mut().enable();
            let now = {
                let state = self.state();
                let (term, leader) = (state.core.current_term(), state.core.role() == Role::Leader);
                (term, leader && !state.killed)
            };
            if now != since {
                return now;
            }
            sim::waiting("a change of term or leadership", notified).await;
        }
    }

    /// The course's `Start`: if this peer leads, appends `command` to its log and starts
    /// replicating it, returning its (index, term); otherwise `None`. There is no guarantee
    /// the command will ever be committed: watch the apply channel.
    pub fn start(&self, command: Vec<u8>) -> Option<(u64, u64)> {
        self.step(Input::Propose(command))
            .and_then(|answer| answer.proposed)
            .map(|id| (id.index, id.term))
    }

    /// The service has applied everything through `index` and saved its state as
    /// `snapshot`: Raft may drop its log up to `index` (the course's `Snapshot`). The
    /// snapshot is saved with Raft's state in one save before anything else happens.
    pub fn snapshot(&self, index: u64, snapshot: Vec<u8>) {
        let _ = self.step(Input::Snapshot {
            index,
            data: snapshot,
        });
    }

    /// The size in bytes of the Raft state it last saved (the 2026 course's
    /// `PersistBytes`): what a service compares with its `maxraftstate`.
    pub fn persist_bytes(&self) -> usize {
        self.inner.persister.raft_state_size()
    }

    /// Stops the peer: its tasks end and later calls do nothing.
    pub fn kill(&self) {
        let mut state = self.state();
        if !state.killed {
            tracing::debug!(peer = self.inner.me, "killed");
        }
        state.killed = true;
        self.inner.to_apply_changed.notify_one();
        self.inner.state_changed.notify_waiters();
    }

    /// Whether [`Raft::kill`] was called.
    pub fn killed(&self) -> bool {
        self.state().killed
    }

    /// The `Raft` service, to add to this peer's labrpc server.
    pub fn service(&self) -> Service {
        Service::new(rpc::SERVICE)
            .handle(
                rpc::PRE_VOTE,
                self.handler(Request::PreVote, |r| match r {
                    Response::PreVote(reply) => Some(reply),
                    _ => None,
                }),
            )
            .handle(
                rpc::REQUEST_VOTE,
                self.handler(Request::RequestVote, |r| match r {
                    Response::RequestVote(reply) => Some(reply),
                    _ => None,
                }),
            )
            .handle(
                rpc::APPEND_ENTRIES,
                self.handler(Request::AppendEntries, |r| match r {
                    Response::AppendEntries(reply) => Some(reply),
                    _ => None,
                }),
            )
            .handle(
                rpc::INSTALL_SNAPSHOT,
                self.handler(Request::InstallSnapshot, |r| match r {
                    Response::InstallSnapshot(reply) => Some(reply),
                    _ => None,
                }),
            )
    }

    /// One method of the `Raft` service: wraps the arguments as a [`Request`], steps the
    /// core, and answers with its reply of the same kind. A killed peer stays silent: the
    /// caller's end sees what it would see of a crashed server.
    fn handler<A, R>(
        &self,
        request: fn(A) -> Request,
        reply: fn(Response) -> Option<R>,
    ) -> impl Fn(A) -> Either<Ready<R>, Pending<R>> + Send + Sync + 'static
    where
        A: 'static,
        R: Send + 'static,
    {
        let raft = self.clone();
        move |args| {
            let answer = raft
                .step(Input::Request(request(args)))
                .and_then(|answer| answer.reply)
                .and_then(reply);
            match answer {
                Some(reply) => Either::Left(future::ready(reply)),
                None => Either::Right(future::pending()),
            }
        }
    }

    /// Steps the core with `input` and carries out the output (see the module
    /// documentation). Returns what the caller waits for, or `None` once killed.
    fn step(&self, input: Input) -> Option<Answer> {
        let mut state = self.state();
        if state.killed {
            return None;
        }
        let before = (state.core.current_term(), state.core.role());
        let Output {
            persist,
            messages,
            reply,
            apply,
            proposed,
            violation,
        } = state.core.step(input);
        if let Some(violation) = violation {
            // Refused by the core and logged there; in simulation only a bug sends it.
            sim::fail_world(violation);
        }
        let leader_changed = before.1 != state.core.role()
            && (before.1 == Role::Leader || state.core.role() == Role::Leader);
        if before.0 != state.core.current_term() || leader_changed {
            self.inner.state_changed.notify_waiters();
        }
        if persist {
            let State { core, saver, .. } = &mut *state;
            let encoded = saver.encode(core);
            // The persister's save replaces both, so the snapshot goes with every save (a
            // shared pointer, not a copy): a save without it would erase it.
            self.inner
                .persister
                .save_pieces(&encoded, core.snapshot().clone());
        }
        for (to, request) in messages {
            self.spawn_send(to, request);
        }
        if !apply.is_empty() {
            state.to_apply.extend(apply);
            self.inner.to_apply_changed.notify_one();
        }
        Some(Answer { reply, proposed })
    }

    /// Sends `request` to peer `to` in a task of its own, and steps the core with the reply.
    fn spawn_send(&self, to: usize, request: Request) {
        let raft = self.clone();
        sim::spawn(async move {
            let end = &raft.inner.peers[to];
            let response = match &request {
                Request::PreVote(args) => {
                    end.call(rpc::PRE_VOTE, args).await.map(Response::PreVote)
                }
                Request::RequestVote(args) => end
                    .call(rpc::REQUEST_VOTE, args)
                    .await
                    .map(Response::RequestVote),
                Request::AppendEntries(args) => end
                    .call(rpc::APPEND_ENTRIES, args)
                    .await
                    .map(Response::AppendEntries),
                Request::InstallSnapshot(args) => end
                    .call(rpc::INSTALL_SNAPSHOT, args)
                    .await
                    .map(Response::InstallSnapshot),
            };
            match response {
                Ok(response) => {
                    let _ = raft.step(Input::Response {
                        from: to,
                        request,
                        response,
                    });
                }
                Err(e) => {
                    tracing::trace!(peer = raft.inner.me, to, request = request.name(), error = %e, "no reply");
                }
            }
        });
    }

    /// Hands the queued messages to the service, in order, until killed or until the
    /// service drops its receiver (see the module documentation).
    fn spawn_applier(&self, apply_tx: Sender<ApplyMsg>) {
        let raft = self.clone();
        sim::spawn(async move {
            loop {
                // Wait, with no lock held, until there is something to hand over...
                loop {
                    let changed = raft.inner.to_apply_changed.notified();
                    {
                        let state = raft.state();
                        if state.killed {
                            return;
                        }
                        if !state.to_apply.is_empty() {
                            break;
                        }
                    }
                    sim::waiting("entries to hand to the service", changed).await;
                }
                // ...and until the service has room for it.
                let room = apply_tx.reserve();
                let waited = sim::waiting(
                    "room in the apply channel (the service has not read the last message)",
                    room,
                );
                let Ok(slot) = waited.await else {
                    return; // the service is gone
                };
                let msg = {
                    let mut state = raft.state();
                    if state.killed {
                        return;
                    }
                    state.to_apply.pop_front()
                };
                if let Some(msg) = msg {
                    slot.send(msg);
                }
            }
        });
    }

    /// Ticks the core every `tick` until killed, from a random phase so that peers'
    /// ticks interleave.
    fn spawn_ticker(&self, tick: std::time::Duration) {
        let raft = self.clone();
        sim::spawn(async move {
            let phase = sim::rng(|r| r.random_range(0..tick.as_nanos() as u64));
            sim::sleep(std::time::Duration::from_nanos(phase)).await;
            loop {
                sim::sleep(tick).await;
                if raft.step(Input::Tick).is_none() {
                    return;
                }
            }
        });
    }
}

/// What a step gives back to whoever made it.
struct Answer {
    /// The reply to an incoming request.
    reply: Option<Response>,
    /// The result of a proposal.
    proposed: Option<LogId>,
}
