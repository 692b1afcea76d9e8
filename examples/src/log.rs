//! An order log read from a file and laid out as the core's order columns.

use crate::orders::{self, Format, OrderRow, RowError};
use chrono_tz::Tz;
use std::collections::HashMap;
use std::path::Path;

/// Reads a log in any of the formats.
///
/// # Errors
/// The file could not be read, or a row names its line, column and value.
pub fn read(path: &Path, format: Format, tz: Tz) -> Result<Vec<OrderRow>, String> {
    match format {
        Format::Parquet => crate::parquet_log::read(path, tz).map_err(|e| e.to_string()),
        Format::Cdnow | Format::Csv => {
            let text = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
            orders::parse(&text, format, tz).map_err(|e| e.to_string())
        }
    }
}

/// The log as columns: instants in Unix seconds, amounts in the currency's minor units, and
/// members coded as Python and Node code them, so a seed draws the same choices from any of
/// them: ids that are all whole numbers (read as numbers, so `00042` is 42) cross as
/// themselves, other ids by their rank in code-point order. The code never depends on the
/// rows' order.
#[derive(Debug, Default)]
pub struct Columns {
    /// Each order's member code.
    pub member_id: Vec<u64>,
    /// Each order's instant.
    pub ordered_at: Vec<i64>,
    /// Each order's amount in minor units.
    pub amount_minor: Vec<i64>,
    /// How many members.
    pub members: usize,
}

impl Columns {
    /// The rows as columns, amounts in `currency`'s minor units (two digits for an unknown
    /// code).
    ///
    /// # Errors
    /// An amount with more digits than the currency has, or too large, naming its line.
    pub fn of(rows: &[OrderRow], currency: &str) -> Result<Columns, RowError> {
        let scale = loyalty::minor_units(currency).unwrap_or(2);
        let codes = codes(rows);
        let mut out = Columns { members: codes.len(), ..Columns::default() };
        for row in rows {
            out.member_id.push(codes.get(row.member_id.as_str()).copied().unwrap_or(0));
            out.ordered_at.push(row.occurred_at.timestamp());
            let minor = row.amount.checked_mul(rust_decimal::Decimal::from(10i64.pow(scale)));
            let value = minor.filter(|m| m.fract().is_zero()).and_then(|m| i64::try_from(m).ok());
            let Some(value) = value else {
                return Err(orders::err(
                    row.line,
                    "amount",
                    &row.amount.to_string(),
                    &format!("is not a whole number of {currency} minor units ({scale} digits) that fits 64 bits"),
                ));
            };
            out.amount_minor.push(value);
        }
        Ok(out)
    }

    /// The columns as the core takes them.
    pub fn orders(&self) -> loyalty::analytics::Orders<'_> {
        loyalty::analytics::Orders {
            member_id: &self.member_id,
            ordered_at: &self.ordered_at,
            amount_minor: &self.amount_minor,
        }
    }
}

/// Each distinct member id's code: the number it spells when every id spells a different
/// whole number, else its rank among the ids in code-point order.
fn codes(rows: &[OrderRow]) -> HashMap<&str, u64> {
    let mut ids: Vec<&str> = rows.iter().map(|r| r.member_id.as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    let numbers: Option<Vec<u64>> = ids.iter().map(|id| id.parse::<u64>().ok()).collect();
    if let Some(numbers) = numbers {
        let mut seen = numbers.clone();
        seen.sort_unstable();
        seen.dedup();
        if seen.len() == numbers.len() {
            return ids.into_iter().zip(numbers).collect();
        }
    }
    ids.into_iter().zip(0u64..).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn csv(text: &str) -> Vec<OrderRow> {
        orders::parse(text, Format::Csv, chrono_tz::UTC).unwrap()
    }

    #[test]
    fn members_are_coded_as_the_bindings_code_them_and_amounts_become_cents() {
        let rows = csv("member_id,date,amount\nb,2024-01-02,1.5\na,2024-01-03,2\nb,2024-01-04,0.07\n");
        let c = Columns::of(&rows, "USD").unwrap();
        // Text ids by rank: a is 0, b is 1, whatever the rows' order.
        assert_eq!((c.member_id.as_slice(), c.amount_minor.as_slice()), (&[1, 0, 1][..], &[150, 200, 7][..]));
        assert_eq!(c.members, 2);
        // Whole numbers as themselves (CDNOW's zero-padded ids are numbers); two ids spelling
        // one number ("7" and "07") would be one member, so then they are ranked as text.
        assert_eq!(
            Columns::of(&csv("member_id,date,amount\n00042,2024-01-02,1\n7,2024-01-03,1\n"), "USD").unwrap().member_id,
            [42, 7]
        );
        assert_eq!(
            Columns::of(&csv("member_id,date,amount\n07,2024-01-02,1\n7,2024-01-03,1\n"), "USD").unwrap().member_id,
            [0, 1]
        );
        // An amount too large for minor units is refused with its line, not a panic.
        let huge = csv("member_id,date,amount\na,2024-01-02,79228162514264337593543950335\n");
        assert_eq!(Columns::of(&huge, "USD").unwrap_err().line, 2);
        // Yen have no minor unit: 1.5 yen is refused, naming the line.
        let e = Columns::of(&rows, "JPY").unwrap_err();
        assert_eq!((e.line, e.column.as_str(), e.value.as_str()), (2, "amount", "1.5"));
    }
}
