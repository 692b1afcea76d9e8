//! Reads arbitrary bytes as an account snapshot, as compact bytes and (if UTF-8) as JSON:
//! nothing may panic, inflating is capped, and whatever reads back must write and read again
//! to an equal account in both forms.
#![no_main]

use libfuzzer_sys::fuzz_target;

fn round_trips(account: &loyalty::Account) {
    let json = account.to_json();
    let again = loyalty::Account::from_json(&json).expect("a written snapshot reads back");
    assert_eq!(&again, account);
    let bytes = account.to_compact();
    let again = loyalty::Account::from_compact(&bytes).expect("written compact bytes read back");
    assert_eq!(&again, account);
}

fuzz_target!(|data: &[u8]| {
    if let Ok(account) = loyalty::Account::from_compact(data) {
        round_trips(&account);
    }
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(account) = loyalty::Account::from_json(text) {
            round_trips(&account);
        }
    }
});
