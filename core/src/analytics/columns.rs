//! Columns as little-endian bytes: how bindings hand columns over without a shared array
//! type (numpy's `tobytes()`, Node's typed-array buffers).

use super::AnalyticsError;

fn words<T>(column: &str, bytes: &[u8], f: fn([u8; 8]) -> T) -> Result<Vec<T>, AnalyticsError> {
    if bytes.len() % 8 != 0 {
        return Err(AnalyticsError::Invalid {
            field: column.to_string(),
            reason: format!("{} bytes are not a whole number of 8-byte values", bytes.len()),
        });
    }
    Ok(bytes
        .chunks_exact(8)
        .map(|c| {
            let mut w = [0u8; 8];
            w.copy_from_slice(c);
            f(w)
        })
        .collect())
}

/// Unsigned 64-bit integers from little-endian bytes.
///
/// ```
/// let bytes: Vec<u8> = [7u64, 9].iter().flat_map(|v| v.to_le_bytes()).collect();
/// assert_eq!(loyalty::analytics::le_u64("member_id", &bytes).unwrap(), vec![7, 9]);
/// assert!(loyalty::analytics::le_u64("member_id", &bytes[..5]).is_err());
/// ```
///
/// # Errors
/// [`AnalyticsError::Invalid`] when the length is not a multiple of 8.
pub fn le_u64(column: &str, bytes: &[u8]) -> Result<Vec<u64>, AnalyticsError> {
    words(column, bytes, u64::from_le_bytes)
}

/// Signed 64-bit integers from little-endian bytes.
///
/// # Errors
/// [`AnalyticsError::Invalid`] when the length is not a multiple of 8.
pub fn le_i64(column: &str, bytes: &[u8]) -> Result<Vec<i64>, AnalyticsError> {
    words(column, bytes, i64::from_le_bytes)
}

/// 64-bit floats from little-endian bytes (model inputs only; never money).
///
/// # Errors
/// [`AnalyticsError::Invalid`] when the length is not a multiple of 8.
pub fn le_f64(column: &str, bytes: &[u8]) -> Result<Vec<f64>, AnalyticsError> {
    words(column, bytes, f64::from_le_bytes)
}
