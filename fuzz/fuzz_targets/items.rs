//! The plan reader `items` on arbitrary text (see `tracemark::plan::readers::items`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let text = tracemark::text::decode(data).text;
    tracemark::plan::readers::items(&text);
});
