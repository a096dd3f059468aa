//! An exact, near-linear decision for one key whose written values are all unique.
//!
//! When every Put and Append of a key writes a distinct, non-empty value, a value that was
//! read names the writes that made it: it is the value of one Put (or the empty start)
//! followed by the values of the Appends after it, in order. If that split is unique, the
//! read fixes a chain of writes that must follow each other immediately in every legal
//! order, and the point in that chain at which the read took effect. Chains that share a
//! write join into *groups*; a group with the reads pinned inside it is a fixed stretch of
//! any linearization. What remains is to order the groups so that no operation comes after
//! one that was called after it returned: a topological sort.
//!
//! So the history is legal exactly when: every value read splits into writes, no write is
//! said to be followed by two different writes (or preceded by two), the chains have no
//! circle, each group's fixed order respects real time, and the groups can be sorted. Any
//! failure is a proof of illegality with a reason a human can check; success yields a
//! linearization, which the checker replays before it believes it.
//!
//! When a value is written twice, a value is empty, or a read splits in two ways, the
//! presolver stands aside and the general search decides.

use super::{KvInput, KvModel, KvOperation, KvValue};
use crate::linearizability::{Model, Presolved};
use std::collections::{BTreeSet, HashMap};

/// Marks "no node".
const NONE: usize = usize::MAX;

/// How one value read splits into writes.
#[derive(Clone)]
enum Split {
    /// The writes, oldest first; the first is the start node (`n`) or a Put.
    Chain(Vec<usize>),
    /// No sequence of this key's writes produces the value.
    Impossible,
    /// Two or more sequences do.
    Ambiguous,
}

struct Key<'a> {
    model: &'a KvModel,
    ops: Vec<&'a KvOperation>,
    /// Local number to history index.
    index: &'a [usize],
    /// The start node, standing for the empty value before any write.
    start: usize,
    puts: HashMap<&'a [u8], usize>,
    appends: HashMap<&'a [u8], usize>,
    put_lens: BTreeSet<usize>,
    append_lens: BTreeSet<usize>,
}

pub(super) fn presolve(model: &KvModel, history: &[KvOperation], index: &[usize]) -> Presolved {
    let ops: Vec<&KvOperation> = index.iter().map(|&i| &history[i]).collect();
    let mut key = Key {
        model,
        start: ops.len(),
        ops,
        index,
        puts: HashMap::new(),
        appends: HashMap::new(),
        put_lens: BTreeSet::new(),
        append_lens: BTreeSet::new(),
    };
    for (l, op) in key.ops.iter().enumerate() {
        let (value, is_put) = match &op.input {
            KvInput::Get { .. } => continue,
            KvInput::Put { value, .. } => (value, true),
            KvInput::Append { value, .. } => (value, false),
        };
        let bytes = value.as_bytes();
        if bytes.is_empty() || key.puts.contains_key(bytes) || key.appends.contains_key(bytes) {
            return Presolved::Unsure;
        }
        if is_put {
            key.puts.insert(bytes, l);
            key.put_lens.insert(bytes.len());
        } else {
            key.appends.insert(bytes, l);
            key.append_lens.insert(bytes.len());
        }
    }
    match key.solve() {
        Ok(order) => Presolved::Linearizable(order),
        Err(Stop::Illegal(reason, culprits)) => Presolved::Illegal {
            reason,
            culprits: culprits
                .into_iter()
                .filter(|&l| l < key.start)
                .map(|l| index[l])
                .collect(),
        },
        Err(Stop::Unsure) => Presolved::Unsure,
    }
}

enum Stop {
    /// Why, and the operations the reason names (local numbers).
    Illegal(String, Vec<usize>),
    Unsure,
}

/// A group of writes that follow each other immediately, with the reads pinned inside it.
struct Group {
    /// Its operations in their fixed order (local numbers).
    order: Vec<usize>,
    /// Its writes (local numbers; the start node excluded).
    writes: Vec<usize>,
    /// The earliest return among its operations, and which.
    min_ret: (u64, usize),
    /// The latest call among its operations, and which.
    max_call: (u64, usize),
}

impl<'a> Key<'a> {
    fn op(&self, l: usize) -> String {
        let op = self.ops[l];
        format!(
            "client {}'s {}",
            op.client_id,
            self.model.describe_operation(&op.input, &op.output)
        )
    }

    fn node(&self, node: usize) -> String {
        if node == self.start {
            "the start (empty value)".to_string()
        } else {
            self.op(node)
        }
    }

    fn is_observer(&self, l: usize) -> bool {
        match self.ops[l].input {
            KvInput::Get { .. } => true,
            KvInput::Append { .. } => self.model.checks_append_output(),
            KvInput::Put { .. } => false,
        }
    }

