//! The marker scanner on arbitrary text, as every language the scanner knows.
#![no_main]

use tracemark::grammar::Grammar;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let text = tracemark::text::decode(data).text;
    let grammar = Grammar::default();
    for path in ["a.ts", "a.rs", "a.py", "a.md", "a.c", "a.sh", "a.txt"] {
        if tracemark::source::may_contain_markers(&text, &grammar) {
            let _ = tracemark::source::scan(path, &text, 40, &grammar);
        }
    }
});
