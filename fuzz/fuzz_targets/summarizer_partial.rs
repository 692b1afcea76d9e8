//! Reads arbitrary text as an analytics summarizer's partial (what one machine sends another
//! to merge): nothing may panic; whatever reads back writes the same text again, merges with
//! itself, and finishes into summaries.
#![no_main]

use libfuzzer_sys::fuzz_target;
use loyalty::analytics::Summarizer;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(partial) = serde_json::from_str::<Summarizer>(text) else { return };
    let written = serde_json::to_string(&partial).expect("a partial read back writes");
    let again: Summarizer = serde_json::from_str(&written).expect("a written partial reads back");
    assert_eq!(serde_json::to_string(&again).expect("writes"), written);
    let members = partial.clone().finish().map(|s| s.len()).unwrap_or(0);
    let mut doubled = partial.clone();
    doubled.merge(partial).expect("the same settings merge");
    // Merging a partial with itself keeps its members and doubles their orders.
    if let Ok(summaries) = doubled.finish() {
        assert_eq!(summaries.len(), members);
        assert!(summaries.iter().all(|m| m.orders % 2 == 0));
    }
});
