//! What the host should do or tell the member after an event or a clock advance.

pub use crate::draw::{Draw, LotId};
use crate::points::Points;
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// An outcome the host acts on: store it, notify the member, update a screen.
///
/// Effects are deterministic: the same events and clock give the same effects in the same
/// order. Amounts are positive; the variant says which way the points went.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
#[non_exhaustive]
pub enum Effect {
    /// Points were credited as a new lot (pending if `available_at` is in the future).
    PointsEarned {
        /// The new lot.
        lot: LotId,
        /// Points credited.
        points: Points,
        /// The rules, bonuses and multipliers that produced them.
        rules: std::sync::Arc<[std::sync::Arc<str>]>,
        /// When they become usable.
        available_at: DateTime<Utc>,
        /// When they expire, if they do on their own.
        expires_at: Option<DateTime<Utc>>,
        /// True when the points are pending at the time they were earned.
        pending: bool,
    },
    /// A purchase earned nothing (below the minimum amount, no matching rule, capped, or the
    /// account frozen).
    NoPointsEarned {
        /// The order.
        order_id: String,
        /// Why, in words: `below_minimum`, `no_matching_rule`, `capped` or `account_frozen`.
        reason: String,
    },
    /// Pending points became usable.
    PendingActivated {
        /// The lot.
        lot: LotId,
        /// Points now usable.
        points: Points,
        /// When they expire, if they do on their own.
        expires_at: Option<DateTime<Utc>>,
    },
    /// Pending points were cancelled by a refund inside the pending window (not a clawback).
    PendingCancelled {
        /// The order refunded.
        order_id: String,
        /// The lot.
        lot: LotId,
        /// Points cancelled.
        points: Points,
    },
    /// Points were spent.
    PointsRedeemed {
        /// The reward, for a reward redemption.
        reward_id: Option<String>,
        /// The order, for points paying part of an order.
        order_id: Option<String>,
        /// Points spent.
        points: Points,
        /// What they paid, in the program's currency (zero for rewards).
        #[serde(deserialize_with = "crate::money::strict::decimal")]
        #[cfg_attr(feature = "schema", schemars(schema_with = "crate::money::decimal_schema"))]
        value: Decimal,
        /// The lots they came from, in spend order.
        draws: Vec<Draw>,
    },
    /// Available points were taken back because an order was refunded.
    PointsClawedBack {
        /// The order refunded.
        order_id: String,
        /// Points taken from lots, in total.
        points: Points,
        /// The lots they came from: the order's own first, then spend order.
        draws: Vec<Draw>,
        /// Points not taken because the order's own points had already expired.
        forgiven: Points,
        /// Points not taken because the balance ran out under the `within_balance` policy.
        waived: Points,
    },
    /// A clawback exceeded the balance; the rest is owed.
    DebtCreated {
        /// The order refunded.
        order_id: String,
        /// Points added to the debt.
        points: Points,
        /// The debt now.
        debt: Points,
    },
    /// New points paid off debt.
    DebtRepaid {
        /// Points used to repay.
        points: Points,
        /// The debt left.
        debt: Points,
        /// The lots they came from.
        draws: Vec<Draw>,
    },
    /// Points expired.
    PointsExpired {
        /// Points expired.
        points: Points,
        /// The lots they were in.
        lots: Vec<LotId>,
        /// When they expired.
        at: DateTime<Utc>,
    },
    /// Points will expire soon: the lots, their points now and when they expire.
    PointsExpiringSoon {
        /// Points that will expire unless spent.
        points: Points,
        /// The lots.
        lots: Vec<LotId>,
        /// When they expire.
        expires_at: DateTime<Utc>,
    },
    /// A cancelled redemption gave its points back.
    RedemptionReversed {
        /// The redemption event id.
        redemption_id: String,
        /// Points given back to their lots (or to a reinstated lot).
        restored: Points,
        /// Points that stay expired because their lot expired since.
        expired: Points,
        /// Where the points went back to.
        draws: Vec<Draw>,
    },
    /// The member moved up the tier ladder.
    TierUpgraded {
        /// The tier before.
        from: String,
        /// The tier now.
        to: String,
        /// Until when it is held before its retain check (`None`: for good).
        valid_until: Option<DateTime<Utc>>,
        /// `qualified` or `manual`.
        reason: String,
        /// Entry reward points credited (granted once per tier and period).
        reward_points: Option<Points>,
        /// An entry reward for the host to hand out.
        reward_id: Option<String>,
    },
    /// The member met the retain threshold at the tier's expiry and keeps it another period.
    TierRetained {
        /// The tier.
        tier: String,
        /// The new expiry.
        valid_until: Option<DateTime<Utc>>,
    },
    /// The member moved down the ladder.
    TierDowngraded {
        /// The tier before.
        from: String,
        /// The tier now.
        to: String,
        /// `not_retained`, `refund` or `manual_floor_ended`.
        reason: String,
        /// Until when the new tier is held (`None` for the base level).
        valid_until: Option<DateTime<Utc>>,
    },
    /// The member will be downgraded on `on` unless the missing metrics are reached.
    TierWillDowngrade {
        /// The tier at risk.
        tier: String,
        /// When the downgrade happens.
        on: DateTime<Utc>,
        /// What is still needed to keep it.
        missing: Vec<crate::program::Missing>,
    },
    /// Points went to another member.
    PointsSent {
        /// The receiving member.
        to_member_id: String,
        /// Points sent.
        points: Points,
        /// The lots they came from.
        draws: Vec<Draw>,
    },
    /// Points came from another member.
    PointsReceived {
        /// The sending member.
        from_member_id: String,
        /// Points received.
        points: Points,
        /// The new lots.
        lots: Vec<LotId>,
    },
    /// Another account of the same person was merged into this one.
    AccountsMerged {
        /// The merged account's member id.
        merged_member_id: String,
        /// Its points that came along (usable and pending), less its debt.
        points: Points,
        /// Its lots, under their new ids.
        lots: Vec<LotId>,
    },
    /// Staff changed the balance.
    PointsAdjusted {
        /// Points added (positive) or removed (negative).
        points: Points,
        /// Why.
        reason: String,
        /// Lots created or drawn from.
        draws: Vec<Draw>,
    },
    /// Money was loaded onto the stored value (a top-up), with its bonus.
    StoredValueLoaded {
        /// The top-up (its event id).
        topup_id: std::sync::Arc<str>,
        /// Principal paid in.
        #[serde(deserialize_with = "crate::money::strict::decimal")]
        #[cfg_attr(feature = "schema", schemars(schema_with = "crate::money::decimal_schema"))]
        paid: Decimal,
        /// Bonus given with it.
        #[serde(deserialize_with = "crate::money::strict::decimal")]
        #[cfg_attr(feature = "schema", schemars(schema_with = "crate::money::decimal_schema"))]
        bonus: Decimal,
        /// When the bonus expires, if it does.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        bonus_expires_at: Option<DateTime<Utc>>,
        /// The payment's reference at the host.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        payment_ref: Option<String>,
        /// What the member can spend now, principal and bonus.
        #[serde(deserialize_with = "crate::money::strict::decimal")]
        #[cfg_attr(feature = "schema", schemars(schema_with = "crate::money::decimal_schema"))]
        available: Decimal,
    },
    /// Stored value paid (part of) an order.
    StoredValueSpent {
        /// The order.
        order_id: String,
        /// The amount paid from stored value.
        #[serde(deserialize_with = "crate::money::strict::decimal")]
        #[cfg_attr(feature = "schema", schemars(schema_with = "crate::money::decimal_schema"))]
        amount: Decimal,
        /// Of which principal.
        #[serde(deserialize_with = "crate::money::strict::decimal")]
        #[cfg_attr(feature = "schema", schemars(schema_with = "crate::money::decimal_schema"))]
        principal: Decimal,
        /// Of which bonus.
        #[serde(deserialize_with = "crate::money::strict::decimal")]
        #[cfg_attr(feature = "schema", schemars(schema_with = "crate::money::decimal_schema"))]
        bonus: Decimal,
        /// Which top-ups' funds paid it.
        draws: Vec<crate::purse::FundDraw>,
    },
    /// A refund gave stored value back to the funds that paid the order (never as cash).
    StoredValueRefilled {
        /// The order.
        order_id: String,
        /// Principal given back.
        #[serde(deserialize_with = "crate::money::strict::decimal")]
        #[cfg_attr(feature = "schema", schemars(schema_with = "crate::money::decimal_schema"))]
        principal: Decimal,
        /// Bonus given back, with its original expiry.
        #[serde(deserialize_with = "crate::money::strict::decimal")]
        #[cfg_attr(feature = "schema", schemars(schema_with = "crate::money::decimal_schema"))]
        bonus: Decimal,
        /// Bonus that would have come back but had expired meanwhile.
        #[serde(deserialize_with = "crate::money::strict::decimal")]
        #[cfg_attr(feature = "schema", schemars(schema_with = "crate::money::decimal_schema"))]
        forfeited: Decimal,
    },
    /// A top-up's bonus will expire (announced once).
    StoredValueBonusExpiring {
        /// The top-up.
        topup_id: std::sync::Arc<str>,
        /// The bonus left.
        #[serde(deserialize_with = "crate::money::strict::decimal")]
        #[cfg_attr(feature = "schema", schemars(schema_with = "crate::money::decimal_schema"))]
        amount: Decimal,
        /// When it expires.
        expires_at: DateTime<Utc>,
    },
    /// A top-up's bonus expired.
    StoredValueBonusExpired {
        /// The top-up.
        topup_id: std::sync::Arc<str>,
        /// The bonus that expired.
        #[serde(deserialize_with = "crate::money::strict::decimal")]
        #[cfg_attr(feature = "schema", schemars(schema_with = "crate::money::decimal_schema"))]
        amount: Decimal,
        /// When.
        at: DateTime<Utc>,
    },
    /// The member cashed out: what the host must pay back, and what stays with the business.
    StoredValueRefundDue {
        /// To pay the member.
        #[serde(deserialize_with = "crate::money::strict::decimal")]
        #[cfg_attr(feature = "schema", schemars(schema_with = "crate::money::decimal_schema"))]
        amount: Decimal,
        /// How it was worked out.
        mode: crate::program::CashOutMode,
        /// Principal not paid back (consumption valued at face beyond the bonus).
        #[serde(deserialize_with = "crate::money::strict::decimal")]
        #[cfg_attr(feature = "schema", schemars(schema_with = "crate::money::decimal_schema"))]
        principal_retained: Decimal,
        /// Bonus forfeited (never paid out).
        #[serde(deserialize_with = "crate::money::strict::decimal")]
        #[cfg_attr(feature = "schema", schemars(schema_with = "crate::money::decimal_schema"))]
        bonus_forfeited: Decimal,
    },
    /// The account was frozen: it cannot spend points or stored value until unfrozen.
    AccountFrozen {
        /// Why.
        reason: String,
    },
    /// The account was unfrozen.
    AccountUnfrozen {
        /// Why.
        reason: String,
    },
    /// A coupon was issued to the member.
    CouponIssued {
        /// The coupon's id (keyed: `joined:<definition>`, `birthday:<definition>:<year>`,
        /// `tier:<tier>:<period>:<definition>`; a bought or granted coupon has its event's id).
        coupon_id: String,
        /// Its definition in the program.
        definition: String,
        /// Why: `joined`, `birthday:<year>`, `tier:<tier>`, `bought` or `granted`.
        source: String,
        /// The host's reason for a granted coupon.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
        /// When it becomes usable.
        valid_from: DateTime<Utc>,
        /// When it stops being usable (excluded).
        valid_until: DateTime<Utc>,
    },
    /// A coupon's validity ends soon (once per coupon).
    CouponExpiringSoon {
        /// The coupon.
        coupon_id: String,
        /// Its definition.
        definition: String,
        /// When it stops being usable.
        valid_until: DateTime<Utc>,
    },
    /// A coupon is held for one checkout.
    CouponReserved {
        /// The coupon.
        coupon_id: String,
        /// The checkout's key.
        key: String,
        /// When the hold ends by itself.
        until: DateTime<Utc>,
    },
    /// A hold ended: released by the host, or timed out.
    CouponReleased {
        /// The coupon.
        coupon_id: String,
        /// The checkout's key.
        key: String,
        /// True when the hold's time ran out.
        timed_out: bool,
    },
    /// A coupon was used on an order.
    CouponRedeemed {
        /// The coupon.
        coupon_id: String,
        /// Its definition.
        definition: String,
        /// The order.
        order_id: String,
        /// What it took off.
        #[serde(deserialize_with = "crate::money::strict::decimal")]
        #[cfg_attr(feature = "schema", schemars(schema_with = "crate::money::decimal_schema"))]
        discount: Decimal,
    },
    /// A cancelled order gave its coupon back, usable again.
    CouponReturned {
        /// The coupon.
        coupon_id: String,
        /// The cancelled order.
        order_id: String,
    },
    /// A coupon's validity ended unused (or ended before its order was cancelled).
    CouponExpired {
        /// The coupon.
        coupon_id: String,
        /// Its definition.
        definition: String,
        /// When it stopped being usable.
        valid_until: DateTime<Utc>,
    },
    /// A bought coupon was cancelled unused (its points come back in a
    /// `redemption_reversed`).
    CouponCancelled {
        /// The coupon.
        coupon_id: String,
    },
}

