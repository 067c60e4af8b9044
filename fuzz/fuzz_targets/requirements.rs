//! The plan reader `requirements` on arbitrary text (see `tracemark::plan::readers::requirements`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let text = tracemark::text::decode(data).text;
    tracemark::plan::readers::requirements(&text);
});
