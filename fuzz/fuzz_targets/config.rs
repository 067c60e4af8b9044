//! The `tracemark.toml` parser and validator on arbitrary text.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let text = tracemark::text::decode(data).text;
    if let Ok(raw) = tracemark::config::parse(&text) {
        let _ = tracemark::config::Config::from_raw(std::path::PathBuf::from("/nonexistent-root"), raw, None);
    }
});
