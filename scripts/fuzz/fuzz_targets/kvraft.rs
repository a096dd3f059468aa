//! Lab 4's log entries applied in sequence, and its snapshot restored
//! (`lab4_kvraft::fuzz::fuzz_input`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| lab4_kvraft::fuzz::fuzz_input(data));
