//! Columns as little-endian bytes: how bindings hand columns over without a shared array
//! type (numpy's `tobytes()`, Node's typed-array buffers), read in place where alignment
//! allows.

use super::AnalyticsError;
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
/// assert_eq!(*loyalty::analytics::le_u64("member_id", &bytes).unwrap(), [7, 9]);
/// // Misaligned bytes are copied, with the same values.
/// let shifted: Vec<u8> = std::iter::once(0).chain(bytes.iter().copied()).collect();
/// assert_eq!(*loyalty::analytics::le_u64("member_id", &shifted[1..]).unwrap(), [7, 9]);
/// assert!(loyalty::analytics::le_u64("member_id", &bytes[..5]).is_err());
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
}
