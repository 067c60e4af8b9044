//! The plan reader `trackers` on arbitrary text (see `tracemark::plan::readers::trackers`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let text = tracemark::text::decode(data).text;
    tracemark::plan::readers::trackers(&text);
});
