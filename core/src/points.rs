//! Loyalty points: whole numbers with arithmetic that cannot overflow.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::iter::Sum;
use std::ops::{Add, AddAssign, Neg, Sub, SubAssign};

/// A whole number of loyalty points.
///
/// Points are integers: a program rounds money to points once, when they are earned, and
/// never again. Every input that can create points is bounded (see [`Points::MAX_PER_EVENT`]
/// and the lot limit of an account), so sums of points stay far inside `i64` and the
/// operators saturate instead of wrapping: they cannot overflow on any valid input.
///
/// ```
/// use loyalty::Points;
/// let earned = Points::new(120);
/// let spent = Points::new(45);
/// assert_eq!(earned - spent, Points::new(75));
/// assert_eq!(Points::new(7).get(), 7);
/// assert_eq!(Points::new(10).checked_sub(Points::new(11)), Some(Points::new(-1)));
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(transparent)]
pub struct Points(i64);

impl Points {
    /// No points.
    pub const ZERO: Points = Points(0);
    /// The most points a single event, rule or cap may name: one trillion.
    pub const MAX_PER_EVENT: Points = Points(1_000_000_000_000);

    /// Wraps a number of points.
    ///
    /// ```
    /// assert_eq!(loyalty::Points::new(3).get(), 3);
    /// ```
    pub const fn new(points: i64) -> Points {
        Points(points)
    }

    /// The number of points.
    ///
    /// ```
    /// assert_eq!(loyalty::Points::new(-2).get(), -2);
    /// ```
    pub const fn get(self) -> i64 {
        self.0
    }

    /// Adds, or `None` on overflow.
    ///
    /// ```
    /// use loyalty::Points;
    /// assert_eq!(Points::new(i64::MAX).checked_add(Points::new(1)), None);
    /// ```
    pub fn checked_add(self, other: Points) -> Option<Points> {
        self.0.checked_add(other.0).map(Points)
    }

    /// Subtracts, or `None` on overflow.
    ///
    /// ```
    /// use loyalty::Points;
    /// assert_eq!(Points::new(5).checked_sub(Points::new(2)), Some(Points::new(3)));
    /// ```
    pub fn checked_sub(self, other: Points) -> Option<Points> {
        self.0.checked_sub(other.0).map(Points)
    }

    /// True when this is more than zero points.
    ///
    /// ```
    /// assert!(loyalty::Points::new(1).is_positive());
    /// ```
    pub const fn is_positive(&self) -> bool {
        self.0 > 0
    }

    /// True when this is zero points.
    ///
    /// ```
    /// assert!(loyalty::Points::ZERO.is_zero());
    /// ```
    pub const fn is_zero(&self) -> bool {
        self.0 == 0
    }
}

impl fmt::Display for Points {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl From<i64> for Points {
    fn from(points: i64) -> Points {
        Points(points)
    }
}

impl Add for Points {
    type Output = Points;
    fn add(self, other: Points) -> Points {
        Points(self.0.saturating_add(other.0))
    }
}

impl Sub for Points {
    type Output = Points;
    fn sub(self, other: Points) -> Points {
        Points(self.0.saturating_sub(other.0))
    }
}

impl AddAssign for Points {
    fn add_assign(&mut self, other: Points) {
        *self = *self + other;
    }
}

impl SubAssign for Points {
    fn sub_assign(&mut self, other: Points) {
        *self = *self - other;
    }
}

impl Neg for Points {
    type Output = Points;
    fn neg(self) -> Points {
        Points(self.0.saturating_neg())
    }
}

impl Sum for Points {
    fn sum<I: Iterator<Item = Points>>(iter: I) -> Points {
        iter.fold(Points::ZERO, Add::add)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn saturates_instead_of_wrapping() {
        assert_eq!(Points::new(i64::MAX) + Points::new(1), Points::new(i64::MAX));
        assert_eq!(Points::new(i64::MIN) - Points::new(1), Points::new(i64::MIN));
    }

    #[test]
    fn serializes_as_a_bare_integer() {
        assert_eq!(serde_json::to_string(&Points::new(42)).ok(), Some("42".to_string()));
        let parsed: Result<Points, _> = serde_json::from_str("-3");
        assert_eq!(parsed.ok(), Some(Points::new(-3)));
    }
}
