//! Money amounts and the one place money becomes points.

use crate::points::Points;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// The largest money amount the engine accepts anywhere: one trillion currency units.
pub const MAX_AMOUNT: Decimal = Decimal::from_parts(3_567_587_328, 232, 0, false, 0);

/// How a fractional number of points becomes a whole number.
///
/// Earning uses the program's rounding (floor by default: a member never gets a point the
/// spend did not fully pay for). Clawbacks always round down, computed on the cumulative
/// refunded amount, so a full refund claws back exactly what was awarded.
///
/// ```
/// use loyalty::Rounding;
/// use rust_decimal::Decimal;
/// let raw = Decimal::new(125, 1); // 12.5 points
/// assert_eq!(Rounding::Floor.to_points(raw).map(|p| p.get()), Some(12));
/// assert_eq!(Rounding::HalfUp.to_points(raw).map(|p| p.get()), Some(13));
/// assert_eq!(Rounding::HalfEven.to_points(raw).map(|p| p.get()), Some(12));
/// assert_eq!(Rounding::Ceil.to_points(Decimal::new(121, 1)).map(|p| p.get()), Some(13));
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Rounding {
    /// Toward negative infinity (the default).
    #[default]
    Floor,
    /// Toward positive infinity.
    Ceil,
    /// To nearest, halves away from zero.
    HalfUp,
    /// To nearest, halves to the even neighbour (banker's rounding).
    HalfEven,
}

impl Rounding {
    /// Rounds a non-negative raw point value to whole points; `None` if it does not fit.
    ///
    /// ```
    /// use loyalty::Rounding;
    /// assert_eq!(Rounding::Floor.to_points(rust_decimal::Decimal::new(999, 2)).map(|p| p.get()), Some(9));
    /// ```
    pub fn to_points(self, raw: Decimal) -> Option<Points> {
        self.round_scaled(raw.mantissa(), raw.scale())
    }

    /// Rounds `mantissa / 10^scale` (scale at most 28, as for any Decimal) to whole points,
    /// in integer arithmetic: a Euclidean division and the strategy's rule for the remainder.
    pub(crate) fn round_scaled(self, mantissa: i128, scale: u32) -> Option<Points> {
        let d = *POWERS_OF_TEN.get(scale as usize)?;
        // 64-bit division when both fit (every realistic amount): i128 division is a
        // library call several times slower.
        let (q, r) = match (i64::try_from(mantissa), i64::try_from(d)) {
            (Ok(m), Ok(d64)) => (i128::from(m.div_euclid(d64)), i128::from(m.rem_euclid(d64))),
            _ => (mantissa.div_euclid(d), mantissa.rem_euclid(d)),
        };
        let up = match self {
            Rounding::Floor => false,
            Rounding::Ceil => r > 0,
            // Midpoints: away from zero (up for positive, down for negative), or to even.
            Rounding::HalfUp => 2 * r > d || (2 * r == d && mantissa > 0),
            Rounding::HalfEven => 2 * r > d || (2 * r == d && q % 2 != 0),
        };
        i64::try_from(q + i128::from(up)).ok().map(Points::new)
    }
}

/// 10^0 ..= 10^28 (a `Decimal`'s scales).
const POWERS_OF_TEN: [i128; 29] = {
    let mut p = [1i128; 29];
    let mut i = 1;
    while i < 29 {
        p[i] = p[i - 1] * 10;
        i += 1;
    }
    p
};