/// One line of a member's statement: what one event or one clock instant did.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Entry {
    /// When.
    pub at: DateTime<Utc>,
    /// The event that caused it, or `None` for the clock (activation, expiry, warnings).
    pub event_id: Option<std::sync::Arc<str>>,
    /// What it did.
    pub effects: Effects,
}

/// The effects of one statement entry: a list like a `Vec<Effect>` (it derefs to a slice and
/// serializes as a sequence), holding a single effect in place. Entries are kept for life and
/// most have one effect (an order's points, a day's activations), so most need no allocation
/// of their own.
///
/// ```
/// use loyalty::{Effect, Effects, Points};
/// let one = Effects::from(vec![Effect::DebtCreated { order_id: "o".into(), points: Points::new(40), debt: Points::new(40) }]);
/// assert_eq!(one.len(), 1);
/// assert!(matches!(one[0], Effect::DebtCreated { .. }));
/// assert_eq!(serde_json::to_string(&one).unwrap(), r#"[{"type":"debt_created","order_id":"o","points":40,"debt":40}]"#);
/// assert!(Effects::default().is_empty());
/// ```
#[derive(Clone, Default, PartialEq)]
pub struct Effects(Held);

/// In the schema, as in JSON, a list of effects.
#[cfg(feature = "schema")]
impl schemars::JsonSchema for Effects {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Effects".into()
    }

    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        <Vec<Effect> as schemars::JsonSchema>::json_schema(generator)
    }
}

