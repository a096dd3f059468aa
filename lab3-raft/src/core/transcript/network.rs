//! [`Network`]: N pure cores and the messages between them, moved by hand (as raft-rs's
//! `Network` and etcd's `rafttest` do), with no Tokio and no clock. Every step of a core
//! is narrated into the transcript: its state changes, what it saves, what it applies and
//! what it sends. After every step, the safety properties of Figure 3 are checked across
//! the cluster (see [`Network::check_safety`]).
//!
//! Peers are named `s1`..`sN` as in the paper's figures; `s1` is core 0.

use crate::core::log::LogId;
use crate::core::messages::{Request, Response};
use crate::core::{Config, Core, Input, Output, Role};
use crate::persist::{self, Saver};
use common::ApplyMsg;
use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::fmt::Write;

/// A message on its way.
#[derive(Debug, Clone)]
pub(super) enum Message {
    Request {
        from: usize,
        to: usize,
        request: Request,
    },
    Reply {
        from: usize,
        to: usize,
        request: Request,
        response: Response,
    },
}

impl Message {
    fn ends(&self) -> (usize, usize) {
        match self {
            Message::Request { from, to, .. } | Message::Reply { from, to, .. } => (*from, *to),
        }
    }

    /// The kind, as a filter names it: `AppendEntries`, `AppendEntriesReply`, ...
    pub(super) fn kind(&self) -> String {
        match self {
            Message::Request { request, .. } => request.name().to_string(),
            Message::Reply { request, .. } => format!("{}Reply", request.name()),
        }
    }

    /// `s1->s2 AppendEntries t2 prev=...`.
    pub(super) fn line(&self) -> String {
        let (from, to) = self.ends();
        match self {
            Message::Request { request, .. } => format!("s{}->s{} {request}", from + 1, to + 1),
            Message::Reply { response, .. } => format!("s{}->s{} {response}", from + 1, to + 1),
        }
    }
}

/// Which messages a command means: from, to (either may be any) and a kind.
#[derive(Debug, Clone, Default)]
pub(super) struct Filter {
    pub(super) from: Option<usize>,
    pub(super) to: Option<usize>,
    pub(super) kind: Option<String>,
}

impl Filter {
    fn matches(&self, m: &Message) -> bool {
        let (from, to) = m.ends();
        self.from.is_none_or(|f| f == from)
            && self.to.is_none_or(|t| t == to)
            && self.kind.as_ref().is_none_or(|k| *k == m.kind())
    }
}

/// What the transcript shows of a peer, to print what a step changed.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Summary {
    term: u64,
    role: Role,
    voted_for: Option<usize>,
    leader: Option<usize>,
    commit: u64,
    last: LogId,
    snapshot: LogId,
}

impl Summary {
    fn of(core: &Core) -> Summary {
        Summary {
            term: core.current_term(),
            role: core.role(),
            voted_for: core.voted_for(),
            leader: core.leader_id(),
            commit: core.commit_index(),
            last: core.log().last(),
            snapshot: core.log().last_included(),
        }
    }

    /// The parts that changed from `before`, as `term 1->2, follower->candidate, ...`.
    fn changes(&self, before: &Summary) -> Vec<String> {
        let peer = |p: Option<usize>| p.map_or("-".to_string(), |p| format!("s{}", p + 1));
        let mut parts = Vec::new();
        if self.term != before.term {
            parts.push(format!("term {}->{}", before.term, self.term));
        }
        if self.role != before.role {
            parts.push(format!("{}->{}", before.role, self.role));
        }
        if self.voted_for != before.voted_for || self.term != before.term {
            parts.push(format!("vote {}", peer(self.voted_for)));
        }
        if self.leader != before.leader && self.leader.is_some() {
            parts.push(format!("leader {}", peer(self.leader)));
        }
        if self.snapshot != before.snapshot {
            parts.push(format!("snapshot {}", self.snapshot));
        }
        if self.last != before.last {
            parts.push(format!("last {}->{}", before.last, self.last));
        }
        if self.commit != before.commit {
            parts.push(format!("commit {}->{}", before.commit, self.commit));
        }
        parts
    }
}

