//! Linearizability checking of recorded client histories: the course's porcupine, in Rust.
//!
//! The KV tests of Labs 2, 4 and 5 record every client operation with the simulated times
//! of its call and its return, then ask whether some total order of the operations both
//! respects real time (an operation that returned before another was called comes first)
//! and is a legal run of a sequential [`Model`].
//!
//! How a history is decided, per partition (for the KV model, per key):
//! 1. The model may *presolve* it ([`Model::presolve`]). The KV model does when every written
//!    value is unique: the value a read saw then names the writes before it, which fixes the
//!    write order, and the question becomes a topological sort (see `kv::unique`). This is what
//!    decides one hot key with fifteen always-overlapping clients, which the course's checker
//!    cannot.
//! 2. Otherwise the Wing & Gong search with Lowe's memoization of (linearized set, state)
//!    runs ([`search`]), bounded by a [`Budget`] of search steps and memory, not of wall-clock
//!    time, so one history always gets one verdict on any machine.
//!
//! Every `Ok` comes with a linearization that is replayed through the model and checked
//! against real time before it is believed ([`witness`]), so a bug in a presolver or in the
//! search can make the checker fail to decide, never make it pass a bad history.
//!
//! Partitions are checked on a small pool of threads ([`pool`]); the verdict does not depend
//! on the pool's size or scheduling. For an illegal history, [`explain`] says in one paragraph
//! where no legal order exists and [`html`] draws the picture; [`assert_linearizable`] does
//! both for a test. [`Recorder`] stamps operations from many client tasks.

mod assert;
pub mod explain;
pub mod html;
pub mod kv;
mod memo;
mod pool;
pub mod random_history;
mod recorder;
mod search;
pub mod versioned;
mod witness;

#[cfg(test)]
mod tests;

use std::fmt;
use std::hash::Hash;
use std::time::Duration;

pub use assert::assert_linearizable;
pub use recorder::Recorder;

/// One completed client operation: what was asked, what came back, and when.
///
/// `call` and `ret` are virtual nanoseconds from the simulation clock, made unique and
/// ordered by [`Recorder`]. `a` precedes `b` in real time exactly when `a.ret < b.call`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Operation<I, O> {
    /// The client (a clerk) that issued the operation.
    pub client_id: u64,
    /// What the client asked for.
    pub input: I,
    /// When the client called.
    pub call: u64,
    /// What the service answered.
    pub output: O,
    /// When the answer reached the client.
    pub ret: u64,
}

/// The verdict on a history.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CheckResult {
    /// Some order of the operations respects real time and the model.
    Ok,
    /// No such order exists.
    Illegal,
    /// The budget ran out before the search decided. The course passes such a history;
    /// our tests fail on it.
    Unknown,
}

impl fmt::Display for CheckResult {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            CheckResult::Ok => "linearizable",
            CheckResult::Illegal => "not linearizable",
            CheckResult::Unknown => "undecided (search budget exhausted)",
        })
    }
}

/// A group of operations the model says can be checked on its own (for KV: one key).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Partition {
    /// For humans: `key "3"`.
    pub name: String,
    /// Indexes into the history.
    pub ops: Vec<usize>,
}

/// What a model's presolver concluded about one partition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Presolved {
    /// A linearization: every index of the partition once, in order. The checker verifies
    /// it before it believes it.
    Linearizable(Vec<usize>),
    /// No linearization exists.
    Illegal {
        /// Why, for the user.
        reason: String,
        /// The operations the reason names (history indexes), to mark in the picture.
        culprits: Vec<usize>,
    },
    /// The presolver does not apply; the search decides.
    Unsure,
}

/// A sequential specification the history is checked against.
///
/// States are compared and hashed for the search's memo, so `Eq` and `Hash` must agree
/// with the behaviour: two states that are equal must answer every later operation alike.
pub trait Model: Sync {
    /// The state of the sequential object.
    type State: Clone + Eq + Hash + Send;
    /// An operation's request.
    type Input: Sync;
    /// An operation's answer.
    type Output: Sync;

    /// The state before any operation.
    fn init(&self) -> Self::State;