    fn split(&self, value: &str) -> Split {
        let b = value.as_bytes();
        if b.is_empty() {
            return Split::Chain(vec![self.start]);
        }
        let len = b.len();
        // ways[p]: how many ways (capped at 2) b[p..] is a sequence of appended values;
        // via[p]: the append that starts one such way.
        let mut ways = vec![0u8; len + 1];
        let mut via = vec![NONE; len + 1];
        ways[len] = 1;
        for p in (0..len).rev() {
            for &n in &self.append_lens {
                if p + n > len || ways[p + n] == 0 {
                    continue;
                }
                if let Some(&a) = self.appends.get(&b[p..p + n]) {
                    ways[p] = (ways[p] + ways[p + n]).min(2);
                    via[p] = a;
                }
            }
        }
        let mut total = ways[0];
        let mut first = (self.start, 0);
        for &n in &self.put_lens {
            if n > len || ways[n] == 0 {
                continue;
            }
            if let Some(&p) = self.puts.get(&b[..n]) {
                total = (total + ways[n]).min(2);
                first = (p, n);
            }
        }
        match total {
            0 => Split::Impossible,
            1 => {
                let (node, mut p) = first;
                let mut chain = vec![node];
                while p < len {
                    let a = via[p];
                    chain.push(a);
                    p += written_len(self.ops[a]);
                }
                Split::Chain(chain)
            }
            _ => Split::Ambiguous,
        }
    }

