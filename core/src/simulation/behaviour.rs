//! How simulated members spend points: order logs rarely record redemptions, so a what-if
//! run needs a stated, seeded model of them, the same for every program it compares.

use super::SimulationError;
use crate::points::Points;
use crate::program::Program;
use serde::{Deserialize, Serialize};

/// When a simulated member redeems.
///
/// The decision is made after each of the member's orders, in time order. A member redeems
/// at most once per order, only when the usable points (pending ones do not count) cover the
/// reward, and then only if the member's draw for that order is below `probability`. The
/// draw depends on the seed, the member and the order's number among the member's orders,
/// never on the program or the thread: two programs meet the same members making the same
/// choices, and a seed gives the same numbers every time.
///
/// ```
/// use loyalty::simulation::Behaviour;
/// let b: Behaviour = serde_json::from_str(r#"{"kind": "cheapest", "probability": 0.5}"#).unwrap();
/// assert_eq!(b, Behaviour::Cheapest { probability: 0.5 });
/// assert!(b.check().is_ok());
/// assert!(Behaviour::Cheapest { probability: 1.5 }.check().is_err());
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Behaviour {
    /// Members never redeem: every point either expires or is still held at the end.
    Never,
    /// After an order, a member whose usable points cover the program's cheapest reward
    /// redeems it, with this probability (0 to 1).
    Cheapest {
        /// The chance of redeeming when the points allow, from 0 to 1.
        probability: f64,
    },
    /// After an order, a member whose usable points cover this reward redeems it, with this
    /// probability (0 to 1). Every program compared must have the reward.
    Reward {
        /// The reward's id in each program's catalog.
        reward_id: String,
        /// The chance of redeeming when the points allow, from 0 to 1.
        probability: f64,
    },
}

impl Behaviour {
    /// Checks the probability is a number from 0 to 1.
    ///
    /// # Errors
    /// [`SimulationError::Invalid`] naming `behaviour.probability` and its value.
    pub fn check(&self) -> Result<(), SimulationError> {
        match self {
            Behaviour::Never => Ok(()),
            Behaviour::Cheapest { probability } | Behaviour::Reward { probability, .. } => {
                if (0.0..=1.0).contains(probability) {
                    Ok(())
                } else {
                    Err(SimulationError::Invalid {
                        field: "behaviour.probability".into(),
                        value: probability.to_string(),
                        reason: "must be from 0 to 1".into(),
                    })
                }
            }
        }
    }

    /// The behaviour the main job and the bindings take as words: `"none"` (never),
    /// `"cheapest"`, or a reward id, with the probability.
    ///
    /// ```
    /// use loyalty::simulation::Behaviour;
    /// assert_eq!(Behaviour::named("none", 0.3), Behaviour::Never);
    /// assert_eq!(Behaviour::named("cheapest", 0.3), Behaviour::Cheapest { probability: 0.3 });
    /// assert_eq!(Behaviour::named("mug", 1.0), Behaviour::Reward { reward_id: "mug".into(), probability: 1.0 });
    /// ```
    pub fn named(redeem: &str, probability: f64) -> Behaviour {
        match redeem {
            "none" => Behaviour::Never,
            "cheapest" => Behaviour::Cheapest { probability },
            id => Behaviour::Reward { reward_id: id.to_string(), probability },
        }
    }

