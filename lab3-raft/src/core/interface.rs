//! The contract between the core and its driver: how the core is configured
//! ([`Config`]), what happens to it ([`Input`]), what the driver must do after each step
//! ([`Output`]), and the durable state a restarted peer starts from ([`Durable`]).

use super::log::{Log, LogId};
use super::messages::{Request, Response};
use common::ApplyMsg;

/// Timing, in ticks, and the optional parts of the protocol. The driver ticks every
/// [`Config::tick`]; the course allows at most ten heartbeats a second and wants a new
/// leader within five seconds.
///
/// The services' timings are tuned against these: `lab4-kvraft`'s `rsm::MAX_WAIT`
/// outwaits [`Config::max_election_timeout`], and its clients' `rsm::client::ROUND_PAUSE`
/// is shorter than [`Config::heartbeat`] (a test there checks both).
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
    /// Whether a peer whose timer ran out asks for a pre-vote before it takes a new term
    /// (Raft thesis §9.6; see [`super::election`]).
    pub pre_vote: bool,
    /// Whether a leader sends a proposal to the followers it is in step with at once,
    /// instead of at its next tick. Off in simulation, where the tick's batching keeps the
    /// RPC counts the course's tests bound; on in the real cluster, where waiting for the
    /// tick would add up to a tick to every write's latency. Either way a follower with a
    /// request on its way gets the new entries with the reply to it: at most one
    /// AppendEntries in flight per follower carries entries.
    pub send_on_propose: bool,
}

impl Config {
    /// The longest a peer can wait before it starts an election, as time.
    pub fn max_election_timeout(&self) -> std::time::Duration {
        self.tick * self.election_timeout_max
    }

    /// The real cluster's: the default, but proposals go out at once
    /// ([`Config::send_on_propose`]).
    pub fn real() -> Config {
        Config {
            send_on_propose: true,
            ..Config::default()
        }
    }

    /// The heartbeat interval, as time.
    pub fn heartbeat(&self) -> std::time::Duration {
        self.tick * self.heartbeat_interval
    }
}

impl Default for Config {
    /// Ticks of 10 ms; heartbeats every 150 ms (the course allows ten a second; fewer
    /// means fewer RPCs, and followers learn of commits within a heartbeat); election
    /// timeouts of 300 to 600 ms, two to four heartbeats; pre-vote on. A follower that
    /// misses two heartbeats on a lossy network only asks for a pre-vote, which peers that
    /// still hear the leader refuse, so it does not disturb the leader.
    fn default() -> Config {
        Config {
            tick: std::time::Duration::from_millis(10),
            election_timeout_min: 30,
            election_timeout_max: 60,
            heartbeat_interval: 15,
            pre_vote: true,
            send_on_propose: false,
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
/// `persist` is set (together with the core's snapshot, in one save: the persister's
/// `save` replaces both), then send `messages` and `reply`, then deliver `apply` in order.
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
    /// For [`Input::Propose`]: the new entry's id, or `None` if this peer is not the
    /// leader.
    pub proposed: Option<LogId>,
    /// A request this step refused because obeying it would break a safety property
    /// (truncate a committed entry): only a bug in some peer can send one. The driver logs
    /// it and, in simulation, fails the world with it, since there nothing but a bug can
    /// be at the other end.
    pub violation: Option<String>,
}

/// Figure 2's "persistent state on all servers", as a restarted peer reads it back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Durable {
    /// The latest term the peer had seen.
    pub current_term: u64,
    /// Its vote in that term.
    pub voted_for: Option<usize>,
    /// Its log.
    pub log: Log,
}
