//! For bindings: columns as little-endian bytes, how a binding hands a column over without a
//! shared array type (numpy's `tobytes()`, Node's typed-array buffers, Arrow's buffers), read
//! in place where alignment allows, and the conversions of Arrow's instant and decimal
//! columns. Kept apart from [`crate::analytics`], whose API takes typed columns
//! ([`crate::analytics::Orders`]).

use crate::analytics::AnalyticsError;
use std::borrow::Cow;

/// The bytes as values: borrowed without copying when the host is little-endian and the bytes
/// are 8-aligned (a `bytes` object's or typed array's buffer is), copied otherwise.
fn words<'a, T: bytemuck::Pod>(
    column: &str,
    bytes: &'a [u8],
    f: fn([u8; 8]) -> T,
) -> Result<Cow<'a, [T]>, AnalyticsError> {
    if bytes.len() % 8 != 0 {
        return Err(AnalyticsError::Invalid {
            field: column.to_string(),
            reason: format!("{} bytes are not a whole number of 8-byte values", bytes.len()),
        });
    }
    if cfg!(target_endian = "little") {
        if let Ok(values) = bytemuck::try_cast_slice(bytes) {
            return Ok(Cow::Borrowed(values));
        }
    }
    Ok(Cow::Owned(
        bytes
            .chunks_exact(8)
            .map(|c| {
                let mut w = [0u8; 8];
                w.copy_from_slice(c);
                f(w)
            })
            .collect(),
    ))
}

/// Unsigned 64-bit integers from little-endian bytes.
///
/// ```
/// let bytes: Vec<u8> = [7u64, 9].iter().flat_map(|v| v.to_le_bytes()).collect();
/// assert_eq!(*loyalty::interop::le_u64("member_id", &bytes).unwrap(), [7, 9]);
/// // Misaligned bytes are copied, with the same values.
/// let shifted: Vec<u8> = std::iter::once(0).chain(bytes.iter().copied()).collect();
/// assert_eq!(*loyalty::interop::le_u64("member_id", &shifted[1..]).unwrap(), [7, 9]);
/// assert!(loyalty::interop::le_u64("member_id", &bytes[..5]).is_err());
/// ```
///
/// # Errors
/// [`AnalyticsError::Invalid`] when the length is not a multiple of 8.
pub fn le_u64<'a>(column: &str, bytes: &'a [u8]) -> Result<Cow<'a, [u64]>, AnalyticsError> {
    words(column, bytes, u64::from_le_bytes)
}

/// Signed 64-bit integers from little-endian bytes.
///
/// # Errors
/// [`AnalyticsError::Invalid`] when the length is not a multiple of 8.
pub fn le_i64<'a>(column: &str, bytes: &'a [u8]) -> Result<Cow<'a, [i64]>, AnalyticsError> {
    words(column, bytes, i64::from_le_bytes)
}

/// 64-bit floats from little-endian bytes (model inputs only; never money).
///
/// # Errors
/// [`AnalyticsError::Invalid`] when the length is not a multiple of 8.
pub fn le_f64<'a>(column: &str, bytes: &'a [u8]) -> Result<Cow<'a, [f64]>, AnalyticsError> {
    words(column, bytes, f64::from_le_bytes)
}

/// The unit an integer instant column counts in (Arrow's timestamp and date units).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TimeUnit {
    /// Whole days since 1970-01-01 (a date).
    Days,
    /// Seconds since the epoch.
    Seconds,
    /// Milliseconds since the epoch.
    Milliseconds,
    /// Microseconds since the epoch.
    Microseconds,
    /// Nanoseconds since the epoch.
    Nanoseconds,
}

/// Unix seconds from instants counted in `unit`, borrowed when they already are seconds.
/// Finer units are floored, so an instant a nanosecond before midnight stays on its day;
/// days are multiplied out (saturating: a value that far out is refused later as out of
/// range).
///
/// ```
/// use loyalty::interop::{unix_seconds, TimeUnit};
/// assert_eq!(*unix_seconds(&[1_500, -1], TimeUnit::Milliseconds), [1, -1]);
/// assert_eq!(*unix_seconds(&[2], TimeUnit::Days), [172_800]);
/// assert_eq!(*unix_seconds(&[7], TimeUnit::Seconds), [7]);
/// ```
pub fn unix_seconds(values: &[i64], unit: TimeUnit) -> Cow<'_, [i64]> {
    // One loop per unit, so each divides by a constant.
    match unit {
        TimeUnit::Seconds => Cow::Borrowed(values),
        TimeUnit::Days => Cow::Owned(values.iter().map(|v| v.saturating_mul(86_400)).collect()),
        TimeUnit::Milliseconds => Cow::Owned(values.iter().map(|v| v.div_euclid(1_000)).collect()),
        TimeUnit::Microseconds => Cow::Owned(values.iter().map(|v| v.div_euclid(1_000_000)).collect()),
        TimeUnit::Nanoseconds => Cow::Owned(values.iter().map(|v| v.div_euclid(1_000_000_000)).collect()),
    }
}

