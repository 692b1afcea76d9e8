//! Reading an order log from Parquet, with the CSV's columns: `member_id`, `date` or
//! `occurred_at`, `amount`, and optionally `order_id`. Errors name the row (1-based, as
//! `line`), the column and the value.

use crate::orders::{err, instant, money, noon, OrderRow, RowError};
use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use parquet::file::reader::{FileReader, SerializedFileReader};
use parquet::record::Field;
use rust_decimal::Decimal;
use std::path::Path;

/// Reads every row of the file.
///
/// # Errors
/// The file is not Parquet, lacks a column, or a value cannot be an order's.
pub fn read(path: &Path, tz: Tz) -> Result<Vec<OrderRow>, RowError> {
    let file = std::fs::File::open(path).map_err(|e| err(0, "file", &path.display().to_string(), &e.to_string()))?;
    let reader =
        SerializedFileReader::new(file).map_err(|e| err(0, "file", &path.display().to_string(), &e.to_string()))?;
    let schema = reader.metadata().file_metadata().schema_descr_ptr();
    let names: Vec<String> = schema.columns().iter().map(|c| c.name().to_string()).collect();
    let header = names.join(",");
    let find = |name: &str| names.iter().position(|n| n == name);
    let member = find("member_id").ok_or_else(|| err(0, "schema", &header, "must have a member_id column"))?;
    let date = find("date")
        .or_else(|| find("occurred_at"))
        .ok_or_else(|| err(0, "schema", &header, "must have a date or occurred_at column"))?;
    let amount = find("amount").ok_or_else(|| err(0, "schema", &header, "must have an amount column"))?;
    let order = find("order_id");
    let rows = reader.get_row_iter(None).map_err(|e| err(0, "file", &path.display().to_string(), &e.to_string()))?;
    let mut out = Vec::new();
    for (i, row) in rows.enumerate() {
        let line = i + 1;
        let row = row.map_err(|e| err(line, "row", "", &e.to_string()))?;
        let fields: Vec<&Field> = row.get_column_iter().map(|(_, f)| f).collect();
        let get = |c: usize| fields.get(c).copied().unwrap_or(&Field::Null);
        let member_id = text(get(member))
            .ok_or_else(|| err(line, "member_id", &get(member).to_string(), "is not text or a whole number"))?;
        if member_id.is_empty() {
            return Err(err(line, "member_id", "", "must not be empty"));
        }
        let date_name = names[date].as_str();
        let occurred_at = match get(date) {
            Field::Date(days) => noon(
                NaiveDate::from_ymd_opt(1970, 1, 1)
                    .and_then(|d| d.checked_add_signed(chrono::Duration::days(i64::from(*days))))
                    .ok_or_else(|| err(line, date_name, &days.to_string(), "is not a date"))?,
                tz,
            ),
            Field::TimestampMillis(ms) => DateTime::<Utc>::from_timestamp_millis(*ms)
                .ok_or_else(|| err(line, date_name, &ms.to_string(), "is not an instant"))?,
            Field::TimestampMicros(us) => DateTime::<Utc>::from_timestamp_micros(*us)
                .ok_or_else(|| err(line, date_name, &us.to_string(), "is not an instant"))?,
            Field::Str(s) => instant(line, date_name, s, tz)?,
            other => return Err(err(line, date_name, &other.to_string(), "is not a date, a timestamp or text")),
        };
        let value = match get(amount) {
            Field::Decimal(d) => {
                decimal(d).ok_or_else(|| err(line, "amount", &get(amount).to_string(), "does not fit 96 bits"))?
            }
            Field::Str(s) => money(line, "amount", s)?,
            Field::Float(_) | Field::Double(_) | Field::Float16(_) => {
                return Err(err(
                    line,
                    "amount",
                    &get(amount).to_string(),
                    "is a float: money must be a decimal or text",
                ))
            }
            other => {
                return Err(err(
                    line,
                    "amount",
                    &other.to_string(),
                    "must be a decimal or text (minor units are not guessed)",
                ))
            }
        };
        if value.is_sign_negative() && !value.is_zero() {
            return Err(err(line, "amount", &value.to_string(), "must not be negative"));
        }
        let order_id = order.and_then(|o| text(get(o))).unwrap_or_else(|| format!("R{line}"));
        out.push(OrderRow { line, member_id, order_id, occurred_at, amount: value });
    }
    Ok(out)
}

fn text(field: &Field) -> Option<String> {
    match field {
        Field::Str(s) => Some(s.clone()),
        Field::Int(v) => Some(v.to_string()),
        Field::Long(v) => Some(v.to_string()),
        Field::UInt(v) => Some(v.to_string()),
        Field::ULong(v) => Some(v.to_string()),
        _ => None,
    }
}

/// A Parquet decimal: big-endian two's-complement unscaled bytes and a scale.
fn decimal(d: &parquet::data_type::Decimal) -> Option<Decimal> {
    let bytes = d.data();
    if bytes.is_empty() || bytes.len() > 16 {
        return None;
    }
    let negative = bytes[0] & 0x80 != 0;
    let mut buf = if negative { [0xff; 16] } else { [0; 16] };
    buf[16 - bytes.len()..].copy_from_slice(bytes);
    let unscaled = i128::from_be_bytes(buf);
    Decimal::try_from_i128_with_scale(unscaled, u32::try_from(d.scale()).ok()?).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_are_big_endian_twos_complement() {
        // -5 at scale 2 in four bytes is ff ff ff fb; 1,234 is 00 00 04 d2.
        let d = |bytes: &[u8]| decimal(&parquet::data_type::Decimal::from_bytes(bytes.to_vec().into(), 9, 2));
        assert_eq!(d(&[0xff, 0xff, 0xff, 0xfb]), Some(Decimal::new(-5, 2)));
        assert_eq!(d(&[0, 0, 0x04, 0xd2]), Some(Decimal::new(1234, 2)));
        assert_eq!(d(&[]), None);
        assert_eq!(d(&[0; 17]), None);
    }
}
