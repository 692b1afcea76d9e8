//! Reading order logs: the CDNOW format and a plain CSV, with errors that name the line, the
//! column and the value.

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use chrono_tz::Tz;
use rust_decimal::Decimal;
use std::fmt;

/// One order read from a log.
#[derive(Clone, Debug, PartialEq)]
pub struct OrderRow {
    /// 1-based line number in the file.
    pub line: usize,
    pub member_id: String,
    pub order_id: String,
    pub occurred_at: DateTime<Utc>,
    pub amount: Decimal,
}

/// A row that could not be read.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
#[error("line {line}, column {column}: {value:?} {reason}")]
pub struct RowError {
    pub line: usize,
    pub column: String,
    pub value: String,
    pub reason: String,
}

/// Which layout the log has.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// `customer_id date(YYYYMMDD) number_of_cds dollar_value`, whitespace separated, one
    /// header line.
    Cdnow,
    /// A header naming `member_id`, `date` (YYYY-MM-DD or RFC 3339) and `amount`, with an
    /// optional `order_id`; comma separated, no quoting.
    Csv,
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Format::Cdnow => "cdnow",
            Format::Csv => "csv",
        })
    }
}

fn err(line: usize, column: &str, value: &str, reason: &str) -> RowError {
    RowError { line, column: column.to_string(), value: value.to_string(), reason: reason.to_string() }
}

/// A calendar date becomes local noon in the program's zone, so it falls on that local day.
fn noon(date: NaiveDate, tz: Tz) -> DateTime<Utc> {
    let noon = NaiveTime::from_hms_opt(12, 0, 0).unwrap_or(NaiveTime::MIN);
    date.and_time(noon)
        .and_local_timezone(tz)
        .earliest()
        .map_or_else(|| date.and_time(noon).and_utc(), |t| t.with_timezone(&Utc))
}

fn amount(line: usize, column: &str, text: &str) -> Result<Decimal, RowError> {
    let value: Decimal = text.parse().map_err(|_| err(line, column, text, "is not a decimal amount"))?;
    if value.is_sign_negative() && !value.is_zero() {
        return Err(err(line, column, text, "must not be negative"));
    }
    Ok(value)
}

/// Parses a whole log.
pub fn parse(text: &str, format: Format, tz: Tz) -> Result<Vec<OrderRow>, RowError> {
    match format {
        Format::Cdnow => parse_cdnow(text, tz),
        Format::Csv => parse_csv(text, tz),
    }
}

fn parse_cdnow(text: &str, tz: Tz) -> Result<Vec<OrderRow>, RowError> {
    let mut rows = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = i + 1;
        let fields: Vec<&str> = raw.split_whitespace().collect();
        if fields.is_empty() || (line == 1 && fields[0] == "customer_id") {
            continue;
        }
        // The master log has 4 fields; the 1/10 sample starts with the original customer id
        // (the sample's own id, its second field, names the member).
        let fields = match fields.len() {
            4 => &fields[..],
            5 => &fields[1..],
            _ => {
                return Err(err(
                    line,
                    "row",
                    raw.trim(),
                    "must have 4 fields (customer_id date number_of_cds dollar_value), or 5 with the \
                     original customer id first",
                ))
            }
        };
        let date = NaiveDate::parse_from_str(fields[1], "%Y%m%d")
            .map_err(|_| err(line, "date", fields[1], "is not a YYYYMMDD date"))?;
        fields[2].parse::<u32>().map_err(|_| err(line, "number_of_cds", fields[2], "is not a whole number"))?;
        rows.push(OrderRow {
            line,
            member_id: fields[0].to_string(),
            order_id: format!("L{line}"),
            occurred_at: noon(date, tz),
            amount: amount(line, "dollar_value", fields[3])?,
        });
    }
    Ok(rows)
}

