//! [`Raft`]: the thin Tokio driver around the pure [`Core`].
//!
//! The core sits behind one mutex, and every event goes through [`Raft::step`]: lock, step
//! the core, then carry out its [`Output`] in the required order before unlocking:
//!
//! 1. persist the durable state if it changed (so nothing leaves this peer that depends
//!    on state a crash could lose);
//! 2. start one task per outgoing request, which awaits the reply and steps the core with
//!    it (a slow or dead peer delays nobody else);
//! 3. hand committed entries to the service on its unbounded channel, in index order
//!    (the send never blocks, so the service can never stall the protocol).
//!
//! Events come from: a ticker task (one tick every [`Config::tick`]), the `Raft` service's
//! handlers (incoming RPCs, answered with the core's reply), the reply tasks, and the
//! service's calls to [`Raft::start`]. `start` is synchronous, as the course's `Start` is,
//! which is why the core is shared behind a lock rather than owned by a single task; the
//! lock is never held across an `.await`.
//!
//! After [`Raft::kill`] (checked under the same lock) the peer does nothing: no step,
//! no persist, no send, no reply, no apply. That is what lets a tester copy the persister
//! right after `kill` and be sure the killed instance writes nothing more that counts.

use crate::core::messages::{
    AppendEntriesArgs, AppendEntriesReply, InstallSnapshotArgs, InstallSnapshotReply, Request,
    RequestVoteArgs, RequestVoteReply, Response,
};
use crate::core::{Config, Core, Input, Output, Role};
use crate::persist::{self, RestoreError};
use common::ApplyMsg;
use common::labrpc::{ClientEnd, Service};
use common::persister::Persister;
use common::sim::{self, RngExt};
use std::sync::{Arc, Mutex, MutexGuard};
use tokio::sync::mpsc::UnboundedSender;

/// A Raft peer: a cheap, cloneable handle (the course's `*Raft`).
#[derive(Clone)]
pub struct Raft {
    inner: Arc<Inner>,
}

struct Inner {
    me: usize,
    peers: Vec<ClientEnd>,
    persister: Arc<dyn Persister>,
    apply_tx: UnboundedSender<ApplyMsg>,
    state: Mutex<State>,
}

struct State {
    core: Core,
    saver: persist::Saver,
    killed: bool,
}

