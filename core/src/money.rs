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
        let d = 10i128.checked_pow(scale)?;
        let (q, r) = (mantissa.div_euclid(d), mantissa.rem_euclid(d));
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

/// Checks a money amount: not negative and at most [`MAX_AMOUNT`].
pub(crate) fn check_amount(amount: Decimal) -> Result<(), &'static str> {
    if amount.is_sign_negative() && !amount.is_zero() {
        Err("must not be negative")
    } else if amount > MAX_AMOUNT {
        Err("must be at most 1000000000000")
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
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
    fn amounts_are_checked() {
        assert_eq!(check_amount(Decimal::new(-1, 2)), Err("must not be negative"));
        assert_eq!(check_amount(Decimal::ZERO), Ok(()));
        assert_eq!(check_amount(Decimal::new(-0, 2)), Ok(()));
        assert!(check_amount(MAX_AMOUNT + Decimal::ONE).is_err());
    }
}