    /// The reward this behaviour redeems under `program` (id and price), or `None` when it
    /// never redeems (or, taking the cheapest, the program has no reward a member may redeem:
    /// rewards below the program's minimum redemption are never taken).
    pub(crate) fn reward(&self, program: &Program, index: usize) -> Result<Option<(String, Points)>, SimulationError> {
        let redemption = &program.config().redemption;
        match self {
            Behaviour::Never => Ok(None),
            Behaviour::Cheapest { .. } => Ok(redemption
                .rewards
                .iter()
                .filter(|r| redemption.meets_minimum(r.points))
                .min_by(|a, b| a.points.cmp(&b.points).then_with(|| a.id.cmp(&b.id)))
                .map(|r| (r.id.clone(), r.points))),
            Behaviour::Reward { reward_id, .. } => match redemption.rewards.iter().find(|r| &r.id == reward_id) {
                Some(r) if redemption.meets_minimum(r.points) => Ok(Some((r.id.clone(), r.points))),
                Some(r) => Err(SimulationError::Invalid {
                    field: "behaviour.reward_id".into(),
                    value: reward_id.clone(),
                    reason: format!(
                        "costs {} points, below the minimum redemption of {} in programs[{index}] {:?}",
                        r.points,
                        redemption.min_points,
                        program.config().name
                    ),
                }),
                None => Err(SimulationError::Invalid {
                    field: "behaviour.reward_id".into(),
                    value: reward_id.clone(),
                    reason: format!("is not in the catalog of programs[{index}] {:?}", program.config().name),
                }),
            },
        }
    }

    /// The chance as a threshold on a 64-bit draw: redeem when `draw < threshold`, or always
    /// at probability 1.
    pub(crate) fn threshold(&self) -> Option<u64> {
        match self {
            Behaviour::Never => Some(0),
            Behaviour::Cheapest { probability } | Behaviour::Reward { probability, .. } => {
                if *probability >= 1.0 {
                    None
                } else {
                    // 2^64 * p, below 2^64 since p < 1; the cast saturates.
                    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
                    Some((probability.max(0.0) * 18_446_744_073_709_551_616.0) as u64)
                }
            }
        }
    }
}

/// Whether the member redeems after its `order`-th order (0-based): the member's draw against
/// the threshold (`None`: always).
pub(crate) fn redeems(threshold: Option<u64>, seed: u64, member: u64, order: u64) -> bool {
    threshold.is_none_or(|t| draw(seed, member, order) < t)
}

/// A draw from SplitMix64 (Steele, Lea and Flood 2014) over the seed, the member and the order.
pub(crate) fn draw(seed: u64, member: u64, order: u64) -> u64 {
    mix(mix(seed ^ mix(member)).wrapping_add(order.wrapping_mul(0x9e37_79b9_7f4a_7c15)))
}

fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splitmix64_gives_the_published_first_output() {
        // SplitMix64 seeded with 0 yields 0xe220a8397b1dcdaf first (the reference
        // implementation, Vigna's splitmix64.c): mix(0) is that output.
        assert_eq!(mix(0), 0xe220_a839_7b1d_cdaf);
    }

    #[test]
    fn a_probability_is_honoured_over_many_draws_and_the_ends_are_exact() {
        let half = Behaviour::Cheapest { probability: 0.5 }.threshold();
        let yes = (0..100_000u64).filter(|&m| redeems(half, 7, m, 3)).count();
        // Binomial(100000, 0.5): sd 158; 49,300..50,700 is more than four of them.
        assert!((49_300..=50_700).contains(&yes), "{yes}");
        assert!((0..1000).all(|m| redeems(Behaviour::Cheapest { probability: 1.0 }.threshold(), 7, m, 0)));
        assert!((0..1000).all(|m| !redeems(Behaviour::Cheapest { probability: 0.0 }.threshold(), 7, m, 0)));
        assert!((0..1000).all(|m| !redeems(Behaviour::Never.threshold(), 7, m, 0)));
    }

    #[test]
    fn draws_depend_on_seed_member_and_order() {
        assert_ne!(draw(1, 2, 3), draw(2, 2, 3));
        assert_ne!(draw(1, 2, 3), draw(1, 3, 3));
        assert_ne!(draw(1, 2, 3), draw(1, 2, 4));
        assert_eq!(draw(1, 2, 3), draw(1, 2, 3));
    }

    #[test]
    fn probabilities_outside_zero_to_one_are_refused() {
        for p in [-0.1, 1.01, f64::NAN, f64::INFINITY] {
            let e = Behaviour::Cheapest { probability: p }.check().unwrap_err();
            assert_eq!((e.kind(), e.field(), e.value()), ("invalid", "behaviour.probability".into(), p.to_string()));
        }
    }
}
