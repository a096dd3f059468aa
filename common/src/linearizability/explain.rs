//! A short text saying where a history stops being linearizable, for the test's output.

use super::{CheckResult, Method, Model, Operation, PartitionVerdict, Verdict};
use std::fmt::Write;

/// Seconds of virtual time, from the nanosecond stamps.
pub fn seconds(ns: u64) -> String {
    format!("{:.6} s", ns as f64 / 1e9)
}

/// One operation for humans: client, description, call and return times.
pub fn describe<M: Model>(model: &M, op: &Operation<M::Input, M::Output>) -> String {
    format!(
        "client {}'s {} (called at {}, returned at {})",
        op.client_id,
        model.describe_operation(&op.input, &op.output),
        seconds(op.call),
        seconds(op.ret)
    )
}

/// The explanation of a verdict: for an illegal history, the first illegal partition; for
/// an undecided one, which partitions ran out of budget. Empty for `Ok`.
pub fn explain<M: Model>(
    model: &M,
    history: &[Operation<M::Input, M::Output>],
    verdict: &Verdict,
) -> String {
    match verdict.result {
        CheckResult::Ok => String::new(),
        CheckResult::Illegal => match verdict.first_illegal() {
            Some(p) => explain_illegal(model, history, p),
            None => String::new(),
        },
        CheckResult::Unknown => {
            let mut out = String::new();
            for p in verdict
                .partitions
                .iter()
                .filter(|p| p.result == CheckResult::Unknown)
            {
                let _ = writeln!(
                    out,
                    "{}: undecided after {} search steps and {} memo bytes ({} operations; \
                     the longest legal prefix found has {})",
                    p.name,
                    p.steps,
                    p.memory,
                    p.ops.len(),
                    p.linearization.len()
                );
            }
            out
        }
    }
}

fn explain_illegal<M: Model>(
    model: &M,
    history: &[Operation<M::Input, M::Output>],
    p: &PartitionVerdict,
) -> String {
    let mut out = format!("{}: no legal order exists.", p.name);
    if p.method == Method::Search || p.stuck.is_some() {
        let _ = write!(
            out,
            "\n  The longest legal order found places {} of its {} operations; none can go next.",
            p.linearization.len(),
            p.ops.len()
        );
    }
    if let Some(stuck) = p.stuck {
        let _ = write!(
            out,
            "\n  The first of the rest to return cannot be placed: {}.",
            describe(model, &history[stuck])
        );
        if p.allowed.is_empty() {
            out.push_str(
                "\n  No legal order reaches a point where it could go: an operation that \
                 precedes it cannot be placed either.",
            );
        } else {
            let _ = write!(
                out,
                "\n  A legal order could have run it only in state {}.",
                p.allowed.join(" or ")
            );
        }
    }
    if let Some(reason) = &p.reason {
        let _ = write!(out, "\n  Why (from the values written and read): {reason}.");
    }
    out
}
