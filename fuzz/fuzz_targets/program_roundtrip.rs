//! Parses arbitrary text as a program; whatever parses must print and re-parse to an equal
//! program, and nothing may panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    match loyalty::Program::from_json(text) {
        Ok(program) => {
            let printed = program.to_json();
            let again = loyalty::Program::from_json(&printed).expect("a printed program parses");
            assert_eq!(again, program);
            assert_eq!(again.to_json(), printed);
        }
        Err(e) => {
            // Every error names a place.
            assert!(!e.to_string().is_empty());
        }
    }
});
