//! The Raft protocol as a pure, synchronous state machine: no Tokio, no locks, no clock,
//! no I/O. Time arrives as [`Input::Tick`]s; randomness (election timeouts) comes from an
//! RNG seeded by whoever builds the core, so a seed fixes every choice it makes.
//!
//! [`Core::step`] takes one [`Input`] and returns one [`Output`]: whether the durable state
//! changed (to be persisted first), the requests to send, the reply to the request that
//! came in, and the committed entries to apply. Inside, `step` applies the rules for all
//! servers first (a higher term makes this peer a follower of that term, with no vote;
//! a request from an older term is answered with the current term and refused), then
//! hands the input to the code for this peer's role:
//!
//! - [`election`]: timeouts, RequestVote on both sides, becoming leader;
//! - [`pre_vote`]: the round before an election that asks whether one could be won, so a
//!   peer cut off from the others does not inflate its term and depose the leader when it
//!   comes back (Raft thesis §9.6);
//! - [`replication`]: AppendEntries on both sides, fast backup, the commit rule;
//! - [`snapshot`]: the service's snapshots, and InstallSnapshot on both sides;
//! - [`log`]: the log and its index arithmetic; [`quorum`]: majority arithmetic;
//! - [`messages`]: the RPC structs.
//!
//! Roles change only in `become_follower`, `become_candidate` and `become_leader`, which
//! reset each role's state in one place. Leader-only state (`next_index`, `match_index`)
//! lives inside the leader role, so it exists only while leading.

pub mod election;
pub mod log;
pub mod messages;
pub mod pre_vote;
pub mod quorum;
pub mod replication;
pub mod snapshot;

use crate::persist::Durable;
use common::ApplyMsg;
use log::{Entry, Log};
use messages::{Request, Response};
use rand::{RngExt, SeedableRng, rngs::StdRng};
use std::fmt;
use std::sync::Arc;

/// Timing, in ticks. The driver ticks every [`Config::tick`]; the course allows at most
/// ten heartbeats a second and wants a new leader within five seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Config {
    /// Virtual time per tick (for the driver; the core counts ticks only).
    pub tick: std::time::Duration,
    /// A follower or candidate waits a random number of ticks in
    /// `election_timeout_min..election_timeout_max` without hearing from a leader before
    /// it starts an election.
    pub election_timeout_min: u32,
    /// Exclusive upper bound of the election timeout.
    pub election_timeout_max: u32,
    /// A leader sends AppendEntries to every follower at least this often.
    pub heartbeat_interval: u32,
}

impl Default for Config {
    /// Ticks of 10 ms; heartbeats every 150 ms (the course allows ten a second; fewer
    /// means fewer RPCs, and followers learn of commits within a heartbeat); election
    /// timeouts of 300 to 600 ms, two to four heartbeats. A follower that misses two
    /// heartbeats on a lossy network only asks for a pre-vote, which peers that still hear
    /// the leader refuse, so it does not disturb the leader.
    fn default() -> Config {
        Config {
            tick: std::time::Duration::from_millis(10),
            election_timeout_min: 30,
            election_timeout_max: 60,
            heartbeat_interval: 15,
        }
    }
}

/// What happens to the core.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// Time passed: one tick.
    Tick,
    /// The service asks to append a command (the course's `Start`).
    Propose(Vec<u8>),
    /// A request from another peer, to be answered in [`Output::reply`].
    Request(Request),
    /// The service has applied everything through `index` and saved its state as `data`:
    /// the log up to `index` can go (the course's `Snapshot`).
    Snapshot {
        /// The last index the snapshot covers.
        index: u64,
        /// The service's snapshot.
        data: Vec<u8>,
    },
    /// The reply of peer `from` to `request`, which this peer sent earlier.
    Response {
        /// The peer that answered.
        from: usize,
        /// The request it answers, as sent.
        request: Request,
        /// Its reply.
        response: Response,
    },
}

