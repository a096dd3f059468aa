//! The Wing & Gong search with Lowe's memo, for one partition.
//!
//! The operations' calls and returns are laid out in time order in a doubly linked list.
//! Walking it from the front, a call entry is an operation that may go next (all the
//! operations that precede it in real time are already placed); the search tries it in the
//! model and, if legal and the resulting (placed set, state) is new, removes its call and
//! return from the list and starts again from the front. Reaching a return entry means its
//! operation should have been placed already: the last choice was wrong, so the search
//! undoes it and tries the next candidate. An empty list is a linearization; backtracking
//! past the first choice proves there is none.
//!
//! The memo of (placed set, state) pairs makes each configuration explored once, which is
//! what makes the search finish on histories with many concurrent operations.

use super::{Budget, CheckResult, Model, Operation};
use std::collections::HashMap;
use std::hash::{Hash, Hasher};

/// What one search found.
pub(super) struct Outcome {
    pub result: CheckResult,
    /// Ok: a whole linearization; otherwise the longest legal prefix (history indexes).
    pub linearization: Vec<usize>,
    /// Illegal: the operation that could not be placed after that prefix (history index).
    pub stuck: Option<usize>,
    pub steps: u64,
    pub memory: usize,
}

const NONE: usize = usize::MAX;

/// One call or return in the time-ordered list.
#[derive(Clone, Copy)]
struct Entry {
    /// Local operation number.
    op: usize,
    is_call: bool,
    prev: usize,
    next: usize,
}

/// The time-ordered list of calls and returns, with O(1) removal and LIFO restore.
struct Entries {
    /// 2 entries per operation, then the head sentinel.
    entries: Vec<Entry>,
    /// Per operation, its call entry and its return entry.
    call_of: Vec<usize>,
    ret_of: Vec<usize>,
}

impl Entries {
    fn new<I, O>(ops: &[&Operation<I, O>]) -> Entries {
        // (time, calls before returns at one instant so that touching operations count as
        // concurrent, operation number) makes the order total and deterministic.
        let mut order: Vec<(u64, bool, usize)> = Vec::with_capacity(ops.len() * 2);
        for (i, op) in ops.iter().enumerate() {
            order.push((op.call, false, i));
            order.push((op.ret, true, i));
        }
        order.sort_unstable();
        let head = order.len();
        let mut entries = Vec::with_capacity(order.len() + 1);
        let mut call_of = vec![0; ops.len()];
        let mut ret_of = vec![0; ops.len()];
        for (pos, &(_, is_ret, op)) in order.iter().enumerate() {
            if is_ret {
                ret_of[op] = pos;
            } else {
                call_of[op] = pos;
            }
            entries.push(Entry {
                op,
                is_call: !is_ret,
                prev: if pos == 0 { head } else { pos - 1 },
                next: if pos + 1 == order.len() {
                    NONE
                } else {
                    pos + 1
                },
            });
        }
        entries.push(Entry {
            op: NONE,
            is_call: false,
            prev: NONE,
            next: if order.is_empty() { NONE } else { 0 },
        });
        Entries {
            entries,
            call_of,
            ret_of,
        }
    }

    fn head(&self) -> usize {
        self.entries.len() - 1
    }

    fn first(&self) -> usize {
        self.entries[self.head()].next
    }

    fn unlink(&mut self, e: usize) {
        let Entry { prev, next, .. } = self.entries[e];
        self.entries[prev].next = next;
        if next != NONE {
            self.entries[next].prev = prev;
        }
    }

    fn relink(&mut self, e: usize) {
        let Entry { prev, next, .. } = self.entries[e];
        self.entries[prev].next = e;
        if next != NONE {
            self.entries[next].prev = e;
        }
    }

    /// Removes an operation (its call and its return) from the list.
    fn lift(&mut self, op: usize) {
        self.unlink(self.call_of[op]);
        self.unlink(self.ret_of[op]);
    }

    /// Undoes the last [`Entries::lift`] of `op`.
    fn unlift(&mut self, op: usize) {
        self.relink(self.ret_of[op]);
        self.relink(self.call_of[op]);
    }
}

/// A set of local operation numbers.
#[derive(Clone, PartialEq, Eq, Hash)]
struct Bits(Vec<u64>);

impl Bits {
    fn new(n: usize) -> Bits {
        Bits(vec![0; n.div_ceil(64)])
    }
    fn set(&mut self, i: usize) {
        self.0[i / 64] |= 1 << (i % 64);
    }
    fn clear(&mut self, i: usize) {
        self.0[i / 64] &= !(1 << (i % 64));
    }
}

/// FxHash: fast and fixed, so the memo behaves the same on every run.
#[derive(Default)]
struct FxHasher(u64);

impl Hasher for FxHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.write_u64(u64::from_le_bytes(word));
        }
    }
    fn write_u64(&mut self, i: u64) {
        self.0 = (self.0.rotate_left(5) ^ i).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
    fn write_usize(&mut self, i: usize) {
        self.write_u64(i as u64);
    }
    fn write_u8(&mut self, i: u8) {
        self.write_u64(u64::from(i));
    }
}

/// The memo of configurations already explored.
struct Memo<S> {
    buckets: HashMap<u64, Vec<(Bits, S)>, std::hash::BuildHasherDefault<FxHasher>>,
    bytes: usize,
}

impl<S: Clone + Eq + Hash> Memo<S> {
    fn new() -> Memo<S> {
        Memo {
            buckets: HashMap::default(),
            bytes: 0,
        }
    }

