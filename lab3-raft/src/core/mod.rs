//! The Raft protocol as a pure, synchronous state machine: no Tokio, no locks, no clock,
//! no I/O. Time arrives as [`Input::Tick`]s; randomness (election timeouts) comes from an
//! RNG seeded by whoever builds the core, so a seed fixes every choice it makes.
//!
//! [`Core::step`] takes one [`Input`] and returns one [`Output`]: whether the durable state
//! changed (to be persisted first), the requests to send, the reply to the request that
//! came in, and the committed entries to apply. Inside, `step` applies the rules for all
//! servers first (a higher term makes this peer a follower of that term, with no vote;
//! a reply to a request of another term is dropped), then hands the input to the code of
//! its concern. Where each rule lives:
//!
//! - [`interface`]: the driver's contract: [`Config`], [`Input`], [`Output`], [`Durable`];
//! - `admission`: what is refused off the network before any rule runs (senders outside
//!   the cluster, a term with no successor);
//! - `roles`: [`Role`], and the only functions that change it (`become_*`);
//! - `timers`: ticks, the election timer and the heartbeat interval;
//! - [`election`]: campaigns, RequestVote and PreVote on both sides;
//! - [`replication`]: proposals, AppendEntries on both sides, fast backup, the commit rule;
//! - [`snapshot`]: the service's snapshots, and InstallSnapshot on both sides;
//! - [`log`]: the log, its index arithmetic, and its count of changes;
//!   [`quorum`]: majority arithmetic; [`messages`]: the RPC structs;
//! - `invariants`: what must hold after every step, checked in test builds.
//!
//! Every step runs in a `tracing` span with the peer, its term and its role, so each log
//! line of the core carries them without writing them out.

mod admission;
pub mod election;
pub mod interface;
#[cfg(any(test, debug_assertions))]
mod invariants;
pub mod log;
pub mod messages;
pub mod quorum;
pub mod replication;
mod roles;
pub mod snapshot;
mod timers;

pub use interface::{Config, Durable, Input, Output};
pub use roles::Role;

use common::ApplyMsg;
use election::Campaign;
use log::Log;
use messages::{Request, Response};
use rand::{SeedableRng, rngs::StdRng};
use roles::RoleState;
use std::sync::Arc;

/// A Raft peer's protocol state; see the module documentation.
#[derive(Debug)]
pub struct Core {
    me: usize,
    peers: usize,
    config: Config,
    rng: StdRng,

    // Durable (Figure 2's "persistent state on all servers").
    current_term: u64,
    voted_for: Option<usize>,
    log: Log,
    /// The service's snapshot that covers the log up to `last_included_index` (empty if
    /// none), kept to send to followers that need it and to save with every persist.
    /// Shared bytes, so that saving it costs no copy.
    snapshot: Arc<[u8]>,
    // Volatile. Invariant: last_included_index <= last_applied <= commit_index <= last_index
    // (commit_index may trail after a restart, never lead).
    commit_index: u64,
    last_applied: u64,

    role: RoleState,
    /// The leader of `current_term`, once known.
    leader_id: Option<usize>,
    /// Ticks since the election timer was last reset (followers and candidates).
    election_elapsed: u32,
    /// This round's randomized election timeout, in ticks.
    election_timeout: u32,
    /// Ticks since the leader last sent to every follower.
    heartbeat_elapsed: u32,

    /// What the current step produces.
    out: Output,
}

impl Core {
    /// Peer `me` of a cluster of `peers`, with an empty log, at term 0, as a follower.
    /// `seed` seeds the election timeouts.
    ///
    /// # Panics
    /// If `me` is not below `peers`, or the election timeout range is empty.
    pub fn new(me: usize, peers: usize, config: Config, seed: u64) -> Core {
        assert!(me < peers, "peer {me} of a cluster of {peers}");
        assert!(
            config.election_timeout_min < config.election_timeout_max,
            "empty election timeout range"
        );
        let mut core = Core {
            me,
            peers,
            config,
            rng: StdRng::seed_from_u64(seed),
            current_term: 0,
            voted_for: None,
            log: Log::new(),
            snapshot: Arc::from(&[][..]),
            commit_index: 0,
            last_applied: 0,
            role: RoleState::Follower,
            leader_id: None,
            election_elapsed: 0,
            election_timeout: 0,
            heartbeat_elapsed: 0,
            out: Output::default(),
        };
        core.reset_election_timer();
        core
    }

    /// Peer `me` restarted from its durable state and the snapshot saved with it, as a
    /// follower. What the snapshot covers counts as committed and applied (the service
    /// restores the snapshot itself).
    ///
    /// # Panics
    /// As [`Core::new`].
    pub fn restore(
        me: usize,
        peers: usize,
        config: Config,
        seed: u64,
        durable: Durable,
        snapshot: Vec<u8>,
    ) -> Core {
        let mut core = Core::new(me, peers, config, seed);
        core.current_term = durable.current_term;
        core.voted_for = durable.voted_for;
        core.log = durable.log;
        core.snapshot = Arc::from(snapshot);
        core.commit_index = core.log.last_included_index();
        core.last_applied = core.log.last_included_index();
        core
    }

    /// This peer's index.
    pub fn me(&self) -> usize {
        self.me
    }

    /// The latest term this peer has seen.
    pub fn current_term(&self) -> u64 {
        self.current_term
    }

    /// The candidate this peer voted for in `current_term`.
    pub fn voted_for(&self) -> Option<usize> {
        self.voted_for
    }

    /// The log.
    pub fn log(&self) -> &Log {
        &self.log
    }

    /// The snapshot that covers the log up to `last_included_index` (empty if none): what
    /// the driver saves with the durable state.
    pub fn snapshot(&self) -> &Arc<[u8]> {
        &self.snapshot
    }