fn parse_csv(text: &str, tz: Tz) -> Result<Vec<OrderRow>, RowError> {
    let mut lines = text.lines().enumerate();
    let Some((_, header)) = lines.next() else {
        return Ok(Vec::new());
    };
    let names: Vec<&str> = header.split(',').map(str::trim).collect();
    let find = |name: &str| names.iter().position(|n| *n == name);
    let member = find("member_id").ok_or_else(|| err(1, "header", header, "must name a member_id column"))?;
    let date = find("date")
        .or_else(|| find("occurred_at"))
        .ok_or_else(|| err(1, "header", header, "must name a date column"))?;
    let value = find("amount").ok_or_else(|| err(1, "header", header, "must name an amount column"))?;
    let order = find("order_id");
    let mut rows = Vec::new();
    for (i, raw) in lines {
        let line = i + 1;
        if raw.trim().is_empty() {
            continue;
        }
        if raw.contains('"') {
            return Err(err(line, "row", raw, "uses quotes, which this reader does not support"));
        }
        let fields: Vec<&str> = raw.split(',').map(str::trim).collect();
        if fields.len() != names.len() {
            return Err(err(line, "row", raw, &format!("has {} fields, the header has {}", fields.len(), names.len())));
        }
        let member_id = fields[member];
        if member_id.is_empty() {
            return Err(err(line, "member_id", member_id, "must not be empty"));
        }
        let when = fields[date];
        let occurred_at = match NaiveDate::parse_from_str(when, "%Y-%m-%d") {
            Ok(d) => noon(d, tz),
            Err(_) => DateTime::parse_from_rfc3339(when)
                .map_err(|_| err(line, names[date], when, "is neither YYYY-MM-DD nor an RFC 3339 instant"))?
                .with_timezone(&Utc),
        };
        let order_id = order.map_or_else(|| format!("L{line}"), |o| fields[o].to_string());
        rows.push(OrderRow {
            line,
            member_id: member_id.to_string(),
            order_id,
            occurred_at,
            amount: amount(line, "amount", fields[value])?,
        });
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cdnow_rows_become_local_noon() {
        let rows = parse(
            " customer_id  date number_of_cds  dollar_value\r\n 00002 19970112  1   12.00\r\n",
            Format::Cdnow,
            chrono_tz::America::New_York,
        )
        .unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].occurred_at.to_rfc3339(), "1997-01-12T17:00:00+00:00");
        assert_eq!(rows[0].amount, Decimal::new(1200, 2));
        assert_eq!(rows[0].order_id, "L2");
    }

    #[test]
    fn the_sample_log_reads_its_own_customer_ids() {
        // CDNOW_sample.txt: original id, sample id, date, CDs, dollars.
        let rows = parse("00004 0001 19970101  2   29.33\r\n", Format::Cdnow, chrono_tz::UTC).unwrap();
        assert_eq!((rows[0].member_id.as_str(), rows[0].amount), ("0001", Decimal::new(2933, 2)));
        let e = parse("1 2 3\n", Format::Cdnow, chrono_tz::UTC).unwrap_err();
        assert_eq!(e.column, "row");
    }

    #[test]
    fn bad_rows_name_line_column_and_value() {
        let e =
            parse(" customer_id date number_of_cds dollar_value\n 1 19971301 1 5.00\n", Format::Cdnow, chrono_tz::UTC)
                .unwrap_err();
        assert_eq!(e.to_string(), r#"line 2, column date: "19971301" is not a YYYYMMDD date"#);
        let e = parse("member_id,date,amount\nm1,2024-01-01,abc\n", Format::Csv, chrono_tz::UTC).unwrap_err();
        assert_eq!(e.to_string(), r#"line 2, column amount: "abc" is not a decimal amount"#);
        let e = parse("member_id,date,amount\nm1,2024-01-01,-3\n", Format::Csv, chrono_tz::UTC).unwrap_err();
        assert_eq!(e.to_string(), r#"line 2, column amount: "-3" must not be negative"#);
        let e = parse("member,date,amount\n", Format::Csv, chrono_tz::UTC).unwrap_err();
        assert_eq!(e.column, "header");
    }

    #[test]
    fn csv_accepts_instants_with_offsets() {
        let rows = parse(
            "member_id,order_id,occurred_at,amount\nm1,A1,2024-03-10T01:30:00-05:00,9.99\n",
            Format::Csv,
            chrono_tz::UTC,
        )
        .unwrap();
        assert_eq!(rows[0].occurred_at.to_rfc3339(), "2024-03-10T06:30:00+00:00");
        assert_eq!(rows[0].order_id, "A1");
    }
}
