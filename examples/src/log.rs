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

/// The log as columns: members coded 0.. in order of first appearance, instants in Unix
/// seconds, amounts in the currency's minor units.
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
    /// The members' ids, by code.
    pub names: Vec<String>,
}

impl Columns {
    /// The rows as columns, amounts in `currency`'s minor units (two digits for an unknown
    /// code).
    ///
    /// # Errors
    /// An amount with more digits than the currency has, or too large, naming its line.
    pub fn of(rows: &[OrderRow], currency: &str) -> Result<Columns, RowError> {
        let scale = loyalty::minor_units(currency).unwrap_or(2);
        let mut codes: HashMap<&str, u64> = HashMap::new();
        let mut out = Columns::default();
        for row in rows {
            let next = codes.len() as u64;
            let code = *codes.entry(row.member_id.as_str()).or_insert_with(|| {
                out.names.push(row.member_id.clone());
                next
            });
            out.member_id.push(code);
            out.ordered_at.push(row.occurred_at.timestamp());
            let minor = row.amount * rust_decimal::Decimal::from(10i64.pow(scale));
            let whole = minor.trunc();
            let value = if whole == minor { i64::try_from(whole).ok() } else { None };
            let Some(value) = value else {
                return Err(orders::err(
                    row.line,
                    "amount",
                    &row.amount.to_string(),
                    &format!("is not a whole number of {currency} minor units ({scale} digits)"),
                ));
            };
            out.amount_minor.push(value);
        }
        out.members = codes.len();
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn members_are_coded_in_order_of_appearance_and_amounts_become_cents() {
        let rows = orders::parse(
            "member_id,date,amount\nb,2024-01-02,1.5\na,2024-01-03,2\nb,2024-01-04,0.07\n",
            Format::Csv,
            chrono_tz::UTC,
        )
        .unwrap();
        let c = Columns::of(&rows, "USD").unwrap();
        assert_eq!((c.member_id.as_slice(), c.amount_minor.as_slice()), (&[0, 1, 0][..], &[150, 200, 7][..]));
        assert_eq!((c.members, c.names.as_slice()), (2, &["b".to_string(), "a".to_string()][..]));
        // Yen have no minor unit: 1.5 yen is refused, naming the line.
        let e = Columns::of(&rows, "JPY").unwrap_err();
        assert_eq!((e.line, e.column.as_str(), e.value.as_str()), (2, "amount", "1.5"));
    }
}
