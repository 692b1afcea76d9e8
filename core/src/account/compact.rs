//! Compact snapshots: the JSON snapshot deflated against a built-in dictionary.
//!
//! A snapshot is mostly the same keys, effect names and shapes from member to member; a
//! DEFLATE stream primed with a dictionary of typical snapshots (`compact.dict`, two
//! made-up members of the shipped retail program; see `examples/src/snapshot_dictionary.rs`)
//! codes those as short back-references, so what remains is what is particular to the
//! member: ids, amounts, instants. The first byte names the encoding, so the dictionary can
//! change only under a new byte, and older bytes stay readable:
//!
//! - `0`: the JSON snapshot as it is (written only if compression itself failed);
//! - `1`: raw DEFLATE (RFC 1951) of the JSON snapshot, primed with `compact.dict`.

use super::{Account, SnapshotError};
use flate2::{Compress, Compression, Decompress, FlushCompress, FlushDecompress, Status};

/// The dictionary of encoding 1. Never edited: a new dictionary takes a new encoding byte.
const DICTIONARY_1: &[u8] = include_bytes!("compact.dict");

/// Snapshots larger than this are refused when reading compact bytes (a few corrupt bytes
/// must not make the reader allocate without bound).
const MAX_JSON_BYTES: usize = super::MAX_SNAPSHOT_BYTES;
/// How many times its compact size a snapshot may inflate to (plus a fixed allowance):
/// real snapshots deflate 5 to 15 times against the dictionary; DEFLATE can reach about a
/// thousand, which a crafted stream would use to turn a few hundred kilobytes into a
/// quarter of a gigabyte.
const MAX_RATIO: usize = 64;
const ALLOWANCE: usize = 1 << 20;

impl Account {
    /// The snapshot in a compact binary form, for storage: [`Account::to_json`] deflated
    /// against a built-in dictionary of typical snapshots, behind one encoding byte. Reads
    /// back with [`Account::from_compact`] to an equal account.
    ///
    /// ```
    /// use chrono::{TimeZone, Utc};
    /// use loyalty::{Account, Event, EventKind, Program};
    /// let program = Program::from_json(r#"{"name": "Shop", "version": 1, "currency": "USD",
    ///     "time_zone": "UTC", "earning": {"rules": [{"name": "base", "points_per_unit": "1"}]},
    ///     "redemption": {"point_value": "0.01"}}"#).unwrap();
    /// let mut account = Account::new("m-1");
    /// let kind = EventKind::OrderPlaced { order_id: "o-1".into(), amount: "19.99".parse().unwrap(), channel: None, lines: vec![], stored_value: None, coupons: vec![], reservation_key: None };
    /// account.apply(&program, &Event::new("e-1", Utc.with_ymd_and_hms(2024, 5, 1, 12, 0, 0).unwrap(), kind)).unwrap();
    /// let bytes = account.to_compact();
    /// assert!(bytes.len() < account.to_json().len() / 2);
    /// assert_eq!(Account::from_compact(&bytes).unwrap(), account);
    /// ```
    #[cfg_attr(docsrs, doc(cfg(feature = "compact")))]
    pub fn to_compact(&self) -> Vec<u8> {
        let json = self.to_json();
        deflate(json.as_bytes()).unwrap_or_else(|| {
            let mut plain = Vec::with_capacity(json.len() + 1);
            plain.push(0);
            plain.extend_from_slice(json.as_bytes());
            plain
        })
    }

    /// Reads bytes written by [`Account::to_compact`].
    ///
    /// ```
    /// use loyalty::{Account, SnapshotError};
    /// let account = Account::new("m-1");
    /// assert_eq!(Account::from_compact(&account.to_compact()).unwrap(), account);
    /// assert!(matches!(Account::from_compact(&[9]), Err(SnapshotError::Format { found: 9, supported: 1 })));
    /// ```
    ///
    /// # Errors
    /// [`SnapshotError::Format`] for an encoding byte this version does not know,
    /// [`SnapshotError::Corrupt`] (field `compact`) for bytes that do not inflate, and the
    /// errors of [`Account::from_json`] for what they inflate to.
    #[cfg_attr(docsrs, doc(cfg(feature = "compact")))]
    pub fn from_compact(bytes: &[u8]) -> Result<Account, SnapshotError> {
        Account::from_json(&Account::compact_to_json(bytes)?)
    }

