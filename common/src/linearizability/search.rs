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

use super::memo::{Bits, Memo};
use super::{Budget, CheckResult, Model, Operation};
use std::rc::Rc;

/// What one search found.
pub(super) struct Outcome {
    pub result: CheckResult,
    /// Ok: a whole linearization; otherwise the longest legal prefix (history indexes).
    pub linearization: Vec<usize>,
    /// Illegal: the operation that could not be placed after that prefix (history index).
    pub stuck: Option<usize>,
    /// Illegal: the states in which the stuck operation was tried, when already known.
    pub allowed: Option<Vec<String>>,
    pub steps: u64,
    pub memory: usize,
}

const NONE: usize = usize::MAX;

/// One call or return in the time-ordered list.
#[derive(Clone, Copy)]
struct Event {
    /// Local operation number.
    op: usize,
    is_call: bool,
    prev: usize,
    next: usize,
}

/// The time-ordered list of calls and returns, with O(1) removal and LIFO restore.
struct Events {
    /// 2 entries per operation, then the head sentinel.
    entries: Vec<Event>,
    /// Per operation, its call entry and its return entry.
    call_of: Vec<usize>,
    ret_of: Vec<usize>,
}

impl Events {
    fn new<I, O>(ops: &[&Operation<I, O>]) -> Events {
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
            entries.push(Event {
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
        entries.push(Event {
            op: NONE,
            is_call: false,
            prev: NONE,
            next: if order.is_empty() { NONE } else { 0 },
        });
        Events {
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
        let Event { prev, next, .. } = self.entries[e];
        self.entries[prev].next = next;
        if next != NONE {
            self.entries[next].prev = prev;
        }
    }

    fn relink(&mut self, e: usize) {
        let Event { prev, next, .. } = self.entries[e];
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

    /// Undoes the last [`Events::lift`] of `op`.
    fn unlift(&mut self, op: usize) {
        self.relink(self.ret_of[op]);
        self.relink(self.call_of[op]);
    }
}

/// Runs the search over the operations `ops` (history indexes) of one partition.
///
/// Where the partition has quiet points (every operation called before one returned before
/// any operation after it was called), it is cut there into segments, and each segment is
/// searched from each state the previous segments can end in. A long, mostly sequential
/// history (one writer per key, as in the course's fixed-key tests) then costs time and
/// memory linear in its length, instead of a memo and a stack as long as the history. If a
/// segment can end in too many states, the whole partition is searched at once instead.
pub(super) fn search<M: Model>(
    model: &M,
    history: &[Operation<M::Input, M::Output>],
    ops: &[usize],
    budget: Budget,
    cancelled: &(dyn Fn() -> bool + Sync),
) -> Outcome {
    let segments = segments(history, ops);
    if segments.len() > 1
        && let Some(outcome) = segmented(model, history, &segments, budget, cancelled)
    {
        return outcome;
    }
    let mut steps = 0;
    let mut run = Run::new(model, history, ops, None);
    run.go(
        model.init(),
        &mut Memo::new(),
        None,
        budget,
        &mut steps,
        cancelled,
    )
}

/// Most distinct states a segment may end in before the segmented search gives up.
const MAX_END_STATES: usize = 64;

/// Cuts `ops` at its quiet points, in time order.
fn segments<I, O>(history: &[Operation<I, O>], ops: &[usize]) -> Vec<Vec<usize>> {
    let mut sorted = ops.to_vec();
    sorted.sort_by_key(|&i| (history[i].call, i));
    let mut segments = Vec::new();
    let mut current: Vec<usize> = Vec::new();
    let mut latest_ret = 0;
    for i in sorted {
        if !current.is_empty() && latest_ret < history[i].call {
            segments.push(std::mem::take(&mut current));
        }
        latest_ret = latest_ret.max(history[i].ret);
        current.push(i);
    }
    if !current.is_empty() {
        segments.push(current);
    }
    segments
}

/// A linearization built segment by segment, shared between the states that extend it.
struct Path {
    order: Vec<usize>,
    before: Option<Rc<Path>>,
}

impl Drop for Path {
    /// Unlinks the chain a link at a time: a history of tens of thousands of segments (one
    /// busy key) would otherwise be dropped by one recursive call per link and overflow
    /// the stack.
    fn drop(&mut self) {
        let mut next = self.before.take();
        while let Some(link) = next {
            next = match Rc::try_unwrap(link) {
                Ok(mut path) => path.before.take(),
                // Still shared: whoever holds it drops the rest.
                Err(_) => None,
            };
        }
    }
}

fn path_order(path: &Option<Rc<Path>>) -> Vec<usize> {
    let mut parts = Vec::new();
    let mut at = path.as_ref();
    while let Some(p) = at {
        parts.push(&p.order);
        at = p.before.as_ref();
    }
    parts.into_iter().rev().flatten().copied().collect()
}

/// A state a segment starts from, with the order of the operations before it.
type Start<S> = (S, Option<Rc<Path>>);

/// The segment-by-segment search; `None` when it cannot decide and the whole partition
/// should be searched at once.
fn segmented<M: Model>(
    model: &M,
    history: &[Operation<M::Input, M::Output>],
    segments: &[Vec<usize>],
    budget: Budget,
    cancelled: &(dyn Fn() -> bool + Sync),
) -> Option<Outcome> {
    let mut steps = 0;
    let mut peak = 0;
    let mut starts: Vec<Start<M::State>> = vec![(model.init(), None)];
    for (k, segment) in segments.iter().enumerate() {
        let last = k + 1 == segments.len();
        let mut memo = Memo::new();
        let mut ends: Vec<Start<M::State>> = Vec::new();
        let mut failure: Option<(Outcome, &Start<M::State>)> = None;
        for start in &starts {
            let (state, path) = start;
            let mut run = Run::new(model, history, segment, None);
            let mut found = Vec::new();
            let collect = (!last).then_some(&mut found);
            let out = run.go(
                state.clone(),
                &mut memo,
                collect,
                budget,
                &mut steps,
                cancelled,
            );
            peak = peak.max(memo.bytes);
            match out.result {
                CheckResult::Unknown => return None,
                CheckResult::Ok if last => {
                    let mut order = path_order(path);
                    order.extend(out.linearization);
                    return Some(Outcome {
                        result: CheckResult::Ok,
                        linearization: order,
                        stuck: None,
                        allowed: None,
                        steps,
                        memory: peak,
                    });
                }
                CheckResult::Ok => {
                    for (end, order) in found {
                        if !ends.iter().any(|(e, _)| *e == end) {
                            let before = path.clone();
                            ends.push((end, Some(Rc::new(Path { order, before }))));
                        }
                    }
                    if ends.len() > MAX_END_STATES {
                        return None;
                    }
                }
                CheckResult::Illegal => {
                    if failure.is_none() {
                        failure = Some((out, start));
                    }
                }
            }
        }
        if ends.is_empty() {
            // No state reached so far lets this segment through: report it from the first.
            let (out, (state, path)) = failure?;
            let mut order = path_order(path);
            order.extend(out.linearization);
            let allowed = out.stuck.map(|stuck| {
                states_tried(
                    model,
                    history,
                    segment,
                    state.clone(),
                    stuck,
                    budget,
                    cancelled,
                )
            });
            return Some(Outcome {
                result: CheckResult::Illegal,
                linearization: order,
                stuck: out.stuck,
                allowed,
                steps,
                memory: peak,
            });
        }
        starts = ends;
    }
    None
}

/// The distinct states (described, at most [`MAX_ALLOWED`]) in which a search of `ops`
/// from `init` tried the operation `watch` (a history index): what a legal order would have
/// let it see.
pub(super) fn states_tried<M: Model>(
    model: &M,
    history: &[Operation<M::Input, M::Output>],
    ops: &[usize],
    init: M::State,
    watch: usize,
    budget: Budget,
    cancelled: &(dyn Fn() -> bool + Sync),
) -> Vec<String> {
    let mut run = Run::new(model, history, ops, Some(watch));
    let mut steps = 0;
    run.go(init, &mut Memo::new(), None, budget, &mut steps, cancelled);
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
    /// The history index of the operation whose trial states are collected.
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
        if self.watch == Some(self.index[op])
            && self.watched_states.len() < MAX_ALLOWED
            && !self.watched_states.contains(state)
        {
            self.watched.push(self.model.describe_state(state));
            self.watched_states.push(state.clone());
        }
    }

    /// Searches from `init`. With `ends`, explores every order instead of stopping at the
    /// first linearization, collecting the distinct states they end in with one order for
    /// each; the result is then `Ok` if there is any.
    fn go(
        &mut self,
        init: M::State,
        memo: &mut Memo<M::State>,
        mut ends: Option<&mut Vec<(M::State, Vec<usize>)>>,
        budget: Budget,
        steps: &mut u64,
        cancelled: &(dyn Fn() -> bool + Sync),
    ) -> Outcome {
        let n = self.ops.len();
        let mut list = Events::new(&self.ops);
        let mut placed = Bits::new(n);
        let mut state = init;
        // Each frame: the operation placed and the state before it.
        let mut stack: Vec<(usize, M::State)> = Vec::new();
        let mut longest: Option<(Vec<usize>, usize)> = None;
        let mut entry = list.first();
        let outcome = |result, linearization, stuck, steps, memory| Outcome {
            result,
            linearization,
            stuck,
            allowed: None,
            steps,
            memory,
        };
        loop {
            let done = list.first() == NONE;
            if done {
                let order: Vec<usize> = stack.iter().map(|&(op, _)| self.index[op]).collect();
                match ends.as_deref_mut() {
                    None => return outcome(CheckResult::Ok, order, None, *steps, memo.bytes),
                    Some(ends) => {
                        if !ends.iter().any(|(e, _)| *e == state) {
                            ends.push((state.clone(), order));
                        }
                        if ends.len() > MAX_END_STATES {
                            return outcome(
                                CheckResult::Unknown,
                                Vec::new(),
                                None,
                                *steps,
                                memo.bytes,
                            );
                        }
                    }
                }
            }
            *steps += 1;
            if *steps > budget.steps
                || memo.bytes > budget.memory
                || ((*steps).is_multiple_of(CANCEL_CHECK_EVERY) && cancelled())
            {
                let prefix = longest.map(|(p, _)| p).unwrap_or_default();
                return outcome(CheckResult::Unknown, prefix, None, *steps, memo.bytes);
            }
            let backtrack = done || !list.entries[entry].is_call;
            if !backtrack {
                let Event { op, next, .. } = list.entries[entry];
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
                continue;
            }
            if !done {
                // `op` returned without being placed: the last choice was wrong.
                let op = list.entries[entry].op;
                if longest.as_ref().is_none_or(|(p, _)| stack.len() > p.len()) {
                    let prefix = stack.iter().map(|&(o, _)| self.index[o]).collect();
                    longest = Some((prefix, self.index[op]));
                }
            }
            let Some((undo, before)) = stack.pop() else {
                let found = ends.as_ref().is_some_and(|e| !e.is_empty());
                if found {
                    return outcome(CheckResult::Ok, Vec::new(), None, *steps, memo.bytes);
                }
                let (prefix, stuck) = longest.unwrap_or_default();
                return outcome(
                    CheckResult::Illegal,
                    prefix,
                    Some(stuck),
                    *steps,
                    memo.bytes,
                );
            };
            state = before;
            placed.clear(undo);
            list.unlift(undo);
            entry = list.entries[list.call_of[undo]].next;
        }
    }
}
