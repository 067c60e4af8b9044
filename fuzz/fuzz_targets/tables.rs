//! The plan reader `tables` on arbitrary text (see `tracemark::plan::readers::tables`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let text = tracemark::text::decode(data).text;
    tracemark::plan::readers::tables(&text);
});