/// Minor units at `scale` decimal places from fixed-point decimals: little-endian 16-byte
/// integers with `from_scale` decimal places (Arrow's `decimal128`). A value with more
/// decimal places than `scale`, or too large for 64 bits, is refused by its row (counted from
/// `first_row`: the bytes' first row in the caller's whole column or stream).
///
/// ```
/// use loyalty::interop::le_decimal128_minor;
/// // 19.990 and 0.500 at scale 3, as cents.
/// let bytes: Vec<u8> = [19_990i128, 500].iter().flat_map(|v| v.to_le_bytes()).collect();
/// assert_eq!(le_decimal128_minor("amount", &bytes, 3, 2, 0).unwrap(), [1_999, 50]);
/// let bytes: Vec<u8> = 19_995i128.to_le_bytes().to_vec();
/// assert_eq!(
///     le_decimal128_minor("amount", &bytes, 3, 2, 0).unwrap_err().to_string(),
///     "amount[0]: 19.995 has more than 2 decimal places"
/// );
/// ```
///
/// # Errors
/// [`AnalyticsError::Invalid`] naming the column and row.
pub fn le_decimal128_minor(
    column: &str,
    bytes: &[u8],
    from_scale: i32,
    scale: u32,
    first_row: usize,
) -> Result<Vec<i64>, AnalyticsError> {
    if bytes.len() % 16 != 0 {
        return Err(AnalyticsError::Invalid {
            field: column.to_string(),
            reason: format!("{} bytes are not a whole number of 16-byte values", bytes.len()),
        });
    }
    let shift = i64::from(scale) - i64::from(from_scale);
    let factor = u32::try_from(shift.unsigned_abs()).ok().and_then(|e| 10i128.checked_pow(e));
    let invalid = |row: usize, value: i128, reason: &str| AnalyticsError::Invalid {
        field: format!("{column}[{}]", first_row.saturating_add(row)),
        reason: format!(
            "{} {reason}",
            rust_decimal::Decimal::try_from_i128_with_scale(value, from_scale.clamp(0, 28) as u32)
                .map(|d| d.to_string())
                .unwrap_or_else(|_| value.to_string())
        ),
    };
    bytes
        .chunks_exact(16)
        .enumerate()
        .map(|(row, chunk)| {
            let mut w = [0u8; 16];
            w.copy_from_slice(chunk);
            let value = i128::from_le_bytes(w);
            let scaled = match factor {
                _ if shift == 0 => Some(value),
                Some(f) if shift > 0 => value.checked_mul(f),
                Some(f) if value % f == 0 => Some(value / f),
                Some(_) => return Err(invalid(row, value, &format!("has more than {scale} decimal places"))),
                None => None,
            };
            scaled
                .and_then(|v| i64::try_from(v).ok())
                .ok_or_else(|| invalid(row, value, "is too large for 64-bit minor units"))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aligned_little_endian_bytes_are_read_in_place() {
        let words = [7u64, 9, u64::MAX];
        let bytes: &[u8] = bytemuck::cast_slice(&words);
        let read = le_u64("member_id", bytes).unwrap();
        assert_eq!(matches!(read, Cow::Borrowed(_)), cfg!(target_endian = "little"));
        assert_eq!(*read, words);
        // Shifted by one byte: copied, same values.
        let mut shifted = vec![0u8; bytes.len() + 1];
        shifted[1..].copy_from_slice(bytes);
        let copied = le_u64("member_id", &shifted[1..]).unwrap();
        assert!(matches!(copied, Cow::Owned(_)));
        assert_eq!(*copied, words);
        assert_eq!(*le_i64("amount_minor", bytemuck::cast_slice(&[-5i64])).unwrap(), [-5]);
    }

    #[test]
    fn finer_units_floor_to_the_second_before() {
        // 1970-01-01T00:00:00.999 stays in second 0; 1969-12-31T23:59:59.999 is second -1.
        for (unit, per_second) in [
            (TimeUnit::Milliseconds, 1_000),
            (TimeUnit::Microseconds, 1_000_000),
            (TimeUnit::Nanoseconds, 1_000_000_000),
        ] {
            let values = [per_second - 1, -1, 1_700_000_000 * per_second];
            assert_eq!(*unix_seconds(&values, unit), [0, -1, 1_700_000_000], "{unit:?}");
        }
        assert!(matches!(unix_seconds(&[1], TimeUnit::Seconds), Cow::Borrowed(_)));
        assert_eq!(*unix_seconds(&[i64::MAX], TimeUnit::Days), [i64::MAX]);
    }

    #[test]
    fn decimals_scale_up_and_down_to_minor_units() {
        let le = |values: &[i128]| values.iter().flat_map(|v| v.to_le_bytes()).collect::<Vec<u8>>();
        // 12 (scale 0) and 12.3 (scale 1) as cents; 1.2300 (scale 4) as cents.
        assert_eq!(le_decimal128_minor("amount", &le(&[12, 0]), 0, 2, 0).unwrap(), [1_200, 0]);
        assert_eq!(le_decimal128_minor("amount", &le(&[123]), 1, 2, 0).unwrap(), [1_230]);
        assert_eq!(le_decimal128_minor("amount", &le(&[12_300, -5_000]), 4, 2, 0).unwrap(), [123, -50]);
        let err = le_decimal128_minor("amount", &le(&[12_300, 12_301]), 4, 2, 0).unwrap_err();
        // The same bytes as rows 40.. of a longer column name row 41.
        let later = le_decimal128_minor("amount", &le(&[12_300, 12_301]), 4, 2, 40).unwrap_err();
        assert_eq!(later.to_string(), "amount[41]: 1.2301 has more than 2 decimal places");
        assert_eq!(err.to_string(), "amount[1]: 1.2301 has more than 2 decimal places");
        let err = le_decimal128_minor("amount", &le(&[i128::from(i64::MAX)]), 0, 2, 0).unwrap_err();
        assert_eq!(err.to_string(), format!("amount[0]: {} is too large for 64-bit minor units", i64::MAX));
        // A negative scale (hundreds) multiplies out.
        assert_eq!(le_decimal128_minor("amount", &le(&[3]), -2, 2, 0).unwrap(), [30_000]);
        assert_eq!(
            le_decimal128_minor("amount", &[0u8; 15], 2, 2, 0).unwrap_err().to_string(),
            "amount: 15 bytes are not a whole number of 16-byte values"
        );
    }
}
