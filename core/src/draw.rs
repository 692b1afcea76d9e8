//! How the ledger and the effects name lots: a lot's id, and a draw of points from one lot.
//! Both the ledger (which makes draws) and the effects (which report them) use these; they
//! depend on nothing else, so neither of the two depends on the other for them.

use crate::points::Points;
use serde::{Deserialize, Serialize};
use std::fmt;

/// The id of a lot within one account: 0, 1, 2, ... in the order lots were credited.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(transparent)]
pub struct LotId(pub u32);

impl fmt::Display for LotId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "lot {}", self.0)
    }
}

/// Points taken from (or given back to) one lot.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Draw {
    /// The lot.
    pub lot: LotId,
    /// How many points.
    pub points: Points,
}