    /// Applies one operation with its observed output: the next state, or `None` when this
    /// output is impossible in `state`.
    fn step(
        &self,
        state: &Self::State,
        input: &Self::Input,
        output: &Self::Output,
    ) -> Option<Self::State>;

    /// Splits a history into parts that are linearizable together exactly when each is on
    /// its own (P-compositionality; for KV, by key). The default is one partition.
    fn partition(&self, history: &[Operation<Self::Input, Self::Output>]) -> Vec<Partition> {
        vec![Partition {
            name: "history".into(),
            ops: (0..history.len()).collect(),
        }]
    }

    /// An operation for humans: `Get("k") -> "x 0 1 y"`.
    fn describe_operation(&self, input: &Self::Input, output: &Self::Output) -> String;

    /// A state for humans.
    fn describe_state(&self, state: &Self::State) -> String;

    /// Approximate bytes a state takes, for the memory budget of the search's memo.
    fn state_bytes(&self, state: &Self::State) -> usize {
        let _ = state;
        std::mem::size_of::<Self::State>()
    }

    /// A fast, exact decision for one partition where the model knows one (see [`Presolved`]).
    fn presolve(
        &self,
        history: &[Operation<Self::Input, Self::Output>],
        partition: &Partition,
    ) -> Presolved {
        let _ = (history, partition);
        Presolved::Unsure
    }

    /// The history as JSON for `LAB_HISTORY_DIR`, if this model has a file format.
    fn history_json(&self, history: &[Operation<Self::Input, Self::Output>]) -> Option<String> {
        let _ = history;
        None
    }
}

/// A model with its presolver turned off, so that the search alone decides: how the
/// course's checker sees a history. For comparisons and benchmarks.
#[derive(Debug, Clone, Copy, Default)]
pub struct SearchOnly<M>(pub M);

impl<M: Model> Model for SearchOnly<M> {
    type State = M::State;
    type Input = M::Input;
    type Output = M::Output;
    fn init(&self) -> M::State {
        self.0.init()
    }
    fn step(&self, s: &M::State, i: &M::Input, o: &M::Output) -> Option<M::State> {
        self.0.step(s, i, o)
    }
    fn partition(&self, h: &[Operation<M::Input, M::Output>]) -> Vec<Partition> {
        self.0.partition(h)
    }
    fn describe_operation(&self, i: &M::Input, o: &M::Output) -> String {
        self.0.describe_operation(i, o)
    }
    fn describe_state(&self, s: &M::State) -> String {
        self.0.describe_state(s)
    }
    fn state_bytes(&self, s: &M::State) -> usize {
        self.0.state_bytes(s)
    }
}

/// How much work the search may do on one partition before it answers [`CheckResult::Unknown`].
///
/// Counted in search steps and memo bytes, never in wall-clock time: the verdict depends
/// only on the history, not on the machine or its load.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Budget {
    /// Search steps (one operation tried, or one backtrack) per partition.
    pub steps: u64,
    /// Bytes of memoized configurations per partition.
    pub memory: usize,
}

impl Budget {
    /// Steps the search does in about a second on a laptop core. The course gives its
    /// checker a wall-clock timeout; we turn it into steps at this fixed rate.
    pub const STEPS_PER_SECOND: u64 = 4_000_000;

    /// Memo bytes per partition. At most [`MAX_WORKERS`] partitions run at once, so the
    /// checker stays under 1 GiB of memo.
    pub const MEMORY_PER_PARTITION: usize = 256 << 20;

    /// The budget that stands for the course's wall-clock `timeout`.
    pub fn from_timeout(timeout: Duration) -> Budget {
        let steps = (timeout.as_secs_f64() * Self::STEPS_PER_SECOND as f64) as u64;
        Budget {
            steps: steps.max(1),
            memory: Self::MEMORY_PER_PARTITION,
        }
    }
}

/// Most threads the checker uses for partitions at once.
pub const MAX_WORKERS: usize = 4;

