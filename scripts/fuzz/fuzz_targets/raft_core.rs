//! Three Raft cores stepped with dropped, duplicated, reordered and mutated messages,
//! made-up requests and replies, and restarts from mutated saved bytes; the input is
//! the sequence of choices (`lab3_raft::core::fuzz::run_input`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| lab3_raft::core::fuzz::run_input(data));