/// `a` against `b`, as `Decimal`'s `Ord` but in a few integer operations: mantissas at a
/// common scale, where the one scaled up cannot overflow without being the larger in size.
/// (`Decimal`'s own comparison rescales generically; it was about 5% of applying a purchase.)
#[inline]
pub(crate) fn cmp(a: Decimal, b: Decimal) -> std::cmp::Ordering {
    let (ma, mb) = (a.mantissa(), b.mantissa());
    let (sa, sb) = (a.scale(), b.scale());
    if sa == sb {
        return ma.cmp(&mb);
    }
    // |mantissa| < 2^96 and 10^28 < 2^94: a product that overflows i128 exceeds any mantissa.
    // When both factors fit 64 bits the product fits i128 as it is: one widening multiply,
    // where `i128::checked_mul` is a library call.
    let scaled = |m: i128, by: u32| {
        let p = *POWERS_OF_TEN.get(by as usize)?;
        match (i64::try_from(m), i64::try_from(p)) {
            (Ok(m), Ok(p)) => Some(i128::from(m) * i128::from(p)),
            _ => m.checked_mul(p),
        }
    };
    if sa < sb {
        scaled(ma, sb - sa)
            .map_or(if ma < 0 { std::cmp::Ordering::Less } else { std::cmp::Ordering::Greater }, |x| x.cmp(&mb))
    } else {
        scaled(mb, sa - sb)
            .map_or(if mb < 0 { std::cmp::Ordering::Greater } else { std::cmp::Ordering::Less }, |y| ma.cmp(&y))
    }
}

/// Checks a money amount: not negative and at most [`MAX_AMOUNT`].
#[inline]
pub(crate) fn check_amount(amount: Decimal) -> Result<(), &'static str> {
    if amount.is_sign_negative() && !amount.is_zero() {
        Err("must not be negative")
    } else if cmp(amount, MAX_AMOUNT).is_gt() {
        Err("must be at most 1000000000000")
    } else {
        Ok(())
    }
}

/// Reads a decimal written as the engine writes one: an optional `-`, digits, and optionally
/// a point followed by digits (`"10"`, `"-0.5"`, `"25.90"`), at most 28 significant digits.
/// Anything else is refused rather than reinterpreted: `"5_000"`, `"1e3"`, `"+1"`, `" 1"`,
/// `".5"`, `"1."`, `"NaN"`.
///
/// ```
/// use loyalty::parse_decimal;
/// assert_eq!(parse_decimal("25.90").unwrap().to_string(), "25.90");
/// assert_eq!(parse_decimal("5_000").unwrap_err(), "is not a decimal number (digits, optionally a point and digits)");
/// assert!(parse_decimal("1e3").is_err());
/// ```
///
/// # Errors
/// Why the text is not a decimal, in words.
pub fn parse_decimal(text: &str) -> Result<Decimal, &'static str> {
    let digits = text.strip_prefix('-').unwrap_or(text);
    let (whole, fraction) = match digits.split_once('.') {
        Some((w, f)) => (w, Some(f)),
        None => (digits, None),
    };
    let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !all_digits(whole) || !fraction.is_none_or(all_digits) {
        return Err("is not a decimal number (digits, optionally a point and digits)");
    }
    Decimal::from_str_exact(text).map_err(|_| "has more digits than a decimal holds (28)")
}

/// Serde's side of [`parse_decimal`]: a JSON string in that grammar, or a JSON integer. A
/// JSON number with a fraction or an exponent is refused: it was a binary float on the way
/// and may not be the amount that was meant.
pub(crate) mod strict {
    use rust_decimal::Decimal;
    use serde::de::{self, Deserializer, Visitor};

    struct Strict;

    impl Visitor<'_> for Strict {
        type Value = Decimal;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("a decimal number as a string, like \"25.90\"")
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<Decimal, E> {
            let shown: String = v.chars().take(40).collect();
            super::parse_decimal(v).map_err(|reason| E::custom(format_args!("{shown:?} {reason}")))
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<Decimal, E> {
            Ok(Decimal::from(v))
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<Decimal, E> {
            Ok(Decimal::from(v))
        }
        fn visit_f64<E: de::Error>(self, v: f64) -> Result<Decimal, E> {
            Err(E::custom(format_args!("{v} is a JSON float; write the amount as a string, like \"25.90\"")))
        }
    }

    /// A strict decimal.
    pub(crate) fn decimal<'de, D: Deserializer<'de>>(d: D) -> Result<Decimal, D::Error> {
        d.deserialize_any(Strict)
    }

    /// An optional strict decimal (`null` for none).
    pub(crate) fn option<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Decimal>, D::Error> {
        struct Opt;
        impl<'de> Visitor<'de> for Opt {
            type Value = Option<Decimal>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a decimal number as a string, or null")
            }
            fn visit_none<E: de::Error>(self) -> Result<Option<Decimal>, E> {
                Ok(None)
            }
            fn visit_unit<E: de::Error>(self) -> Result<Option<Decimal>, E> {
                Ok(None)
            }
            fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Option<Decimal>, D::Error> {
                decimal(d).map(Some)
            }
        }
        d.deserialize_option(Opt)
    }
}

