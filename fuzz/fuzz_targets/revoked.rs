//! libFuzzer target `revoked`: what it runs is `cabundle_fuzz`'s target of that name.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| cabundle_fuzz::run("revoked", data));