    fn solve(&self) -> Result<Vec<usize>, Stop> {
        let n = self.ops.len();
        let mut succ = vec![NONE; n + 1];
        let mut pred = vec![NONE; n + 1];
        // Who said so, for the explanation of a conflict.
        let mut succ_by = vec![NONE; n + 1];
        let mut pred_by = vec![NONE; n + 1];
        let mut readers: Vec<Vec<usize>> = vec![Vec::new(); n + 1];
        // Values are materialized once each, to be split.
        #[expect(
            clippy::mutable_key_type,
            reason = "a value's hash and equality never read its memo of equal nodes"
        )]
        let mut splits: HashMap<&KvValue, Split> = HashMap::new();
        for l in 0..n {
            if !self.is_observer(l) {
                continue;
            }
            let value = &self.ops[l].output.value;
            let split = splits
                .entry(value)
                .or_insert_with(|| self.split(&value.to_string()))
                .clone();
            let mut chain = match split {
                Split::Chain(chain) => chain,
                Split::Ambiguous => return Err(Stop::Unsure),
                Split::Impossible => {
                    return Err(Stop::Illegal(
                        format!(
                            "{} saw a value that no sequence of this key's writes produces",
                            self.op(l)
                        ),
                        vec![l],
                    ));
                }
            };
            if matches!(self.ops[l].input, KvInput::Append { .. }) {
                // An Append that returns the old value is a write right after what it saw.
                chain.push(l);
            } else {
                readers[*chain.last().expect("a chain has its first node")].push(l);
            }
            let mut sorted = chain.clone();
            sorted.sort_unstable();
            if let Some(twice) = sorted.windows(2).find(|w| w[0] == w[1]) {
                return Err(Stop::Illegal(
                    format!(
                        "{} saw the value of {} twice, but each write happens once",
                        self.op(l),
                        self.node(twice[0])
                    ),
                    vec![l, twice[0]],
                ));
            }
            for pair in chain.windows(2) {
                let (a, b) = (pair[0], pair[1]);
                if succ[a] != NONE && succ[a] != b {
                    return Err(Stop::Illegal(
                        format!(
                            "{} implies {} came right after {}, but {} implies {} did",
                            self.op(l),
                            self.node(b),
                            self.node(a),
                            self.op(succ_by[a]),
                            self.node(succ[a])
                        ),
                        vec![l, succ_by[a], a, b, succ[a]],
                    ));
                }
                if pred[b] != NONE && pred[b] != a {
                    return Err(Stop::Illegal(
                        format!(
                            "{} implies {} came right before {}, but {} implies {} did",
                            self.op(l),
                            self.node(a),
                            self.node(b),
                            self.op(pred_by[b]),
                            self.node(pred[b])
                        ),
                        vec![l, pred_by[b], a, b, pred[b]],
                    ));
                }
                succ[a] = b;
                succ_by[a] = l;
                pred[b] = a;
                pred_by[b] = l;
            }
        }
        let groups = self.groups(&succ, &pred, &mut readers)?;
        self.sort_groups(&groups)
    }

    /// Joins chains into groups, each with its fixed order of operations.
    fn groups(
        &self,
        succ: &[usize],
        pred: &[usize],
        readers: &mut [Vec<usize>],
    ) -> Result<Vec<Group>, Stop> {
        let writes =
            (0..self.ops.len()).filter(|&l| !matches!(self.ops[l].input, KvInput::Get { .. }));
        let mut groups = Vec::new();
        let mut placed = 0;
        let total_nodes = writes.clone().count() + 1;
        for first in std::iter::once(self.start).chain(writes) {
            if pred[first] != NONE {
                continue;
            }
            let mut group = Group {
                order: Vec::new(),
                writes: Vec::new(),
                min_ret: (u64::MAX, NONE),
                max_call: (0, NONE),
            };
            let mut node = first;
            while node != NONE {
                placed += 1;
                if node != self.start {
                    group.order.push(node);
                    group.writes.push(node);
                }
                readers[node].sort_by_key(|&r| (self.ops[r].call, r));
                group.order.extend_from_slice(&readers[node]);
                node = succ[node];
            }
            for &l in &group.order {
                let op = self.ops[l];
                if op.ret < group.min_ret.0 {
                    group.min_ret = (op.ret, l);
                }
                if op.call > group.max_call.0 || group.max_call.1 == NONE {
                    group.max_call = (op.call, l);
                }
            }
            self.check_real_time(&group.order)?;
            groups.push(group);
        }
        if placed != total_nodes {
            return Err(Stop::Illegal(
                "the values read imply writes that follow each other in a circle".to_string(),
                Vec::new(),
            ));
        }
        Ok(groups)
    }

    /// Fails if an operation of a fixed order returned before an earlier one was called.
    fn check_real_time(&self, order: &[usize]) -> Result<(), Stop> {
        let mut earliest = (u64::MAX, NONE);
        for &l in order.iter().rev() {
            if earliest.0 < self.ops[l].call {
                return Err(Stop::Illegal(
                    format!(
                        "the values read place {} after {}, but it returned before that was called",
                        self.op(earliest.1),
                        self.op(l)
                    ),
                    vec![earliest.1, l],
                ));
            }
            if self.ops[l].ret < earliest.0 {
                earliest = (self.ops[l].ret, l);
            }
        }
        Ok(())
    }

    fn describe_group(&self, g: &Group) -> String {
        match g.writes.as_slice() {
            [] => "the reads of the empty start value".to_string(),
            [w] => self.op(*w),
            [w, .., last] => format!(
                "the {} writes from {} to {}",
                g.writes.len(),
                self.op(*w),
                self.op(*last)
            ),
        }
    }

    /// Orders the groups so that real time holds; the start's group goes first.
    ///
    /// Group `x` must precede group `y` when some operation of `x` returned before some
    /// operation of `y` was called, i.e. `min_ret(x) < max_call(y)`. A group can go next
    /// when no other remaining group must precede it; if one exists, the group with the
    /// earliest return or the one with the earliest call is one.
    fn sort_groups(&self, groups: &[Group]) -> Result<Vec<usize>, Stop> {
        let start = &groups[0];
        let mut by_ret: BTreeSet<(u64, usize)> = BTreeSet::new();
        let mut by_call: BTreeSet<(u64, usize)> = BTreeSet::new();
        for (k, g) in groups.iter().enumerate().skip(1) {
            if g.min_ret.0 < start.max_call.0 {
                return Err(Stop::Illegal(
                    format!(
                        "{} returned before {} was called, yet that saw a value from before it",
                        self.op(g.min_ret.1),
                        self.op(start.max_call.1)
                    ),
                    vec![g.min_ret.1, start.max_call.1],
                ));
            }
            by_ret.insert((g.min_ret.0, k));
            by_call.insert((g.max_call.0, k));
        }
        let mut order: Vec<usize> = start.order.iter().map(|&l| self.index[l]).collect();
        while let Some(&(m1, z1)) = by_ret.first() {
            let m2 = by_ret.iter().nth(1).map_or(u64::MAX, |&(r, _)| r);
            let next = if groups[z1].max_call.0 <= m2 {
                z1
            } else {
                let y = by_call.iter().map(|&(_, k)| k).find(|&k| k != z1);
                match y {
                    Some(y) if groups[y].max_call.0 <= m1 => y,
                    _ => {
                        let z2 = by_ret.iter().nth(1).map(|&(_, k)| k).unwrap_or(z1);
                        return Err(Stop::Illegal(
                            format!(
                                "no group of writes fixed by the values read can go next: for \
                                 example {} must come after {}, since {} returned before {} was \
                                 called",
                                self.describe_group(&groups[z1]),
                                self.describe_group(&groups[z2]),
                                self.op(groups[z2].min_ret.1),
                                self.op(groups[z1].max_call.1)
                            ),
                            vec![groups[z2].min_ret.1, groups[z1].max_call.1],
                        ));
                    }
                }
            };
            let g = &groups[next];
            by_ret.remove(&(g.min_ret.0, next));
            by_call.remove(&(g.max_call.0, next));
            order.extend(g.order.iter().map(|&l| self.index[l]));
        }
        Ok(order)
    }
}

/// Bytes written by a Put or Append (0 for Get).
fn written_len(op: &KvOperation) -> usize {
    match &op.input {
        KvInput::Get { .. } => 0,
        KvInput::Put { value, .. } | KvInput::Append { value, .. } => value.len(),
    }
}
