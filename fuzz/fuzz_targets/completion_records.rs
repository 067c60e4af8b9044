//! The plan reader `completion_records` on arbitrary text (see `tracemark::plan::readers::completion_records`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let text = tracemark::text::decode(data).text;
    tracemark::plan::readers::completion_records(&text);
});
