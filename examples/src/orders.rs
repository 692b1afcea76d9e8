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
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// `customer_id date(YYYYMMDD) number_of_cds dollar_value`, whitespace separated, one
    /// header line.
    Cdnow,
    /// A header naming `member_id`, `date` (YYYY-MM-DD or RFC 3339) and `amount`, with an
    /// optional `order_id`; comma separated, fields may be quoted (RFC 4180, the `csv` crate).
    Csv,
    /// A Parquet file with the CSV's columns: `member_id` (text or integer), `date` or
    /// `occurred_at` (a date, a timestamp, or text as in the CSV) and `amount` (decimal,
    /// text, or integer minor units are not guessed: give a decimal or text), optional
    /// `order_id`.
    Parquet,
}

impl Format {
    /// The layout a file's extension suggests: `.csv`, `.parquet`, else CDNOW.
    pub fn of_path(path: &std::path::Path) -> Format {
        match path.extension().and_then(|e| e.to_str()) {
            Some("csv") => Format::Csv,
            Some("parquet") => Format::Parquet,
            _ => Format::Cdnow,
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Format::Cdnow => "cdnow",
            Format::Csv => "csv",
            Format::Parquet => "parquet",
        })
    }
}

pub fn err(line: usize, column: &str, value: &str, reason: &str) -> RowError {
    RowError { line, column: column.to_string(), value: value.to_string(), reason: reason.to_string() }
}

/// A calendar date becomes local noon in the program's zone, so it falls on that local day.
pub fn noon(date: NaiveDate, tz: Tz) -> DateTime<Utc> {
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

/// Parses a whole text log (CDNOW or CSV; a Parquet file is binary: see `log::read`).
pub fn parse(text: &str, format: Format, tz: Tz) -> Result<Vec<OrderRow>, RowError> {
    match format {
        Format::Cdnow => parse_cdnow(text, tz),
        Format::Csv => parse_csv(text, tz),
        Format::Parquet => Err(err(1, "format", "parquet", "is a binary format: read the file, not its text")),
    }
}

/// A date (YYYY-MM-DD, local noon) or an RFC 3339 instant, as the CSV's date column holds.
pub fn instant(line: usize, column: &str, when: &str, tz: Tz) -> Result<DateTime<Utc>, RowError> {
    match NaiveDate::parse_from_str(when, "%Y-%m-%d") {
        Ok(d) => Ok(noon(d, tz)),
        Err(_) => Ok(DateTime::parse_from_rfc3339(when)
            .map_err(|_| err(line, column, when, "is neither YYYY-MM-DD nor an RFC 3339 instant"))?
            .with_timezone(&Utc)),
    }
}

/// An amount in the log's text: a decimal, not negative.
pub fn money(line: usize, column: &str, text: &str) -> Result<Decimal, RowError> {
    amount(line, column, text)
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
    let mut reader = csv::ReaderBuilder::new().trim(csv::Trim::All).flexible(true).from_reader(text.as_bytes());
    let header_error = |e: csv::Error| err(1, "header", &e.to_string(), "could not be read");
    let names: Vec<String> = reader.headers().map_err(header_error)?.iter().map(str::to_string).collect();
    let header = names.join(",");
    let find = |name: &str| names.iter().position(|n| n == name);
    let member = find("member_id").ok_or_else(|| err(1, "header", &header, "must name a member_id column"))?;
    let date = find("date")
        .or_else(|| find("occurred_at"))
        .ok_or_else(|| err(1, "header", &header, "must name a date column"))?;
    let value = find("amount").ok_or_else(|| err(1, "header", &header, "must name an amount column"))?;
    let order = find("order_id");
    let mut rows = Vec::new();
    let mut record = csv::StringRecord::new();
    loop {
        let line = usize::try_from(reader.position().line()).unwrap_or(usize::MAX);
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                let line = e.position().map_or(line, |p| usize::try_from(p.line()).unwrap_or(usize::MAX));
                return Err(err(line, "row", "", &e.to_string()));
            }
        }
        let line = usize::try_from(record.position().map_or(0, csv::Position::line)).unwrap_or(usize::MAX);
        if record.len() != names.len() {
            let row = record.iter().collect::<Vec<_>>().join(",");
            return Err(err(
                line,
                "row",
                &row,
                &format!("has {} fields, the header has {}", record.len(), names.len()),
            ));
        }
        let field = |i: usize| record.get(i).unwrap_or("");
        let member_id = field(member);
        if member_id.is_empty() {
            return Err(err(line, "member_id", member_id, "must not be empty"));
        }
        let occurred_at = instant(line, &names[date], field(date), tz)?;
        let order_id = order.map_or_else(|| format!("L{line}"), |o| field(o).to_string());
        rows.push(OrderRow {
            line,
            member_id: member_id.to_string(),
            order_id,
            occurred_at,
            amount: amount(line, "amount", field(value))?,
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
    fn csv_fields_may_be_quoted_and_a_short_row_names_its_line() {
        let log = "member_id,date,amount\n\"Smith, J.\",2024-01-02,\"1,5\"\n";
        let e = parse(log, Format::Csv, chrono_tz::UTC).unwrap_err();
        // The quoted comma stays inside the field: the amount is "1,5", not a decimal.
        assert_eq!(e.to_string(), r#"line 2, column amount: "1,5" is not a decimal amount"#);
        let rows =
            parse("member_id,date,amount\n\"Smith, J.\",2024-01-02,\"12.50\"\n", Format::Csv, chrono_tz::UTC).unwrap();
        assert_eq!((rows[0].member_id.as_str(), rows[0].amount), ("Smith, J.", Decimal::new(1250, 2)));
        let e =
            parse("member_id,date,amount\nm1,2024-01-02,1\nm2,2024-01-03\n", Format::Csv, chrono_tz::UTC).unwrap_err();
        assert_eq!(
            (e.line, e.column.as_str(), e.value.as_str(), e.reason.as_str()),
            (3, "row", "m2,2024-01-03", "has 2 fields, the header has 3")
        );
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