/// A malformed history: not a question of linearizability.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HistoryError {
    /// An operation returned before it was called.
    ReturnBeforeCall {
        /// Its index in the history.
        index: usize,
        /// Its call time.
        call: u64,
        /// Its return time.
        ret: u64,
    },
    /// A partition names an operation that is not in the history, or names one twice.
    BadPartition(String),
}

impl fmt::Display for HistoryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HistoryError::ReturnBeforeCall { index, call, ret } => write!(
                f,
                "operation {index} returns (t={ret} ns) before it is called (t={call} ns)"
            ),
            HistoryError::BadPartition(why) => write!(f, "bad partition: {why}"),
        }
    }
}

impl std::error::Error for HistoryError {}

/// How one partition was decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// The model's presolver, with a verified witness for `Ok`.
    Presolved,
    /// The memoized search.
    Search,
    /// Not checked: an earlier partition was already illegal.
    Skipped,
}

/// The verdict on one partition, with what an explanation and a picture need.
#[derive(Debug, Clone)]
pub struct PartitionVerdict {
    /// The partition's name, e.g. `key "3"`.
    pub name: String,
    /// Its operations (indexes into the history).
    pub ops: Vec<usize>,
    /// Its verdict.
    pub result: CheckResult,
    /// How it was decided.
    pub method: Method,
    /// For `Ok`, a whole linearization; otherwise the longest legal prefix the search
    /// found. Indexes into the history.
    pub linearization: Vec<usize>,
    /// For `Illegal`: the operation that could not be placed after that prefix (the first
    /// to return among the rest).
    pub stuck: Option<usize>,
    /// For `Illegal`: the states in which the search tried the stuck operation, i.e. what
    /// a legal order would have allowed it to see (described by the model, at most a few).
    pub allowed: Vec<String>,
    /// For `Illegal`: the presolver's reason, when it found one.
    pub reason: Option<String>,
    /// The operations that reason names (history indexes).
    pub culprits: Vec<usize>,
    /// Search steps spent.
    pub steps: u64,
    /// Peak memo bytes of the search.
    pub memory: usize,
}

impl PartitionVerdict {
    /// A verdict on `partition` with nothing found yet.
    fn new(partition: &Partition, result: CheckResult, method: Method) -> PartitionVerdict {
        PartitionVerdict {
            name: partition.name.clone(),
            ops: partition.ops.clone(),
            result,
            method,
            linearization: Vec::new(),
            stuck: None,
            allowed: Vec::new(),
            reason: None,
            culprits: Vec::new(),
            steps: 0,
            memory: 0,
        }
    }
}

/// The verdict on a whole history.
#[derive(Debug, Clone)]
pub struct Verdict {
    /// `Illegal` if any partition is, else `Unknown` if any is, else `Ok`.
    pub result: CheckResult,
    /// Per partition, in the model's order. After the first illegal partition the rest
    /// may be [`Method::Skipped`].
    pub partitions: Vec<PartitionVerdict>,
}

impl Verdict {
    /// The first illegal partition, which explanations and pictures are about.
    pub fn first_illegal(&self) -> Option<&PartitionVerdict> {
        self.partitions
            .iter()
            .find(|p| p.result == CheckResult::Illegal)
    }

    /// Total search steps over all partitions.
    pub fn steps(&self) -> u64 {
        self.partitions.iter().map(|p| p.steps).sum()
    }
}

/// Checks `history` against `model`, with the course's signature: `timeout` is the course's
/// wall-clock limit, turned into a step budget ([`Budget::from_timeout`]).
///
/// A malformed history (an operation that returns before its call) is `Illegal`; use
/// [`check`] to see why. An empty history is `Ok`.
pub fn check_operations<M: Model>(
    model: &M,
    history: &[Operation<M::Input, M::Output>],
    timeout: Duration,
) -> CheckResult {
    match check(model, history, Budget::from_timeout(timeout)) {
        Ok(verdict) => verdict.result,
        Err(_) => CheckResult::Illegal,
    }
}

