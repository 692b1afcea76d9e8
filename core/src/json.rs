//! Strict JSON reading, shared by events and snapshots: the whole text must be one document
//! (nothing after it), and an error names the field by its path with the value found there.

use crate::account::AccountError;
use serde::de::DeserializeOwned;
use serde_json::Value;

/// Parses `text` as exactly one JSON document; `field` names it in errors.
pub(crate) fn parse_value(field: &str, text: &str) -> Result<Value, AccountError> {
    let mut de = serde_json::Deserializer::from_str(text);
    let value = serde::Deserialize::deserialize(&mut de)
        .map_err(|e| AccountError::invalid(field, excerpt(text, &e), format!("is not JSON: {e}")))?;
    de.end()
        .map_err(|e| AccountError::invalid(field, excerpt(text, &e), format!("has text after the document: {e}")))?;
    Ok(value)
}

/// A value of type `T` from `value`, with the failing field's path and value in the error.
///
/// serde reads an internally tagged enum (events, effects) through a buffer of its own, so
/// the path stops at the enum. Then the field is found by taking fields out one at a time:
/// the first whose absence cures the error (or turns it into "missing") is the bad one; if
/// none does, the field a "missing field `x`" message names. This runs only on the error
/// path.
pub(crate) fn from_value<T: DeserializeOwned>(value: &Value) -> Result<T, AccountError> {
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        let message = e.inner().to_string();
        if path != "." {
            let found = at_path(value, e.path()).map_or_else(|| "null".to_string(), show);
            return AccountError::invalid(path, found, message);
        }
        let field = bad_field::<T>(value).or_else(|| named_field(&message)).unwrap_or_else(|| "type".to_string());
        let found = value.get(&field).map_or_else(|| "null".to_string(), show);
        AccountError::invalid(field, found, message)
    })
}

/// The field an "unknown field `x`" or "missing field `x`" message names.
fn named_field(message: &str) -> Option<String> {
    let rest = message.strip_prefix("unknown field `").or_else(|| message.strip_prefix("missing field `"))?;
    rest.split_once('`').map(|(name, _)| name.to_string())
}

/// The first field of an object whose removal cures the error or makes it "missing field".
fn bad_field<T: DeserializeOwned>(value: &Value) -> Option<String> {
    let map = value.as_object()?;
    // An event has at most seven fields: a larger object is named by the message alone, so a
    // refusal never costs more than a few parses.
    if map.len() > 8 {
        return None;
    }
    for key in map.keys().filter(|k| k.as_str() != "type") {
        let mut without = map.clone();
        without.remove(key);
        match serde_json::from_value::<T>(Value::Object(without)) {
            Ok(_) => return Some(key.clone()),
            Err(e) if named_field(&e.to_string()).as_deref() == Some(key.as_str()) => return Some(key.clone()),
            Err(_) => {}
        }
    }
    None
}

/// The value at a path, if there is one.
fn at_path<'a>(value: &'a Value, path: &serde_path_to_error::Path) -> Option<&'a Value> {
    use serde_path_to_error::Segment;
    let mut here = value;
    for segment in path.iter() {
        here = match segment {
            Segment::Seq { index } => here.get(*index)?,
            Segment::Map { key } => here.get(key.as_str())?,
            Segment::Enum { .. } | Segment::Unknown => here,
        };
    }
    // An unknown field's own value, or a whole object for a missing field.
    Some(here)
}

/// A JSON value as an error shows it: at most 80 characters.
pub(crate) fn show(value: &Value) -> String {
    let text = value.to_string();
    if text.chars().count() <= 80 {
        text
    } else {
        format!("{}...", text.chars().take(77).collect::<String>())
    }
}

/// The text around a parse error (at most 40 characters from its column).
fn excerpt(text: &str, e: &serde_json::Error) -> String {
    let line = text.lines().nth(e.line().saturating_sub(1)).unwrap_or("");
    let start = e.column().saturating_sub(1);
    let tail: String = line.chars().skip(start).take(40).collect();
    format!("{tail:?}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_document_and_nothing_after_it() {
        assert!(parse_value("x", r#"{"a": 1}  "#).is_ok());
        let err = parse_value("x", r#"{"a": 1}{"b": 2}"#).unwrap_err().to_string();
        assert!(err.starts_with(r#"x: "{\"b\": 2}" has text after the document"#), "{err}");
        let err = parse_value("x", r#"{"a": "#).unwrap_err().to_string();
        assert!(err.contains("is not JSON"), "{err}");
    }

    #[test]
    fn errors_carry_the_path_and_the_value_found_there() {
        #[derive(serde::Deserialize, Debug)]
        #[serde(deny_unknown_fields)]
        #[allow(dead_code)]
        struct Line {
            sku: String,
            #[serde(deserialize_with = "crate::money::strict::decimal")]
            amount: rust_decimal::Decimal,
        }
        #[derive(serde::Deserialize, Debug)]
        #[allow(dead_code)]
        struct Order {
            lines: Vec<Line>,
        }
        let value: Value =
            serde_json::from_str(r#"{"lines": [{"sku": "a", "amount": "1"}, {"sku": "b", "amount": "5_000"}]}"#)
                .unwrap();
        match from_value::<Order>(&value).unwrap_err() {
            AccountError::InvalidField { field, value, reason } => {
                assert_eq!((field.as_str(), value.as_str()), ("lines[1].amount", r#""5_000""#));
                assert!(reason.contains("is not a decimal number"), "{reason}");
            }
            other => panic!("{other:?}"),
        }
        let value: Value = serde_json::from_str(r#"{"lines": [{"sku": "a", "amount": "1", "qty": 3}]}"#).unwrap();
        match from_value::<Order>(&value).unwrap_err() {
            AccountError::InvalidField { field, value, .. } => {
                assert_eq!((field.as_str(), value.as_str()), ("lines[0].qty", "3"))
            }
            other => panic!("{other:?}"),
        }
    }
}
