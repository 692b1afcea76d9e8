//! Prints the dictionary compact snapshots are deflated against (`core/src/account/compact.dict`):
//! snapshots of two made-up members of the shipped retail program, with UUID-like ids and
//! a mix of purchases, pending activation, check-ins, a redemption, a refund and a tier
//! upgrade, so the dictionary holds the snapshot's keys and shapes but none of the bench's
//! ids. The committed file, not this program, is the format: it never changes for a format
//! version, even if this program's output would.
//!
//! ```text
//! cargo run -p loyalty-examples --bin snapshot_dictionary > core/src/account/compact.dict
//! ```
use chrono::{Duration, TimeZone, Utc};
use loyalty::{Account, Event, EventKind, Program};
use rust_decimal::Decimal;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let json = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/programs/retail.json"))?;
    let program = Program::from_json(&json)?;
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut id = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        format!(
            "{:08x}-{:04x}-4{:03x}-a{:03x}-{:012x}",
            seed >> 32,
            seed & 0xffff,
            seed >> 52,
            seed >> 20 & 0xfff,
            seed >> 8
        )
    };
    let mut out = String::new();
    for member in 0..2i64 {
        let mut account = Account::new(id());
        let mut t = Utc.with_ymd_and_hms(2023, 3, 7, 14, 30, 0).single().ok_or("date")? + Duration::days(member * 11);
        let mut orders = Vec::new();
        for i in 0..9i64 {
            t += Duration::days(5 + (i * 7 + member * 3) % 13) + Duration::minutes(37 * i);
            let order_id = id();
            let amount = Decimal::new(1_999 + (i * 3_517 + member * 911) % 24_000, 2);
            account.apply(
                &program,
                &Event::new(
                    id(),
                    t,
                    EventKind::OrderPlaced {
                        order_id: order_id.clone(),
                        amount,
                        channel: None,
                        lines: vec![],
                        stored_value: None,
                        coupons: vec![],
                        reservation_key: None,
                    },
                ),
            )?;
            orders.push((order_id, amount));
            if i % 3 == 1 {
                account.apply(&program, &Event::new(id(), t + Duration::hours(2), EventKind::CheckedIn))?;
            }
        }
        t += Duration::days(20);
        let (order_id, amount) = &orders[2];
        account.apply(
            &program,
            &Event::new(
                id(),
                t,
                EventKind::OrderRefunded {
                    order_id: order_id.clone(),
                    amount: amount / Decimal::from(2),
                    returned: None,
                },
            ),
        )?;
        let available = account.balances(&program, t + Duration::days(1))?.available.get();
        if available >= 1_000 {
            account.apply(
                &program,
                &Event::new(
                    id(),
                    t + Duration::days(1),
                    EventKind::RewardRedeemed { reward_id: "gift-card-10".into(), points: 1_000 },
                ),
            )?;
        }
        account.advance_to(&program, t + Duration::days(300))?;
        out.push_str(&account.to_json());
    }
    print!("{out}");
    Ok(())
}