    /// Records (bits, state); false if it was already there.
    fn insert(&mut self, bits: &Bits, state: &S, state_bytes: usize) -> bool {
        let mut h = FxHasher::default();
        bits.hash(&mut h);
        state.hash(&mut h);
        let bucket = self.buckets.entry(h.finish()).or_default();
        if bucket.iter().any(|(b, s)| b == bits && s == state) {
            return false;
        }
        bucket.push((bits.clone(), state.clone()));
        self.bytes += bits.0.len() * 8 + state_bytes + 2 * std::mem::size_of::<usize>();
        true
    }
}

/// Runs the search over the operations `ops` (history indexes) of one partition.
pub(super) fn search<M: Model>(
    model: &M,
    history: &[Operation<M::Input, M::Output>],
    ops: &[usize],
    budget: Budget,
    cancelled: &(dyn Fn() -> bool + Sync),
) -> Outcome {
    let mut run = Run::new(model, history, ops, None);
    run.go(budget, cancelled)
}

/// The distinct states (described, at most [`MAX_ALLOWED`]) in which the search tried the
/// operation `watch` (a history index): what a legal order would have let it see.
pub(super) fn states_tried<M: Model>(
    model: &M,
    history: &[Operation<M::Input, M::Output>],
    ops: &[usize],
    watch: usize,
    budget: Budget,
    cancelled: &(dyn Fn() -> bool + Sync),
) -> Vec<String> {
    let local = ops.iter().position(|&i| i == watch);
    let mut run = Run::new(model, history, ops, local);
    run.go(budget, cancelled);
    run.watched
}

/// Most states [`states_tried`] reports.
pub(super) const MAX_ALLOWED: usize = 8;

/// How often the search asks whether it was cancelled.
const CANCEL_CHECK_EVERY: u64 = 1 << 12;

struct Run<'a, M: Model> {
    model: &'a M,
    ops: Vec<&'a Operation<M::Input, M::Output>>,
    /// Local operation number to history index.
    index: &'a [usize],
    watch: Option<usize>,
    watched: Vec<String>,
    watched_states: Vec<M::State>,
}

impl<'a, M: Model> Run<'a, M> {
    fn new(
        model: &'a M,
        history: &'a [Operation<M::Input, M::Output>],
        index: &'a [usize],
        watch: Option<usize>,
    ) -> Run<'a, M> {
        Run {
            model,
            ops: index.iter().map(|&i| &history[i]).collect(),
            index,
            watch,
            watched: Vec::new(),
            watched_states: Vec::new(),
        }
    }

    fn note_watched(&mut self, op: usize, state: &M::State) {
        if self.watch == Some(op)
            && self.watched_states.len() < MAX_ALLOWED
            && !self.watched_states.contains(state)
        {
            self.watched.push(self.model.describe_state(state));
            self.watched_states.push(state.clone());
        }
    }

    fn go(&mut self, budget: Budget, cancelled: &(dyn Fn() -> bool + Sync)) -> Outcome {
        let n = self.ops.len();
        let mut list = Entries::new(&self.ops);
        let mut memo = Memo::new();
        let mut placed = Bits::new(n);
        let mut state = self.model.init();
        // Each frame: the operation placed and the state before it.
        let mut stack: Vec<(usize, M::State)> = Vec::new();
        let mut longest: Option<(Vec<usize>, usize)> = None;
        let mut steps = 0u64;
        let mut entry = list.first();
        let outcome = |result, linearization, stuck, steps, memory| Outcome {
            result,
            linearization,
            stuck,
            steps,
            memory,
        };
        loop {
            if list.first() == NONE {
                let order = stack.iter().map(|&(op, _)| self.index[op]).collect();
                return outcome(CheckResult::Ok, order, None, steps, memo.bytes);
            }
            steps += 1;
            if steps > budget.steps
                || memo.bytes > budget.memory
                || (steps.is_multiple_of(CANCEL_CHECK_EVERY) && cancelled())
            {
                let prefix = longest.map(|(p, _)| p).unwrap_or_default();
                return outcome(CheckResult::Unknown, prefix, None, steps, memo.bytes);
            }
            let Entry {
                op, is_call, next, ..
            } = list.entries[entry];
            if is_call {
                let o = self.ops[op];
                self.note_watched(op, &state);
                if let Some(after) = self.model.step(&state, &o.input, &o.output) {
                    placed.set(op);
                    if memo.insert(&placed, &after, self.model.state_bytes(&after)) {
                        stack.push((op, std::mem::replace(&mut state, after)));
                        list.lift(op);
                        entry = list.first();
                        continue;
                    }
                    placed.clear(op);
                }
                entry = next;
            } else {
                // `op` returned without being placed: the last choice was wrong.
                if longest.as_ref().is_none_or(|(p, _)| stack.len() > p.len()) {
                    let prefix = stack.iter().map(|&(o, _)| self.index[o]).collect();
                    longest = Some((prefix, self.index[op]));
                }
                let Some((undo, before)) = stack.pop() else {
                    let (prefix, stuck) = longest.unwrap_or_default();
                    return outcome(CheckResult::Illegal, prefix, Some(stuck), steps, memo.bytes);
                };
                state = before;
                placed.clear(undo);
                list.unlift(undo);
                entry = list.entries[list.call_of[undo]].next;
            }
        }
    }
}
