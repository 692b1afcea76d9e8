//! Member stories: each module is one member's life, with dates and balances worked out by
//! hand in its comments. One test binary keeps the build fast on small machines.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

mod common;

mod birthday_member;
mod bounded_state;
mod calendar_expiry_new_york;
mod check_in_tokyo;
#[cfg(feature = "compact")]
mod compact_snapshot;
mod coupon_wallet;
mod debt_repaid_by_next_purchases;
mod duplicate_and_conflicting_ids;
mod earning_limits_and_expiry_clock;
mod expired_points_forgiven_on_refund;
mod expiring_soon_warning;
mod frozen_account;
mod inactivity_expiry;
mod joining_and_bonuses;
mod member_day_with_caps;
mod merge_after_redeeming;
mod merge_duplicate_accounts;
mod mobile_member_story;
mod out_of_order_events;
mod partial_refund_after_redemption;
mod pending_debt_and_activation;
mod pending_points_unspendable;
mod points_plus_cash;
mod redemption_cancelled_after_expiry;
mod refund_inside_pending_window;
mod rolling_expiry_leap_year;
mod scoped_rules_with_lines;
mod snapshot_mid_life;
mod staff_adjustments;
mod stored_value_card;
mod tier_anniversary_berlin;
mod tier_calendar_year;
mod tier_downgrade_modes;
mod tier_modes_and_periods;
mod tier_next_period_refunds;
mod tier_period_end_refunds;
mod tier_rewards_and_refunds;
mod tier_rolling_grace_and_floor;
mod tier_rolling_new_york;
mod transfer_between_family;
mod within_balance_clawback;
