//! Nia's account, stored compactly: eight weekly orders under the shipped retail program
//! (New York, 14 pending days, 12-month expiry rounded to the month, four tiers), so eight
//! live lots, a tier upgrade and a statement of sixteen entries.
use super::common::*;
use loyalty::{Account, Program};

#[test]
fn eight_live_lots_store_in_under_a_kibibyte_and_read_back_equal() {
    let json =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/programs/retail.json")).unwrap();
    let p = Program::from_json(&json).unwrap();
    let mut nia = Account::new("nia-0417");
    for week in 0..8u32 {
        let day = 2 + 7 * week;
        let t = format!("2024-{:02}-{:02}T17:45:00Z", 2 + day / 29, 1 + day % 28);
        let amount = format!("{}.{:02}", 18 + 13 * week, (week * 37) % 100);
        apply(&mut nia, &p, &order(&format!("ord-{week}-ev"), &t, &format!("WEB-{}", 88_120 + week), &amount));
    }
    let live = nia.lots().iter().filter(|l| l.remaining.is_positive()).count();
    assert_eq!(live, 8);
    let bytes = nia.to_compact();
    let json = nia.to_json();
    assert!(bytes.len() < 1024, "{} bytes compact ({} as JSON)", bytes.len(), json.len());
    assert_eq!(Account::from_compact(&bytes).unwrap(), nia);
    assert_eq!(Account::from_compact(&bytes).unwrap().to_json(), json);
}