impl Raft {
    /// Starts peer `me` of the cluster whose ends are `peers` (one per peer, in peer order;
    /// `peers[me]` is never called), restoring its state from `persister`. Committed
    /// entries go to `apply_tx`. Spawns its tasks on the current runtime and returns at once.
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
        apply_tx: UnboundedSender<ApplyMsg>,
    ) -> Raft {
        let n = peers.len();
        let state = persister.read_raft_state();
        match Raft::try_new(peers.clone(), me, persister.clone(), apply_tx.clone()) {
            Ok(raft) => raft,
            Err(e) => {
                tracing::error!(peer = me, bytes = state.len(), error = %e, "cannot restore; the peer stays stopped");
                let raft = Raft::build(
                    peers,
                    me,
                    persister,
                    apply_tx,
                    Core::new(me, n, Config::default(), 0),
                );
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
        apply_tx: UnboundedSender<ApplyMsg>,
    ) -> Result<Raft, RestoreError> {
        let config = Config::default();
        let seed = sim::rng(|r| r.random());
        let core = match persist::decode(&persister.read_raft_state(), peers.len())? {
            Some(durable) => {
                tracing::debug!(
                    peer = me,
                    term = durable.current_term,
                    index = durable.log.last_index(),
                    "restored"
                );
                Core::restore(
                    me,
                    peers.len(),
                    config,
                    seed,
                    durable,
                    persister.read_snapshot(),
                )
            }
            None => Core::new(me, peers.len(), config, seed),
        };
        let raft = Raft::build(peers, me, persister, apply_tx, core);
        raft.spawn_ticker(config.tick);
        Ok(raft)
    }

    fn build(
        peers: Vec<ClientEnd>,
        me: usize,
        persister: Arc<dyn Persister>,
        apply_tx: UnboundedSender<ApplyMsg>,
        core: Core,
    ) -> Raft {
        Raft {
            inner: Arc::new(Inner {
                me,
                peers,
                persister,
                apply_tx,
                state: Mutex::new(State {
                    core,
                    saver: persist::Saver::new(),
                    killed: false,
                }),
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

    /// The course's `Start`: if this peer leads, appends `command` to its log and starts
    /// replicating it, returning its (index, term); otherwise `None`. There is no guarantee
    /// the command will ever be committed: watch the apply channel.
    pub fn start(&self, command: Vec<u8>) -> Option<(u64, u64)> {
        self.step(Input::Propose(command))
            .and_then(|answer| answer.proposed)
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

    /// Stops the peer: its tasks end and later calls do nothing.
    pub fn kill(&self) {
        let mut state = self.state();
        if !state.killed {
            tracing::debug!(peer = self.inner.me, "killed");
        }
        state.killed = true;
    }

    /// Whether [`Raft::kill`] was called.
    pub fn killed(&self) -> bool {
        self.state().killed
    }

    /// The `Raft` service, to add to this peer's labrpc server.
    pub fn service(&self) -> Service {
        let (pre_vote, vote, append, install) =
            (self.clone(), self.clone(), self.clone(), self.clone());
        Service::new("Raft")
            .method("PreVote", move |args: RequestVoteArgs| {
                let reply = match pre_vote.step(Input::Request(Request::PreVote(args))) {
                    Some(Answer {
                        reply: Some(Response::PreVote(reply)),
                        ..
                    }) => Some(reply),
                    _ => None,
                };
                answer(reply)
            })
            .method("RequestVote", move |args: RequestVoteArgs| {
                let reply = match vote.step(Input::Request(Request::RequestVote(args))) {
                    Some(Answer {
                        reply: Some(Response::RequestVote(reply)),
                        ..
                    }) => Some(reply),
                    _ => None,
                };
                answer(reply)
            })
            .method("AppendEntries", move |args: AppendEntriesArgs| {
                let reply = match append.step(Input::Request(Request::AppendEntries(args))) {
                    Some(Answer {
                        reply: Some(Response::AppendEntries(reply)),
                        ..
                    }) => Some(reply),
                    _ => None,
                };
                answer(reply)
            })
            .method("InstallSnapshot", move |args: InstallSnapshotArgs| {
                let reply = match install.step(Input::Request(Request::InstallSnapshot(args))) {
                    Some(Answer {
                        reply: Some(Response::InstallSnapshot(reply)),
                        ..
                    }) => Some(reply),
                    _ => None,
                };
                answer(reply)
            })
    }

    /// Steps the core with `input` and carries out the output (see the module
    /// documentation). Returns what the caller waits for, or `None` once killed.
    fn step(&self, input: Input) -> Option<Answer> {
        let mut state = self.state();
        if state.killed {
            return None;
        }
        let Output {
            persist,
            snapshot,
            messages,
            reply,
            apply,
            proposed,
        } = state.core.step(input);
        if persist || snapshot.is_some() {
            let State { core, saver, .. } = &mut *state;
            let encoded = saver.encode(core);
            // One save for both, so a crash never leaves a snapshot without its log.
            self.inner.persister.save(encoded, snapshot);
        }
        for (to, request) in messages {
            self.spawn_send(to, request);
        }
        for msg in apply {
            // The service may have gone (its receiver dropped); nothing then waits for it.
            let _ = self.inner.apply_tx.send(msg);
        }
        Some(Answer { reply, proposed })
    }

    /// Sends `request` to peer `to` in a task of its own, and steps the core with the reply.
    fn spawn_send(&self, to: usize, request: Request) {
        let raft = self.clone();
        tokio::spawn(async move {
            let end = &raft.inner.peers[to];
            let response = match &request {
                Request::PreVote(args) => end
                    .call::<_, RequestVoteReply>(request.method(), args)
                    .await
                    .map(Response::PreVote),
                Request::RequestVote(args) => end
                    .call::<_, RequestVoteReply>(request.method(), args)
                    .await
                    .map(Response::RequestVote),
                Request::AppendEntries(args) => end
                    .call::<_, AppendEntriesReply>(request.method(), args)
                    .await
                    .map(Response::AppendEntries),
                Request::InstallSnapshot(args) => end
                    .call::<_, InstallSnapshotReply>(request.method(), args)
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
                    tracing::trace!(peer = raft.inner.me, to, method = request.method(), error = %e, "no reply");
                }
            }
        });
    }

    /// Ticks the core every `tick` until killed, from a random phase so that peers'
    /// ticks interleave.
    fn spawn_ticker(&self, tick: std::time::Duration) {
        let raft = self.clone();
        tokio::spawn(async move {
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
    proposed: Option<(u64, u64)>,
}

/// A handler's answer: the reply, or, from a killed peer, silence (the caller's end sees
/// what it would see of a crashed server).
async fn answer<R>(reply: Option<R>) -> R {
    match reply {
        Some(reply) => reply,
        None => std::future::pending().await,
    }
}