/// Checks `history` against `model` within `budget`, with everything an explanation and
/// a picture need.
pub fn check<M: Model>(
    model: &M,
    history: &[Operation<M::Input, M::Output>],
    budget: Budget,
) -> Result<Verdict, HistoryError> {
    for (index, op) in history.iter().enumerate() {
        if op.ret < op.call {
            return Err(HistoryError::ReturnBeforeCall {
                index,
                call: op.call,
                ret: op.ret,
            });
        }
    }
    let partitions = model.partition(history);
    let mut seen = vec![false; history.len()];
    for p in &partitions {
        for &i in &p.ops {
            match seen.get_mut(i) {
                None => {
                    return Err(HistoryError::BadPartition(format!(
                        "{} names operation {i} of {}",
                        p.name,
                        history.len()
                    )));
                }
                Some(true) => {
                    return Err(HistoryError::BadPartition(format!(
                        "operation {i} is in two partitions"
                    )));
                }
                Some(s) => *s = true,
            }
        }
    }
    if let Some(missing) = seen.iter().position(|s| !s) {
        return Err(HistoryError::BadPartition(format!(
            "operation {missing} is in no partition"
        )));
    }
    let verdicts = pool::check_partitions(model, history, &partitions, budget);
    let result = if verdicts.iter().any(|v| v.result == CheckResult::Illegal) {
        CheckResult::Illegal
    } else if verdicts.iter().any(|v| v.result == CheckResult::Unknown) {
        CheckResult::Unknown
    } else {
        CheckResult::Ok
    };
    Ok(Verdict {
        result,
        partitions: verdicts,
    })
}

/// Decides one partition: presolver first, search when it is unsure or to explain.
fn check_partition<M: Model>(
    model: &M,
    history: &[Operation<M::Input, M::Output>],
    partition: &Partition,
    budget: Budget,
    cancelled: &(dyn Fn() -> bool + Sync),
) -> PartitionVerdict {
    let presolved = model.presolve(history, partition);
    let mut reason = None;
    let mut culprits = Vec::new();
    match presolved {
        Presolved::Linearizable(order) => {
            match witness::verify(model, history, &partition.ops, &order) {
                Ok(()) => {
                    return PartitionVerdict {
                        linearization: order,
                        ..PartitionVerdict::new(partition, CheckResult::Ok, Method::Presolved)
                    };
                }
                // A presolver bug: fall back to the search, which is authoritative.
                Err(why) => {
                    debug_assert!(false, "presolver gave a bad witness: {why}");
                    tracing::warn!(partition = %partition.name, %why, "presolver gave a bad witness");
                }
            }
        }
        Presolved::Illegal {
            reason: why,
            culprits: named,
        } => {
            reason = Some(why);
            culprits = named;
        }
        Presolved::Unsure => {}
    }
    let outcome = search::search(model, history, &partition.ops, budget, cancelled);
    let allowed = outcome.allowed;
    let mut verdict = PartitionVerdict {
        linearization: outcome.linearization,
        stuck: outcome.stuck,
        reason: reason.clone(),
        culprits,
        steps: outcome.steps,
        memory: outcome.memory,
        ..PartitionVerdict::new(partition, outcome.result, Method::Search)
    };
    match outcome.result {
        CheckResult::Ok => {
            if let Err(why) =
                witness::verify(model, history, &partition.ops, &verdict.linearization)
            {
                // Cannot happen unless the search is wrong; never pass on a bad witness.
                debug_assert!(false, "search gave a bad witness: {why}");
                verdict.result = CheckResult::Unknown;
            } else if reason.is_some() {
                debug_assert!(
                    false,
                    "presolver said illegal, search found {partition:?} ok"
                );
                verdict.reason = None;
                verdict.culprits.clear();
            }
        }
        CheckResult::Illegal => {
            if let Some(allowed) = allowed {
                verdict.allowed = allowed;
            } else if let Some(stuck) = verdict.stuck {
                verdict.allowed = search::states_tried(
                    model,
                    history,
                    &partition.ops,
                    model.init(),
                    stuck,
                    budget,
                    cancelled,
                );
            }
        }
        CheckResult::Unknown => {
            // The presolver's proof stands where the search ran out of budget.
            if reason.is_some() && !cancelled() {
                verdict.result = CheckResult::Illegal;
                verdict.method = Method::Presolved;
            }
        }
    }
    verdict
}