#[derive(Clone, Default, PartialEq)]
enum Held {
    #[default]
    None,
    One(Effect),
    Many(Vec<Effect>),
}

impl Effects {
    /// Moves `buffer`'s effects into a new list, leaving `buffer` empty with its capacity (the
    /// account reuses one buffer for every event).
    pub(crate) fn take_from(buffer: &mut Vec<Effect>) -> Effects {
        match buffer.len() {
            0 => Effects(Held::None),
            1 => buffer.pop().map_or(Effects(Held::None), |e| Effects(Held::One(e))),
            // Not `mem::take`: the buffer keeps its capacity for the next event, and the list
            // gets exactly its length.
            #[allow(clippy::drain_collect)]
            _ => Effects(Held::Many(buffer.drain(..).collect())),
        }
    }

    /// Whether the effects live in the entry itself, with no allocation of their own.
    #[cfg(test)]
    pub(crate) fn in_place(&self) -> bool {
        !matches!(self.0, Held::Many(_))
    }
}

impl From<Vec<Effect>> for Effects {
    fn from(mut effects: Vec<Effect>) -> Effects {
        if effects.len() > 1 {
            effects.shrink_to_fit();
            return Effects(Held::Many(effects));
        }
        Effects::take_from(&mut effects)
    }
}

impl std::ops::Deref for Effects {
    type Target = [Effect];
    fn deref(&self) -> &[Effect] {
        match &self.0 {
            Held::None => &[],
            Held::One(e) => std::slice::from_ref(e),
            Held::Many(v) => v,
        }
    }
}

