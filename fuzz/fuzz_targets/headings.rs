//! The plan reader `headings` on arbitrary text (see `tracemark::plan::readers::headings`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let text = tracemark::text::decode(data).text;
    tracemark::plan::readers::headings(&text);
});