    /// The highest index known to be committed.
    pub fn commit_index(&self) -> u64 {
        self.commit_index
    }

    /// The highest index handed to the service.
    pub fn last_applied(&self) -> u64 {
        self.last_applied
    }

    /// This peer's role.
    pub fn role(&self) -> Role {
        self.role.role()
    }

    /// The leader of the current term, if known.
    pub fn leader_id(&self) -> Option<usize> {
        self.leader_id
    }

    /// The timing configuration.
    pub fn config(&self) -> Config {
        self.config
    }

    /// Handles one input; see [`Output`] for what the driver must do with the result.
    pub fn step(&mut self, input: Input) -> Output {
        let span = tracing::debug_span!(
            "step",
            peer = self.me,
            term = self.current_term,
            role = %self.role()
        );
        let _entered = span.enter();
        let durable_before = (self.current_term, self.voted_for, self.log.changes());
        #[cfg(any(test, debug_assertions))]
        let committed_before = self.committed();
        match input {
            Input::Tick => self.tick(),
            Input::Propose(command) => self.out.proposed = self.propose(command),
            Input::Snapshot { index, data } => self.take_snapshot(index, data),
            Input::Request(request) => {
                let reply = self.handle_request(request);
                self.out.reply = Some(reply);
            }
            Input::Response {
                from,
                request,
                response,
            } => self.handle_response(from, request, response),
        }
        self.collect_committed();
        let mut out = std::mem::take(&mut self.out);
        out.persist = durable_before != (self.current_term, self.voted_for, self.log.changes());
        #[cfg(any(test, debug_assertions))]
        self.check_invariants(committed_before);
        out
    }

    /// Whether `id` names another peer of the cluster (ids in requests come off the
    /// network and are checked before use).
    fn is_other_peer(&self, id: usize) -> bool {
        id < self.peers && id != self.me
    }

    /// Figure 2's rules for all servers, then the request's own handler.
    fn handle_request(&mut self, request: Request) -> Response {
        if let Some(why) = self.inadmissible(&request) {
            tracing::warn!(%request, why, "request refused");
            return self.refusal(&request);
        }
        let term = request.term();
        // A pre-vote's term is one the sender has not taken yet: it changes nothing here.
        if term > self.current_term && !matches!(request, Request::PreVote(_)) {
            // Adopt the newer term before handling, so a peer that voted in an older
            // term can vote in this one (checklist G6).
            self.become_follower(term, None);
        }
        match request {
            Request::PreVote(args) => {
                Response::PreVote(self.handle_vote_request(Campaign::PreVote, &args))
            }
            Request::RequestVote(args) => {
                Response::RequestVote(self.handle_vote_request(Campaign::Election, &args))
            }
            Request::AppendEntries(args) => {
                Response::AppendEntries(self.handle_append_entries(args))
            }
            Request::InstallSnapshot(args) => {
                Response::InstallSnapshot(self.handle_install_snapshot(args))
            }
        }
    }

    /// Figure 2's rules for all servers, then the reply's own handler, unless the reply
    /// answers a request of another term (checklist G8): a pre-vote asks about the next
    /// term, every other request about the current one.
    fn handle_response(&mut self, from: usize, request: Request, response: Response) {
        if !self.is_other_peer(from) {
            tracing::warn!(from, "reply from no such peer; ignored");
            return;
        }
        if let Some(why) = Core::inadmissible_reply(&response) {
            tracing::warn!(from, why, "reply ignored");
            return;
        }
        if response.term() > self.current_term {
            self.become_follower(response.term(), None);
            return;
        }
        let asked_about = match request {
            Request::PreVote(_) => self.current_term.checked_add(1),
            _ => Some(self.current_term),
        };
        if asked_about != Some(request.term()) {
            tracing::debug!(from, %request, "stale reply ignored");
            return;
        }
        match (request, response) {
            (Request::PreVote(_), Response::PreVote(reply)) => {
                self.handle_vote_reply(Campaign::PreVote, from, reply.vote_granted);
            }
            (Request::RequestVote(_), Response::RequestVote(reply)) => {
                self.handle_vote_reply(Campaign::Election, from, reply.vote_granted);
            }
            (Request::AppendEntries(args), Response::AppendEntries(reply)) => {
                self.handle_append_entries_reply(from, &args, &reply);
            }
            (Request::InstallSnapshot(args), Response::InstallSnapshot(_)) => {
                self.handle_install_snapshot_reply(from, &args);
            }
            // Every kind named, so that a new RPC does not compile until its reply is
            // handled above.
            (
                request @ (Request::PreVote(_)
                | Request::RequestVote(_)
                | Request::AppendEntries(_)
                | Request::InstallSnapshot(_)),
                _,
            ) => {
                tracing::warn!(from, %request, "reply of the wrong kind; ignored");
            }
        }
    }

    /// Moves newly committed entries to the output, in order, once each (checklist G12).
    fn collect_committed(&mut self) {
        while self.last_applied < self.commit_index {
            let index = self.last_applied + 1;
            let Some(entry) = self.log.entry(index) else {
                panic!(
                    "peer {} (term {}): committed index {index} is not in the log ({}..={})",
                    self.me,
                    self.current_term,
                    self.log.first_index(),
                    self.log.last_index()
                );
            };
            self.out.apply.push(ApplyMsg::Command {
                index,
                term: entry.term,
                command: entry.command.to_vec(),
            });
            self.last_applied = index;
        }
    }
}

#[cfg(test)]
pub(crate) mod test_util;

#[cfg(test)]
mod transcript;

/// The fuzz harness: a `cargo test` here, and `cargo fuzz` targets in `scripts/fuzz`
/// (feature `fuzzing`).
#[cfg(any(test, feature = "fuzzing"))]
pub mod fuzz;