/// The schema of a decimal in the grammar of [`parse_decimal`]: a string of digits with an
/// optional point, or a JSON integer.
#[cfg(feature = "schema")]
pub(crate) fn decimal_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    schemars::json_schema!({
        "description": "A decimal as a string (digits, optionally a point and digits), or an integer.",
        "type": ["string", "integer"],
        "pattern": "^-?[0-9]+(\\.[0-9]+)?$"
    })
}

/// [`decimal_schema`], or null.
#[cfg(feature = "schema")]
pub(crate) fn optional_decimal_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    schemars::json_schema!({
        "description": "A decimal as a string (digits, optionally a point and digits), an integer, or null.",
        "type": ["string", "integer", "null"],
        "pattern": "^-?[0-9]+(\\.[0-9]+)?$"
    })
}

/// Checks that `amount` has no more decimal places than the currency's minor units
/// (`10.001` is not a USD amount; `10.10` and `10.1` are).
#[inline]
pub(crate) fn check_minor_units(amount: Decimal, minor_units: u32) -> Result<(), String> {
    // Most amounts are written with at most the currency's places: no need to strip zeros.
    if amount.scale() > minor_units && amount.normalize().scale() > minor_units {
        return Err(format!("has more than {minor_units} decimal places for the program's currency"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_integer_comparison_agrees_with_decimal_ordering() {
        // Values at every scale, both signs, zeros, the extremes, and equal values written
        // at different scales (1.0 and 1.00).
        let mut values = vec![Decimal::ZERO, Decimal::new(0, 5), Decimal::MAX, Decimal::MIN, MAX_AMOUNT];
        for scale in [0u32, 1, 2, 3, 9, 18, 27, 28] {
            for m in [1i64, 10, 100, 12_345, -12_345, 999_999_999_999, i64::MAX, i64::MIN + 1] {
                values.push(Decimal::new(m, scale));
            }
            values.push(Decimal::from_i128_with_scale(79_228_162_514_264_337_593_543_950_335, scale));
        }
        for a in &values {
            for b in &values {
                assert_eq!(cmp(*a, *b), a.cmp(b), "{a} vs {b}");
            }
        }
    }
    use rust_decimal::prelude::ToPrimitive;
    use rust_decimal::RoundingStrategy;

    #[test]
    fn the_integer_rounding_agrees_with_decimal_rounding() {
        // Every strategy on positive and negative values, midpoints, integers and scales
        // from 0 to 28, against rust_decimal's own rounding.
        let strategies = [
            (Rounding::Floor, RoundingStrategy::ToNegativeInfinity),
            (Rounding::Ceil, RoundingStrategy::ToPositiveInfinity),
            (Rounding::HalfUp, RoundingStrategy::MidpointAwayFromZero),
            (Rounding::HalfEven, RoundingStrategy::MidpointNearestEven),
        ];
        let values = [
            "0",
            "2.5",
            "3.5",
            "-2.5",
            "-3.5",
            "2.4999",
            "2.5001",
            "-0.5",
            "7",
            "-7",
            "123.456",
            "79228162514264337593543950335",
            "7.9228162514264337593543950335",
            "-0.5000000000000000000000000001",
            "0.0000000000000000000000000005",
        ];
        for text in values {
            let value: Decimal = text.parse().unwrap();
            for (rounding, strategy) in strategies {
                let expected = value.round_dp_with_strategy(0, strategy).to_i64().map(Points::new);
                assert_eq!(rounding.to_points(value), expected, "{text} {rounding:?}");
            }
        }
        assert_eq!(Rounding::HalfUp.to_points(Decimal::new(25, 1)).map(|p| p.get()), Some(3));
        assert_eq!(Rounding::HalfEven.to_points(Decimal::new(25, 1)).map(|p| p.get()), Some(2));
        assert_eq!(Rounding::HalfUp.to_points(Decimal::new(-25, 1)).map(|p| p.get()), Some(-3));
        assert_eq!(Rounding::Ceil.to_points(Decimal::new(-25, 1)).map(|p| p.get()), Some(-2));
    }

    #[test]
    fn max_amount_is_one_trillion() {
        assert_eq!(MAX_AMOUNT, Decimal::from(1_000_000_000_000_i64));
    }

    #[test]
    fn the_decimal_grammar_takes_what_the_engine_writes_and_nothing_else() {
        for ok in
            ["0", "10", "-0.5", "25.90", "000.10", "79228162514264337593543950335", "0.0000000000000000000000000001"]
        {
            assert_eq!(parse_decimal(ok).unwrap(), ok.parse::<Decimal>().unwrap(), "{ok}");
        }
        for bad in
            ["", "-", ".5", "1.", "1..2", "5_000", "1e3", "1E+3", "+1", " 1", "1 ", "NaN", "inf", "0x10", "1,5", "١"]
        {
            assert_eq!(
                parse_decimal(bad),
                Err("is not a decimal number (digits, optionally a point and digits)"),
                "{bad:?}"
            );
        }
        assert_eq!(parse_decimal("79228162514264337593543950336"), Err("has more digits than a decimal holds (28)"));
        assert_eq!(parse_decimal("1.00000000000000000000000000001"), Err("has more digits than a decimal holds (28)"));
    }

    #[test]
    fn json_floats_are_refused_and_integers_taken() {
        #[derive(serde::Deserialize, Debug)]
        struct T {
            #[serde(deserialize_with = "strict::decimal")]
            a: Decimal,
            #[serde(default, deserialize_with = "strict::option")]
            b: Option<Decimal>,
        }
        let t: T = serde_json::from_str(r#"{"a": 12, "b": "0.10"}"#).unwrap();
        assert_eq!((t.a, t.b), (Decimal::from(12), Some(Decimal::new(10, 2))));
        let t: T = serde_json::from_str(r#"{"a": "-3", "b": null}"#).unwrap();
        assert_eq!((t.a, t.b), (Decimal::from(-3), None));
        let err = serde_json::from_str::<T>(r#"{"a": 42.5}"#).unwrap_err().to_string();
        assert!(err.starts_with("42.5 is a JSON float; write the amount as a string"), "{err}");
        let err = serde_json::from_str::<T>(r#"{"a": "5_000"}"#).unwrap_err().to_string();
        assert!(err.starts_with(r#""5_000" is not a decimal number"#), "{err}");
    }

    #[test]
    fn minor_units_bound_the_places_not_the_trailing_zeros() {
        let d = |s: &str| s.parse::<Decimal>().unwrap();
        assert!(check_minor_units(d("10.10"), 2).is_ok());
        assert!(check_minor_units(d("10.100"), 2).is_ok());
        assert!(check_minor_units(d("10"), 0).is_ok());
        assert_eq!(
            check_minor_units(d("10.001"), 2),
            Err("has more than 2 decimal places for the program's currency".to_string())
        );
        assert!(check_minor_units(d("10.5"), 0).is_err());
    }

    #[test]
    fn amounts_are_checked() {
        assert_eq!(check_amount(Decimal::new(-1, 2)), Err("must not be negative"));
        assert_eq!(check_amount(Decimal::ZERO), Ok(()));
        assert_eq!(check_amount(Decimal::new(-0, 2)), Ok(()));
        assert!(check_amount(MAX_AMOUNT + Decimal::ONE).is_err());
    }
}
