//! The fuzz harness (issue 25): the KV machine's log entries and the replica's snapshot,
//! decoded from random and mutated bytes (`common::fuzz`) and applied. Nothing may panic,
//! whatever decodes. A `cargo test` here; the same entry points are `cargo fuzz` targets
//! in `scripts/fuzz` (feature `fuzzing`).

use crate::machine::{KvCommand, KvMachine};
use crate::rsm::{Payload, StateMachine};
use common::codec;
use lab2_kvsrv::kv_state::Write;

fn write(kind: Write, key: &str, value: &str, client_id: u64, seq: u64) -> KvCommand {
    KvCommand::Write {
        kind,
        key: key.to_string(),
        value: value.to_string(),
        client_id,
        seq,
    }
}

/// `bytes` as a log entry, applied to `machine` when it decodes to a command.
pub fn apply_entry(machine: &mut KvMachine, bytes: &[u8]) {
    if let Ok(Payload::Command(command)) = codec::decode::<Payload<KvCommand>>(bytes) {
        let _ = machine.apply(command);
    }
}

/// `bytes` as a replica's snapshot (the last applied index, then the machine's
/// snapshot), restored and applied to when it decodes.
pub fn restore_snapshot(bytes: &[u8]) {
    if let Ok((_, machine)) = codec::decode::<(u64, Vec<u8>)>(bytes) {
        let mut restored = KvMachine::new();
        if restored.restore(&machine).is_ok() {
            let _ = restored.apply(write(Write::Append, "k", "x", 3, 1));
        }
    }
}

/// A `cargo fuzz` input: its chunks ([`common::fuzz::chunks`]) as log entries applied in
/// order, and the whole of it as a snapshot.
pub fn fuzz_input(data: &[u8]) {
    let mut machine = KvMachine::new();
    for chunk in common::fuzz::chunks(data) {
        apply_entry(&mut machine, chunk);
    }
    restore_snapshot(data);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_entries_and_snapshots_survive_random_and_mutated_bytes() {
        let commands = [
            write(Write::Put, "k", "v", 1, 1),
            write(Write::Append, "k", "w", 2, 7),
            KvCommand::Get { key: "k".into() },
        ];
        let mut valid: Vec<Vec<u8>> = commands
            .iter()
            .map(|c| codec::encode(&Payload::Command(c.clone())).expect("encodes"))
            .collect();
        valid.push(codec::encode(&Payload::<KvCommand>::Noop).expect("encodes"));
        let mut machine = KvMachine::new();
        for bytes in common::fuzz::inputs(4, &valid, 20_000) {
            apply_entry(&mut machine, &bytes);
        }
        let snapshot = crate::rsm::snapshot_bytes(9, &machine);
        for bytes in common::fuzz::inputs(5, &[snapshot], 20_000) {
            restore_snapshot(&bytes);
        }
        for bytes in common::fuzz::inputs(6, &valid, 1_000) {
            fuzz_input(&bytes);
        }
    }
}