/// What the driver must do after a step, in this order: persist the durable state if
/// `persist` is set (together with [`Core::snapshot`], in one save: the persister's `save`
/// replaces both), then send `messages` and `reply`, then deliver `apply` in order.
/// Persisting first means no vote, no acknowledged entry and no new term leaves this peer
/// before it is durable (the paper's rule for stable storage; checklist G14).
#[must_use]
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Output {
    /// The durable state (`current_term`, `voted_for`, the log, the snapshot) changed.
    pub persist: bool,
    /// Requests to send: (peer, request).
    pub messages: Vec<(usize, Request)>,
    /// The reply to an [`Input::Request`].
    pub reply: Option<Response>,
    /// Newly committed entries, in index order, each delivered exactly once.
    pub apply: Vec<ApplyMsg>,
    /// For [`Input::Propose`]: the new entry's (index, term), or `None` if this peer is
    /// not the leader.
    pub proposed: Option<(u64, u64)>,
}

/// A peer's role, as others see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Follows a leader, or waits for one.
    Follower,
    /// Asks whether it could win an election, before starting one.
    PreCandidate,
    /// Asks for votes.
    Candidate,
    /// Leads its term.
    Leader,
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Role::Follower => "follower",
            Role::PreCandidate => "pre-candidate",
            Role::Candidate => "candidate",
            Role::Leader => "leader",
        })
    }
}

