//! Checks a claimed linearization before the checker answers `Ok`.
//!
//! A linearization is believed only if it holds every operation of its partition once,
//! keeps real-time order, and replays through the model. So `Ok` never rests on the
//! reasoning of a presolver or of the search alone.

use super::{Model, Operation};

/// `Ok` if `order` is a linearization of the partition `ops` (both history indexes).
pub(super) fn verify<M: Model>(
    model: &M,
    history: &[Operation<M::Input, M::Output>],
    ops: &[usize],
    order: &[usize],
) -> Result<(), String> {
    let mut wanted: Vec<usize> = ops.to_vec();
    let mut got: Vec<usize> = order.to_vec();
    wanted.sort_unstable();
    got.sort_unstable();
    if wanted != got {
        return Err(format!(
            "the order has {} operations, the partition {} (or they differ)",
            order.len(),
            ops.len()
        ));
    }
    // No operation may come after one that was called after it returned: scan from the
    // end, keeping the earliest return among the operations placed later.
    let mut earliest_later_ret = u64::MAX;
    let mut earliest_later = usize::MAX;
    for &i in order.iter().rev() {
        if earliest_later_ret < history[i].call {
            return Err(format!(
                "operation {earliest_later} is placed after operation {i} but returned before it was called"
            ));
        }
        if history[i].ret < earliest_later_ret {
            earliest_later_ret = history[i].ret;
            earliest_later = i;
        }
    }
    let mut state = model.init();
    for &i in order {
        let op = &history[i];
        match model.step(&state, &op.input, &op.output) {
            Some(next) => state = next,
            None => {
                return Err(format!(
                    "operation {i} ({}) is illegal in state {}",
                    model.describe_operation(&op.input, &op.output),
                    model.describe_state(&state)
                ));
            }
        }
    }
    Ok(())
}