/// The cluster; see the module documentation.
pub(super) struct Network {
    config: Config,
    seed: u64,
    /// `None` while crashed.
    cores: Vec<Option<Core>>,
    /// What each peer's persister holds: its Raft state and its snapshot.
    saved: Vec<(Vec<u8>, Vec<u8>)>,
    restarts: Vec<u64>,
    in_flight: VecDeque<Message>,
    /// Links cut by a partition, both ways.
    cut: BTreeSet<(usize, usize)>,
    /// The leader seen in each term (Election Safety).
    leaders: BTreeMap<u64, usize>,
    /// What any peer applied at each index (State Machine Safety).
    applied: BTreeMap<u64, (u64, Vec<u8>)>,
    /// The narration of the current command.
    pub(super) out: String,
}

impl Network {
    pub(super) fn new(peers: usize, config: Config, seed: u64) -> Network {
        Network {
            config,
            seed,
            cores: (0..peers)
                .map(|me| Some(Core::new(me, peers, config, seed + me as u64)))
                .collect(),
            saved: vec![(Vec::new(), Vec::new()); peers],
            restarts: vec![0; peers],
            in_flight: VecDeque::new(),
            cut: BTreeSet::new(),
            leaders: BTreeMap::new(),
            applied: BTreeMap::new(),
            out: String::new(),
        }
    }

    pub(super) fn peers(&self) -> usize {
        self.cores.len()
    }

    pub(super) fn core(&self, peer: usize) -> Option<&Core> {
        self.cores[peer].as_ref()
    }

    /// Steps `peer` with `input` and narrates what it did; `None` if it is crashed.
    pub(super) fn step(&mut self, peer: usize, input: Input) -> Option<Output> {
        let core = self.cores[peer].as_mut()?;
        let before = Summary::of(core);
        let out = core.step(input);
        let after = Summary::of(core);
        let name = format!("s{}", peer + 1);
        let changes = after.changes(&before);
        if !changes.is_empty() {
            let _ = writeln!(self.out, "  {name}: {}", changes.join(", "));
        }
        if out.persist {
            self.saved[peer] = (Saver::new().encode(core).concat(), core.snapshot().to_vec());
            let _ = writeln!(self.out, "  {name} saves");
        }
        if !out.apply.is_empty() {
            let applied: Vec<String> = out.apply.iter().map(describe_apply).collect();
            let _ = writeln!(self.out, "  {name} applies {}", applied.join(" "));
        }
        for (to, request) in &out.messages {
            self.send(Message::Request {
                from: peer,
                to: *to,
                request: request.clone(),
            });
        }
        self.record_applied(peer, &out.apply);
        self.check_safety();
        Some(out)
    }

    fn send(&mut self, message: Message) {
        let _ = writeln!(self.out, "  send {}", message.line());
        self.in_flight.push_back(message);
    }

    /// Delivers the oldest message that matches `filter`; `false` if there is none. A
    /// message over a cut link, or to a crashed peer, is lost.
    pub(super) fn deliver(&mut self, filter: &Filter) -> bool {
        let Some(at) = self.in_flight.iter().position(|m| filter.matches(m)) else {
            return false;
        };
        let message = self.in_flight.remove(at).expect("position found");
        let (from, to) = message.ends();
        if self.cut.contains(&(from, to)) || self.cores[to].is_none() {
            let why = if self.cores[to].is_none() {
                "crashed"
            } else {
                "partitioned"
            };
            let _ = writeln!(self.out, "{}  (lost: {why})", message.line());
            return true;
        }
        let _ = writeln!(self.out, "{}", message.line());
        match message {
            Message::Request { from, to, request } => {
                let out = self.step(to, Input::Request(request.clone()));
                if let Some(response) = out.and_then(|o| o.reply) {
                    self.send(Message::Reply {
                        from: to,
                        to: from,
                        request,
                        response,
                    });
                }
            }
            Message::Reply {
                from,
                to,
                request,
                response,
            } => {
                let _ = self.step(
                    to,
                    Input::Response {
                        from,
                        request,
                        response,
                    },
                );
            }
        }
        true
    }

    /// Drops the messages that match `filter`, and says how many.
    pub(super) fn drop_matching(&mut self, filter: &Filter) -> usize {
        let before = self.in_flight.len();
        self.in_flight.retain(|m| !filter.matches(m));
        before - self.in_flight.len()
    }

    /// The messages on their way, oldest first.
    pub(super) fn pending(&self) -> Vec<String> {
        self.in_flight.iter().map(Message::line).collect()
    }

