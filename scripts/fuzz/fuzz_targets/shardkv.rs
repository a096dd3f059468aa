//! Lab 5's controller and group log entries applied in sequence, and requests between
//! groups answered (`lab5_shardkv::fuzz::fuzz_input`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| lab5_shardkv::fuzz::fuzz_input(data));