/// Per-role state; it exists only while the peer has that role.
#[derive(Debug, Clone, PartialEq, Eq)]
enum RoleState {
    Follower,
    PreCandidate {
        /// Each peer's answer to the pre-vote (`Some(true)` for "you could win").
        votes: Vec<Option<bool>>,
        /// If this peer was the candidate of the current term before its election timed
        /// out: the votes of that election. Replies can arrive long after the timeout, and
        /// a majority of them still makes it the leader of that term (its term has not
        /// changed, and no other peer can have a majority in it).
        election: Option<Vec<Option<bool>>>,
    },
    Candidate {
        /// Each peer's answer in this election (`Some(true)` for a granted vote).
        votes: Vec<Option<bool>>,
    },
    Leader {
        /// Per peer: the index of the next entry to send.
        /// Invariant: `match_index[p] < next_index[p] <= last_index + 1`.
        next_index: Vec<u64>,
        /// Per peer: the highest index known to be stored there (its own last index for
        /// the leader). Never decreases within a term.
        match_index: Vec<u64>,
        /// The first entry proposed since the leader last sent to its followers in sync:
        /// they get it, and every entry after it, at the next tick. So one AppendEntries
        /// carries every command proposed within a tick (batching, as etcd's proposals
        /// wait for the next `Ready`), and a busy leader sends a round per tick, not per
        /// command.
        unsent: Option<u64>,
    },
}

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
    /// Counts changes to the log, so a step can tell whether it must be persisted.
    log_version: u64,

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
            log_version: 0,
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
        match self.role {
            RoleState::Follower => Role::Follower,
            RoleState::PreCandidate { .. } => Role::PreCandidate,
            RoleState::Candidate { .. } => Role::Candidate,
            RoleState::Leader { .. } => Role::Leader,
        }
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
        let before = (self.current_term, self.voted_for, self.log_version);
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
        out.persist = before != (self.current_term, self.voted_for, self.log_version);
        #[cfg(any(test, debug_assertions))]
        self.check_invariants();
        out
    }

    fn tick(&mut self) {
        match self.role {
            RoleState::Leader { .. } => {
                self.heartbeat_elapsed += 1;
                if self.heartbeat_elapsed >= self.config.heartbeat_interval {
                    self.broadcast_append_entries();
                } else {
                    self.send_unsent_entries();
                }
            }
            RoleState::Follower | RoleState::PreCandidate { .. } | RoleState::Candidate { .. } => {
                self.election_elapsed += 1;
                if self.election_elapsed >= self.election_timeout {
                    // No leader heard from: try for an election. A candidate whose election
                    // timed out tries again too (checklist G5).
                    self.become_pre_candidate();
                }
            }
        }
    }

    /// Whether `id` names another peer of the cluster (ids in requests come off the
    /// network and are checked before use).
    fn is_other_peer(&self, id: usize) -> bool {
        id < self.peers && id != self.me
    }

    /// Figure 2 for AppendEntries and InstallSnapshot: a request from the leader of the
    /// current term makes a candidate give up and every follower wait anew (the timer
    /// restarts only here, checklist G4). One from an older term, or naming no other peer,
    /// is refused: `false`.
    fn accept_leader(&mut self, term: u64, leader_id: usize) -> bool {
        if term < self.current_term {
            return false;
        }
        if !self.is_other_peer(leader_id) {
            tracing::warn!(
                peer = self.me,
                leader = leader_id,
                "request from no such leader; refused"
            );
            return false;
        }
        self.become_follower(term, Some(leader_id));
        self.reset_election_timer();
        true
    }

    /// Figure 2's rules for all servers, then the request's own handler.
    fn handle_request(&mut self, request: Request) -> Response {
        if let Request::PreVote(args) = &request {
            // Its term is one the sender has not taken yet: it changes nothing here.
            return Response::PreVote(self.handle_pre_vote(args));
        }
        let term = request.term();
        if term > self.current_term {
            // Adopt the newer term before handling, so a peer that voted in an older
            // term can vote in this one (checklist G6).
            self.become_follower(term, None);
        }
        match request {
            Request::RequestVote(args) => Response::RequestVote(self.handle_request_vote(&args)),
            Request::AppendEntries(args) => {
                Response::AppendEntries(self.handle_append_entries(args))
            }
            Request::InstallSnapshot(args) => {
                Response::InstallSnapshot(self.handle_install_snapshot(args))
            }
            Request::PreVote(_) => unreachable!("handled above"),
        }
    }

    /// Figure 2's rules for all servers, then the reply's own handler, unless the reply
    /// answers a request of another term or role (checklist G8).
    fn handle_response(&mut self, from: usize, request: Request, response: Response) {
        if !self.is_other_peer(from) {
            tracing::warn!(peer = self.me, from, "reply from no such peer; ignored");
            return;
        }
        if response.term() > self.current_term {
            self.become_follower(response.term(), None);
            return;
        }
        if let (Request::PreVote(args), Response::PreVote(reply)) = (&request, &response) {
            self.handle_pre_vote_reply(from, args, reply);
            return;
        }
        if request.term() != self.current_term {
            tracing::debug!(peer = self.me, term = self.current_term, from, %request, "stale reply ignored");
            return;
        }
        match (request, response) {
            (Request::RequestVote(_), Response::RequestVote(reply)) => {
                self.handle_request_vote_reply(from, &reply);
            }
            (Request::AppendEntries(args), Response::AppendEntries(reply)) => {
                self.handle_append_entries_reply(from, &args, &reply);
            }
            (Request::InstallSnapshot(args), Response::InstallSnapshot(_)) => {
                self.handle_install_snapshot_reply(from, &args);
            }
            (request, _) => {
                tracing::warn!(peer = self.me, from, %request, "reply of the wrong kind; ignored");
            }
        }
    }

    /// The service's `Start`: appends `command` if this peer leads, and replicates it at
    /// once rather than at the next heartbeat.
    fn propose(&mut self, command: Vec<u8>) -> Option<(u64, u64)> {
        if !matches!(self.role, RoleState::Leader { .. }) {
            return None;
        }
        let term = self.current_term;
        let index = self.append_to_log(Entry { term, command });
        if let RoleState::Leader {
            next_index,
            match_index,
            unsent,
        } = &mut self.role
        {
            match_index[self.me] = index;
            next_index[self.me] = index + 1;
            unsent.get_or_insert(index);
        }
        tracing::debug!(peer = self.me, term, index, "proposed");
        // A cluster of one commits at once.
        self.maybe_advance_commit();
        Some((index, term))
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
                command: entry.command.clone(),
            });
            self.last_applied = index;
        }
    }

    // ---- the log, through which every change passes so that it gets persisted ----

    fn append_to_log(&mut self, entry: Entry) -> u64 {
        self.log_version += 1;
        self.log.append(entry)
    }

    fn compact_log(&mut self, index: u64) {
        self.log_version += 1;
        self.log.compact(index);
    }

    fn install_snapshot_in_log(&mut self, index: u64, term: u64) {
        self.log_version += 1;
        self.log.install_snapshot(index, term);
    }

    fn truncate_log_from(&mut self, index: u64) {
        self.log_version += 1;
        self.log.truncate_from(index);
    }

    // ---- role changes: the only places where the role is set ----

    /// Becomes a follower of `term` (a new term clears the vote). `leader` is the leader of
    /// that term, if this is known.
    fn become_follower(&mut self, term: u64, leader: Option<usize>) {
        if term > self.current_term {
            self.current_term = term;
            self.voted_for = None;
            self.leader_id = None;
        }
        if !matches!(self.role, RoleState::Follower) {
            tracing::debug!(peer = self.me, term, from = %self.role(), "becomes follower");
            self.role = RoleState::Follower;
            self.reset_election_timer();
        }
        if leader.is_some() {
            self.leader_id = leader;
        }
    }

    /// Starts a pre-vote: asks every other peer whether it would vote for this one in the
    /// next term, changing no term and no vote anywhere.
    fn become_pre_candidate(&mut self) {
        let mut votes = vec![None; self.peers];
        votes[self.me] = Some(true);
        let election = match std::mem::replace(&mut self.role, RoleState::Follower) {
            RoleState::Candidate { votes } => Some(votes),
            RoleState::PreCandidate { election, .. } => election,
            RoleState::Follower | RoleState::Leader { .. } => None,
        };
        self.role = RoleState::PreCandidate { votes, election };
        self.leader_id = None;
        self.reset_election_timer();
        tracing::debug!(
            peer = self.me,
            term = self.current_term,
            role = "pre-candidate",
            "starts a pre-vote"
        );
        self.broadcast_pre_vote();
        self.maybe_win_pre_vote();
    }

    /// Starts an election: a new term, a vote for itself, RequestVote to every other peer.
    fn become_candidate(&mut self) {
        // Saturating: only a peer that lied about its term could bring this to the top.
        self.current_term = self.current_term.saturating_add(1);
        self.voted_for = Some(self.me);
        self.leader_id = None;
        let mut votes = vec![None; self.peers];
        votes[self.me] = Some(true);
        self.role = RoleState::Candidate { votes };
        self.reset_election_timer();
        tracing::debug!(
            peer = self.me,
            term = self.current_term,
            role = "candidate",
            "starts an election"
        );
        self.broadcast_request_vote();
        self.maybe_win_election();
    }

    /// Takes the lead of the current term, and asserts it at once with AppendEntries.
    fn become_leader(&mut self) {
        assert!(
            matches!(
                self.role,
                RoleState::Candidate { .. }
                    | RoleState::PreCandidate {
                        election: Some(_),
                        ..
                    }
            ),
            "peer {} (term {}): only the candidate of the term becomes leader, not a {}",
            self.me,
            self.current_term,
            self.role()
        );
        let last = self.log.last_index();
        let mut match_index = vec![0; self.peers];
        match_index[self.me] = last;
        self.role = RoleState::Leader {
            next_index: vec![last + 1; self.peers],
            match_index,
            unsent: None,
        };
        self.leader_id = Some(self.me);
        tracing::info!(
            peer = self.me,
            term = self.current_term,
            role = "leader",
            index = last,
            "becomes leader"
        );
        self.broadcast_append_entries();
    }

    fn reset_election_timer(&mut self) {
        self.election_elapsed = 0;
        let (min, max) = (
            self.config.election_timeout_min,
            self.config.election_timeout_max,
        );
        self.election_timeout = self.rng.random_range(min..max);
    }

    /// The invariants of the module documentation and of the fields; a violation is a bug
    /// in the core, reported with the numbers at fault.
    #[cfg(any(test, debug_assertions))]
    fn check_invariants(&self) {
        let (me, term) = (self.me, self.current_term);
        let last = self.log.last_index();
        assert!(
            self.log.last_included_index() <= self.last_applied
                && self.last_applied <= self.commit_index
                && self.commit_index <= last,
            "peer {me} (term {term}): last_included_index {} <= last_applied {} <= \
             commit_index {} <= last_index {last} broken",
            self.log.last_included_index(),
            self.last_applied,
            self.commit_index
        );
        assert!(
            self.log.last_term() <= term,
            "peer {me}: log has term {} above current term {term}",
            self.log.last_term()
        );
        if let RoleState::Leader {
            next_index,
            match_index,
            ..
        } = &self.role
        {
            for p in 0..self.peers {
                assert!(
                    match_index[p] < next_index[p] && next_index[p] <= last + 1,
                    "peer {me} (term {term}): for peer {p}, match_index {} < next_index {} \
                     <= last_index + 1 = {} broken",
                    match_index[p],
                    next_index[p],
                    last + 1
                );
            }
        }
    }
}

#[cfg(test)]
pub(crate) mod test_util;