    pub(super) fn in_flight(&self) -> usize {
        self.in_flight.len()
    }

    /// Cuts every link between the groups.
    pub(super) fn partition(&mut self, groups: &[Vec<usize>]) {
        self.cut.clear();
        for (i, a) in groups.iter().enumerate() {
            for b in &groups[i + 1..] {
                for &p in a {
                    for &q in b {
                        self.cut.insert((p, q));
                        self.cut.insert((q, p));
                    }
                }
            }
        }
    }

    pub(super) fn heal(&mut self) {
        self.cut.clear();
    }

    /// Stops `peer`: it steps no more, and messages to it are lost.
    pub(super) fn crash(&mut self, peer: usize) {
        self.cores[peer] = None;
    }

    /// Starts `peer` again from what its persister holds.
    pub(super) fn restart(&mut self, peer: usize) {
        self.restarts[peer] += 1;
        let seed = self.seed + 1000 * self.restarts[peer] + peer as u64;
        let (state, snapshot) = self.saved[peer].clone();
        let peers = self.peers();
        let core = match persist::decode(&state, peers).expect("a saved state decodes") {
            Some(durable) => Core::restore(peer, peers, self.config, seed, durable, snapshot),
            None => Core::new(peer, peers, self.config, seed),
        };
        self.cores[peer] = Some(core);
    }

    fn record_applied(&mut self, peer: usize, apply: &[ApplyMsg]) {
        for msg in apply {
            if let ApplyMsg::Command {
                index,
                term,
                command,
            } = msg
            {
                let entry = (*term, command.clone());
                let earlier = self.applied.entry(*index).or_insert_with(|| entry.clone());
                assert_eq!(
                    *earlier,
                    entry,
                    "State Machine Safety: s{} applied {} at index {index}, another peer {}\n{}",
                    peer + 1,
                    LogId::new(*index, *term),
                    LogId::new(*index, earlier.0),
                    self.out
                );
            }
        }
    }

    /// Figure 3's Election Safety (at most one leader per term, over the whole run) and
    /// Log Matching (two logs holding an entry of the same index and term hold the same
    /// entries up to it), checked after every step; a violation fails the test with the
    /// transcript so far.
    fn check_safety(&mut self) {
        for core in self.cores.iter().flatten() {
            if core.role() == Role::Leader {
                let first = *self.leaders.entry(core.current_term()).or_insert(core.me());
                assert_eq!(
                    first,
                    core.me(),
                    "Election Safety: s{} and s{} both lead term {}\n{}",
                    first + 1,
                    core.me() + 1,
                    core.current_term(),
                    self.out
                );
            }
        }
        let live: Vec<&Core> = self.cores.iter().flatten().collect();
        for (i, a) in live.iter().enumerate() {
            for b in &live[i + 1..] {
                if let Err(why) = logs_match(a, b) {
                    panic!("Log Matching: {why}\n{}", self.out);
                }
            }
        }
    }
}

/// Checks Log Matching between two peers over the indexes both hold.
fn logs_match(a: &Core, b: &Core) -> Result<(), String> {
    let (la, lb) = (a.log(), b.log());
    let low = la.last_included_index().max(lb.last_included_index());
    let high = la.last_index().min(lb.last_index());
    // The highest index both hold with the same term: the logs must agree up to it.
    let Some(agree) = (low..=high)
        .rev()
        .find(|&i| la.term(i).is_some() && la.term(i) == lb.term(i))
    else {
        return Ok(());
    };
    for i in low + 1..=agree {
        if la.entry(i) != lb.entry(i) {
            return Err(format!(
                "s{} and s{} agree at {} but differ at index {i}",
                a.me() + 1,
                b.me() + 1,
                LogId::new(agree, la.term(agree).unwrap_or(0))
            ));
        }
    }
    Ok(())
}

fn describe_apply(msg: &ApplyMsg) -> String {
    match msg {
        ApplyMsg::Command {
            index,
            term,
            command,
        } => format!(
            "{}={}",
            LogId::new(*index, *term),
            String::from_utf8_lossy(command)
        ),
        ApplyMsg::Snapshot { index, term, .. } => {
            format!("snapshot@{}", LogId::new(*index, *term))
        }
    }
}