    /// The JSON snapshot compact bytes hold, of whatever snapshot format: what
    /// [`Account::migrate`] reads when the stored bytes are of an earlier format.
    ///
    /// ```
    /// let account = loyalty::Account::new("m-1");
    /// assert_eq!(loyalty::Account::compact_to_json(&account.to_compact()).unwrap(), account.to_json());
    /// ```
    ///
    /// # Errors
    /// As [`Account::from_compact`], before the JSON is read.
    #[cfg_attr(docsrs, doc(cfg(feature = "compact")))]
    pub fn compact_to_json(bytes: &[u8]) -> Result<String, SnapshotError> {
        let corrupt = |reason: &str| SnapshotError::Corrupt { field: "compact".into(), reason: reason.into() };
        match bytes.split_first() {
            None => Err(corrupt("is empty")),
            Some((0, json)) => Ok(std::str::from_utf8(json).map_err(|_| corrupt("is not UTF-8 JSON"))?.to_string()),
            Some((1, deflated)) => {
                let json = inflate(deflated).map_err(|reason| corrupt(&reason))?;
                String::from_utf8(json).map_err(|_| corrupt("does not inflate to UTF-8"))
            }
            Some((&other, _)) => Err(SnapshotError::Format { found: u32::from(other), supported: 1 }),
        }
    }
}

/// Encoding 1 of `json`, or `None` if the compressor failed (it does not with valid input).
fn deflate(json: &[u8]) -> Option<Vec<u8>> {
    let mut c = Compress::new(Compression::best(), false);
    c.set_dictionary(DICTIONARY_1).ok()?;
    let mut out = Vec::with_capacity(json.len() / 4 + 64);
    out.push(1);
    loop {
        let done = usize::try_from(c.total_in()).ok()?;
        let status = c.compress_vec(json.get(done..)?, &mut out, FlushCompress::Finish).ok()?;
        if status == Status::StreamEnd {
            return Some(out);
        }
        out.reserve(out.capacity().max(64));
    }
}

/// The JSON of encoding 1's deflated bytes, or why not.
fn inflate(deflated: &[u8]) -> Result<Vec<u8>, String> {
    let mut d = Decompress::new(false);
    d.set_dictionary(DICTIONARY_1).map_err(|e| e.to_string())?;
    let mut out = Vec::with_capacity((deflated.len() * 8 + 64).min(MAX_JSON_BYTES));
    loop {
        let (read, written) = (d.total_in(), d.total_out());
        let done = usize::try_from(read).map_err(|e| e.to_string())?;
        let rest = deflated.get(done..).unwrap_or_default();
        let status =
            d.decompress_vec(rest, &mut out, FlushDecompress::Finish).map_err(|e| format!("does not inflate: {e}"))?;
        // Checked before the end too: a stream that ends just past the limit is refused.
        let limit = deflated.len().saturating_mul(MAX_RATIO).saturating_add(ALLOWANCE).min(MAX_JSON_BYTES);
        if out.len() > limit {
            return Err(format!("inflates to more than {limit} bytes ({MAX_RATIO} times its size and 1 MiB)"));
        }
        if status == Status::StreamEnd {
            if usize::try_from(d.total_in()).ok() != Some(deflated.len()) {
                return Err("has bytes after the deflated stream".into());
            }
            return Ok(out);
        }
        if (d.total_in(), d.total_out()) == (read, written) && out.len() < out.capacity() {
            return Err("ends before the stream does (truncated)".into());
        }
        out.reserve(out.capacity().max(64));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn damaged_bytes_are_refused_not_misread() {
        let account = Account::new("m-1");
        let bytes = account.to_compact();
        assert_eq!(bytes[0], 1);
        assert_eq!(Account::from_compact(&bytes).ok(), Some(account.clone()));
        let corrupt = |b: &[u8]| match Account::from_compact(b) {
            Err(SnapshotError::Corrupt { field, .. }) => field == "compact",
            _ => false,
        };
        assert!(corrupt(&[]));
        assert!(corrupt(&bytes[..bytes.len() / 2]), "truncated");
        let mut flipped = bytes.clone();
        flipped[3] ^= 0xff;
        // A flipped byte either fails to inflate or inflates to text that is not a snapshot.
        let err = Account::from_compact(&flipped).unwrap_err();
        assert!(
            matches!(&err, SnapshotError::Corrupt { field, .. } if field == "compact")
                || matches!(err, SnapshotError::Parse { .. }),
            "{err:?}"
        );
        assert!(matches!(Account::from_compact(&[7, 1, 2]), Err(SnapshotError::Format { found: 7, supported: 1 })));
        // Bytes after a whole stream are damage too, not ignored.
        let mut longer = bytes.clone();
        longer.push(0);
        let err = Account::from_compact(&longer).unwrap_err();
        assert!(
            matches!(&err, SnapshotError::Corrupt { reason, .. } if reason == "has bytes after the deflated stream"),
            "{err:?}"
        );
        // Encoding 0 is the plain JSON, read as such.
        let plain: Vec<u8> = std::iter::once(0).chain(account.to_json().bytes()).collect();
        assert_eq!(Account::from_compact(&plain).ok(), Some(account));
    }
}