impl std::ops::DerefMut for Effects {
    fn deref_mut(&mut self) -> &mut [Effect] {
        match &mut self.0 {
            Held::None => &mut [],
            Held::One(e) => std::slice::from_mut(e),
            Held::Many(v) => v,
        }
    }
}

impl<'a> IntoIterator for &'a Effects {
    type Item = &'a Effect;
    type IntoIter = std::slice::Iter<'a, Effect>;
    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

impl std::fmt::Debug for Effects {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl Serialize for Effects {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.iter())
    }
}

impl<'de> Deserialize<'de> for Effects {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Effects, D::Error> {
        Vec::<Effect>::deserialize(d).map(Effects::from)
    }
}

impl Effect {
    /// The change this effect makes to the member's points (available plus pending, less
    /// debt): positive for credits, negative for debits, zero for notices.
    ///
    /// ```
    /// use loyalty::{Effect, Points};
    /// let e = Effect::DebtCreated { order_id: "o".into(), points: Points::new(40), debt: Points::new(40) };
    /// assert_eq!(e.balance_change(), Points::new(-40));
    /// ```
    pub fn balance_change(&self) -> Points {
        match self {
            Effect::PointsEarned { points, .. } => *points,
            Effect::PendingCancelled { points, .. }
            | Effect::PointsRedeemed { points, .. }
            | Effect::PointsClawedBack { points, .. }
            | Effect::DebtCreated { points, .. }
            | Effect::PointsExpired { points, .. } => -*points,
            Effect::RedemptionReversed { restored, .. } => *restored,
            Effect::PointsAdjusted { points, .. } => *points,
            Effect::PointsSent { points, .. } => -*points,
            Effect::PointsReceived { points, .. } => *points,
            // The merged account's own history comes along in the statement and already adds
            // up to these points.
            Effect::AccountsMerged { .. } => Points::ZERO,
            Effect::StoredValueLoaded { .. }
            | Effect::StoredValueSpent { .. }
            | Effect::StoredValueRefilled { .. }
            | Effect::StoredValueBonusExpiring { .. }
            | Effect::StoredValueBonusExpired { .. }
            | Effect::StoredValueRefundDue { .. }
            | Effect::AccountFrozen { .. }
            | Effect::AccountUnfrozen { .. }
            | Effect::CouponIssued { .. }
            | Effect::CouponExpiringSoon { .. }
            | Effect::CouponReserved { .. }
            | Effect::CouponReleased { .. }
            | Effect::CouponRedeemed { .. }
            | Effect::CouponReturned { .. }
            | Effect::CouponExpired { .. }
            | Effect::CouponCancelled { .. } => Points::ZERO,
            Effect::NoPointsEarned { .. }
            | Effect::PendingActivated { .. }
            | Effect::DebtRepaid { .. }
            | Effect::PointsExpiringSoon { .. }
            | Effect::TierUpgraded { .. }
            | Effect::TierRetained { .. }
            | Effect::TierDowngraded { .. }
            | Effect::TierWillDowngrade { .. } => Points::ZERO,
        }
    }
}

