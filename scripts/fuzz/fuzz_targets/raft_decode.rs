//! Raft's saved-state and message decoders, and a core stepped with what decodes
//! (`lab3_raft::core::fuzz::decode_input`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| lab3_raft::core::fuzz::decode_input(data));
