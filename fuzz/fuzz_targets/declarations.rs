//! The plan reader `declarations` on arbitrary text (see `tracemark::plan::readers::declarations`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let text = tracemark::text::decode(data).text;
    tracemark::plan::readers::declarations(&text);
});