/// Running totals of effects by kind: a program's points report, or a conservation check.
///
/// For any account, `earned + restored + adjusted_in + received - sent - cancelled - redeemed -
/// clawed_back - expired - adjusted_out - debt_repaid` equals its available plus pending points,
/// and `debt_created - debt_repaid` equals its debt. (A merged account's statement carries the
/// other account's effects, so the identities hold across merges too.)
///
/// ```
/// use loyalty::{Effect, Points, Totals};
/// let mut totals = Totals::default();
/// totals.record(&Effect::DebtCreated { order_id: "o".into(), points: Points::new(5), debt: Points::new(5) });
/// assert_eq!(totals.debt_created, Points::new(5));
/// assert_eq!(totals.held(), Points::ZERO);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Totals {
    /// Points credited by purchases and bonuses.
    pub earned: Points,
    /// Pending points cancelled by refunds.
    pub cancelled: Points,
    /// Points spent on rewards and orders.
    pub redeemed: Points,
    /// Points taken back from lots by refunds.
    pub clawed_back: Points,
    /// Points that expired.
    pub expired: Points,
    /// Points given back by cancelled redemptions.
    pub restored: Points,
    /// Points added by staff.
    pub adjusted_in: Points,
    /// Points removed by staff.
    pub adjusted_out: Points,
    /// Points that became debt.
    pub debt_created: Points,
    /// Debt repaid from new points.
    pub debt_repaid: Points,
    /// Points sent to other members.
    pub sent: Points,
    /// Points received from other members (merges included).
    pub received: Points,
}

impl Totals {
    /// Adds one effect.
    pub fn record(&mut self, effect: &Effect) {
        match effect {
            Effect::PointsEarned { points, .. } => self.earned += *points,
            Effect::PendingCancelled { points, .. } => self.cancelled += *points,
            Effect::PointsRedeemed { points, .. } => self.redeemed += *points,
            Effect::PointsClawedBack { points, .. } => self.clawed_back += *points,
            Effect::PointsExpired { points, .. } => self.expired += *points,
            Effect::RedemptionReversed { restored, .. } => self.restored += *restored,
            Effect::PointsAdjusted { points, .. } if points.get() >= 0 => self.adjusted_in += *points,
            Effect::PointsAdjusted { points, .. } => self.adjusted_out -= *points,
            Effect::DebtCreated { points, .. } => self.debt_created += *points,
            Effect::DebtRepaid { points, .. } => self.debt_repaid += *points,
            Effect::PointsSent { points, .. } => self.sent += *points,
            Effect::PointsReceived { points, .. } => self.received += *points,
            Effect::AccountsMerged { .. } => {}
            Effect::StoredValueLoaded { .. }
            | Effect::StoredValueSpent { .. }
            | Effect::StoredValueRefilled { .. }
            | Effect::StoredValueBonusExpiring { .. }
            | Effect::StoredValueBonusExpired { .. }
            | Effect::StoredValueRefundDue { .. }
            | Effect::AccountFrozen { .. }
            | Effect::AccountUnfrozen { .. }
            | Effect::CouponIssued { .. }
            | Effect::CouponExpiringSoon { .. }
            | Effect::CouponReserved { .. }
            | Effect::CouponReleased { .. }
            | Effect::CouponRedeemed { .. }
            | Effect::CouponReturned { .. }
            | Effect::CouponExpired { .. }
            | Effect::CouponCancelled { .. } => {}
            Effect::NoPointsEarned { .. }
            | Effect::PendingActivated { .. }
            | Effect::PointsExpiringSoon { .. }
            | Effect::TierUpgraded { .. }
            | Effect::TierRetained { .. }
            | Effect::TierDowngraded { .. }
            | Effect::TierWillDowngrade { .. } => {}
        }
    }

    /// Adds another set of totals (for summing over members).
    pub fn merge(&mut self, other: &Totals) {
        self.earned += other.earned;
        self.cancelled += other.cancelled;
        self.redeemed += other.redeemed;
        self.clawed_back += other.clawed_back;
        self.expired += other.expired;
        self.restored += other.restored;
        self.adjusted_in += other.adjusted_in;
        self.adjusted_out += other.adjusted_out;
        self.debt_created += other.debt_created;
        self.debt_repaid += other.debt_repaid;
        self.sent += other.sent;
        self.received += other.received;
    }

    /// The points these effects leave in lots: available plus pending.
    pub fn held(&self) -> Points {
        self.earned + self.restored + self.adjusted_in + self.received
            - self.sent
            - self.cancelled
            - self.redeemed
            - self.clawed_back
            - self.expired
            - self.adjusted_out
            - self.debt_repaid
    }

    /// The debt these effects leave.
    pub fn debt(&self) -> Points {
        self.debt_created - self.debt_repaid
    }
}
