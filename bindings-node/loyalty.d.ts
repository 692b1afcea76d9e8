// Types of the `loyalty` package. Money is a decimal string ("19.99"), never a number;
// instants are `Date`s (or ISO-8601 strings with an offset on input).

export type Money = string
export type Instant = Date | string

interface EventBase { id: string, occurredAt: Instant }
export interface OrderLine { sku: string, amount: Money, category?: string, discount?: Money }

export type Event =
  | EventBase & { type: 'joined', birthday?: string }
  | EventBase & { type: 'profileCompleted', birthday?: string }
  | EventBase & { type: 'orderPlaced', orderId: string, amount: Money, channel?: string, lines?: OrderLine[], /** The part paid from stored value. */ storedValue?: Money, /** The member's coupons used (ids, in stacking order); `amount` is then before them. */ coupons?: string[], reservationKey?: string }
  | EventBase & { type: 'orderRefunded', orderId: string, amount: Money, /** List value of the goods returned (required for coupon orders). */ returned?: Money }
  | EventBase & { type: 'orderCancelled', orderId: string }
  | EventBase & { type: 'rewardRedeemed', rewardId: string, points: number }
  | EventBase & { type: 'pointsPaid', orderId: string, orderAmount: Money, points: number }
  | EventBase & { type: 'redemptionCancelled', redemptionId: string }
  | EventBase & { type: 'checkedIn' }
  | EventBase & { type: 'referralCompleted', referredMemberId: string }
  | EventBase & { type: 'birthdayReached' }
  | EventBase & { type: 'bonusClaimed', name: string }
  | EventBase & { type: 'pointsAdjusted', points: number, reason: string }
  | EventBase & { type: 'tierAssigned', tier: string, until: Instant, reason: string }
  | EventBase & { type: 'storedValueLoaded', paid: Money, paymentRef?: string }
  | EventBase & { type: 'storedValueCashedOut' }
  | EventBase & { type: 'accountFrozen', reason: string }
  | EventBase & { type: 'accountUnfrozen', reason: string }
  | EventBase & { type: 'couponGranted', definition: string, reason: string }
  | EventBase & { type: 'couponBought', definition: string }
  | EventBase & { type: 'couponReserved', couponId: string, key: string }
  | EventBase & { type: 'couponReleased', couponId: string, key: string }

export interface Draw { lot: number, points: number }
/** Stored value taken from (or given back to) one top-up's principal or bonus. */
export interface FundDraw { topupId: string, fund: 'principal' | 'bonus', amount: Money }
/** Stored value as of an instant: bonus expiring by then left out; `liability` at each top-up's discount. */
export interface StoredValueBalance { principal: Money, bonus: Money, available: Money, liability: Money }

export type Effect =
  | { type: 'pointsEarned', lot: number, points: number, rules: string[], availableAt: Date, expiresAt: Date | null, pending: boolean }
  | { type: 'noPointsEarned', orderId: string, reason: string }
  | { type: 'pendingActivated', lot: number, points: number, expiresAt: Date | null }
  | { type: 'pendingCancelled', orderId: string, lot: number, points: number }
  | { type: 'pointsRedeemed', rewardId: string | null, orderId: string | null, points: number, value: Money, draws: Draw[] }
  | { type: 'pointsClawedBack', orderId: string, points: number, draws: Draw[], forgiven: number, waived: number }
  | { type: 'debtCreated', orderId: string, points: number, debt: number }
  | { type: 'debtRepaid', points: number, debt: number, draws: Draw[] }
  | { type: 'pointsExpired', points: number, lots: number[], at: Date }
  | { type: 'pointsExpiringSoon', points: number, lots: number[], expiresAt: Date }
  | { type: 'redemptionReversed', redemptionId: string, restored: number, expired: number, draws: Draw[] }
  | { type: 'tierUpgraded', from: string, to: string, validUntil: Date | null, reason: string, rewardPoints: number | null, rewardId: string | null }
  | { type: 'tierRetained', tier: string, validUntil: Date | null }
  | { type: 'tierDowngraded', from: string, to: string, reason: string, validUntil: Date | null }
  | { type: 'tierWillDowngrade', tier: string, on: Date, missing: Array<{ metric: string, needed: Money }> }
  | { type: 'pointsSent', toMemberId: string, points: number, draws: Draw[] }
  | { type: 'pointsReceived', fromMemberId: string, points: number, lots: number[] }
  | { type: 'accountsMerged', mergedMemberId: string, points: number, lots: number[] }
  | { type: 'pointsAdjusted', points: number, reason: string, draws: Draw[] }
  | { type: 'storedValueLoaded', topupId: string, paid: Money, bonus: Money, bonusExpiresAt?: Date, paymentRef?: string, available: Money }
  | { type: 'storedValueSpent', orderId: string, amount: Money, principal: Money, bonus: Money, draws: FundDraw[] }
  | { type: 'storedValueRefilled', orderId: string, principal: Money, bonus: Money, forfeited: Money }
  | { type: 'storedValueBonusExpiring', topupId: string, amount: Money, expiresAt: Date }
  | { type: 'storedValueBonusExpired', topupId: string, amount: Money, at: Date }
  | { type: 'storedValueRefundDue', amount: Money, mode: 'face_value' | 'proportional', principalRetained: Money, bonusForfeited: Money }
  | { type: 'accountFrozen', reason: string }
  | { type: 'accountUnfrozen', reason: string }
  | { type: 'couponIssued', couponId: string, definition: string, source: string, reason?: string, validFrom: Date, validUntil: Date }
  | { type: 'couponExpiringSoon', couponId: string, definition: string, validUntil: Date }
  | { type: 'couponReserved', couponId: string, key: string, until: Date }
  | { type: 'couponReleased', couponId: string, key: string, timedOut: boolean }
  | { type: 'couponRedeemed', couponId: string, definition: string, orderId: string, discount: Money }
  | { type: 'couponReturned', couponId: string, orderId: string }
  | { type: 'couponExpired', couponId: string, definition: string, validUntil: Date }
  | { type: 'couponCancelled', couponId: string }

export interface JournalEntry { format: number, seq: number, at: Date, eventId: string | null, effects: Effect[] }
export interface Outcome { effects: Effect[], duplicate: boolean, revision: number, journal: JournalEntry[] }
export interface Balances { asOf: Date, available: number, pending: number, debt: number, expiringSoon: number }
export interface StatementEntry { at: Date, eventId: string | null, effects: Effect[] }
export interface TierProgress {
  asOf: Date, tier: string, validUntil: Date | null, nextTier: string | null,
  metrics: { spend: Money, points: number, orders: number },
  toNext: Array<{ metric: string, needed: Money }>, toKeep: Array<{ metric: string, needed: Money }>
}

export type ErrorCode =
  | 'parse' | 'invalid' | 'format' | 'too_large' | 'corrupt' | 'invalid_input' | 'internal'
  | 'id_conflict' | 'invalid_field' | 'out_of_order' | 'unknown_order' | 'duplicate_order'
  | 'refund_exceeds_order' | 'unknown_redemption' | 'already_cancelled' | 'unknown_reward'
  | 'no_such_bonus' | 'limit_reached' | 'debt_outstanding' | 'insufficient_points' | 'too_many'
  | 'as_of_before_clock' | 'insufficient_funds' | 'cap_exceeded' | 'account_frozen'
  | 'unknown_coupon' | 'coupon_not_applicable' | 'return_window_closed'
  | 'length_mismatch' | 'negative_amount' | 'time_out_of_range' | 'too_many_members' | 'as_of_before_orders'
  | 'period_after_as_of'
  | 'empty' | 'no_interior_maximum' | 'not_converged'

export class LoyaltyError extends Error {
  readonly code: ErrorCode
  readonly field: string
  readonly value: string
}
export class ProgramError extends LoyaltyError {}
export class EventError extends LoyaltyError {}
export class SnapshotError extends LoyaltyError {}
export class AnalyticsError extends LoyaltyError {}
/** A CLV model refused its data or an argument. */
export class ClvError extends LoyaltyError {}
export class InvalidInputError extends LoyaltyError {}
/** A bug in the engine (a Rust panic caught at the boundary), never the caller's input. */
export class InternalError extends LoyaltyError {}

export class Program {
  static fromJson (text: string): Program
  /** The program as a plain object (snake_case keys, as in its JSON); money and rates as
   * decimal strings: a number with a fraction is a TypeError naming its path. */
  static fromObject (config: object): Program
  toJson (): string
  toObject (): object
}

export class Account {
  constructor (memberId: string)
  static fromJson (text: string): Account
  toJson (): string
  /** Reads bytes written by `toCompact`; throws `SnapshotError` (field `compact`) for damaged bytes. */
  static fromCompact (bytes: Uint8Array): Account
  /** The snapshot in a compact binary form for storage (the JSON deflated against a built-in dictionary). */
  toCompact (): Buffer
  readonly memberId: string
  readonly revision: number
  /** Whether the host froze the account (it cannot spend points or stored value). */
  readonly isFrozen: boolean
  apply (program: Program, event: Event): Outcome
  advanceTo (program: Program, at: Instant): Effect[]
  /** As advanceTo, with the journal entries the clock made (hosts that keep a journal call this). */
  advance (program: Program, at: Instant): Outcome
  /** The journal seq of the first statement entry the snapshot still keeps. */
  readonly statementStart: number
  /** Reads a snapshot of an earlier format: the account and the journal entries that left it. */
  static migrate (program: Program, text: string): { account: Account, journal: JournalEntry[] }
  balances (program: Program, asOf: Instant): Balances
  storedValue (program: Program, asOf: Instant): StoredValueBalance
  /** The member's coupons as of an instant, each with its state then. */
  coupons (asOf: Instant): MemberCoupon[]
  /** What an order would cost: coupons first, then points, then stored value; a coupon that does not apply says why. */
  quoteCheckout (program: Program, checkout: Checkout, at: Instant): CheckoutQuote
  /** What returning goods worth `returned` (list value) refunds under the program's partial-return policy. */
  quoteReturn (program: Program, orderId: string, returned: Money, at: Instant): { refund: Money, points: number }
  tierProgress (program: Program, asOf: Instant): TierProgress | null
  statement (): StatementEntry[]
  applyAll (program: Program, events: Event[]): Outcome[]
  expiring (program: Program, asOf: Instant, until: Instant): Array<{ expiresAt: Date, points: number }>
  previewOrder (program: Program, amount: Money, at: Instant, options?: { channel?: string, lines?: OrderLine[] }): number
  quotePayment (program: Program, orderAmount: Money, requested: number | null, asOf: Instant): PaymentQuote
  merge (program: Program, other: Account, id: string, at: Instant): { account: Account, outcome: Outcome }
}

export type CouponState = 'issued' | 'reserved' | 'redeemed' | 'expired' | 'cancelled'
export interface MemberCoupon {
  couponId: string, definition: string, issuedAt: Date, validFrom: Date, validUntil: Date,
  state: CouponState, key?: string, until?: Date, orderId?: string, discount?: Money
}
export interface Checkout {
  amount: Money, channel?: string, lines?: OrderLine[], coupons?: string[], reservationKey?: string,
  /** The most points to pay with (none: no points). */ points?: number, storedValue?: boolean
}
export interface CheckoutQuote {
  amount: Money, coupons: Array<{ couponId: string, discount: Money, notApplied?: string }>, afterCoupons: Money,
  points: number, pointsValue: Money, storedValue: Money, due: Money, pointsEarned: number
}
export interface PaymentQuote { points: number, value: Money, cash: Money, maxPoints: number }

export interface StatementLine { seq: number, at: Date, eventId: string | null, kind: string, points: number, balance: number }
export interface StatementPage { lines: StatementLine[], total: number, balance: number }
export function statementPage (entries: Array<JournalEntry | string>, options?: { opening?: number, page?: number, perPage?: number }): StatementPage
export function transfer (program: Program, sender: Account, receiver: Account, id: string, at: Instant, points: number): { sent: Outcome, received: Outcome }

export type MemberId = string | number | bigint
export interface OrderRow { memberId: MemberId, orderedAt: Instant, amountMinor: number | bigint }
/** Orders as columns of equal length; `BigInt64Array`s of Unix seconds and minor units are passed on as they are, without per-value conversion. */
export interface OrderColumns {
  memberId: BigUint64Array | MemberId[]
  orderedAt: BigInt64Array | Float64Array | Int32Array | Instant[]
  amountMinor: BigInt64Array | Array<number | bigint>
}
export type Orders = OrderRow[] | OrderColumns
/** Member ids as they come back: numbers when any was given as a number (and all are safe integers), BigInts otherwise, labels for strings. */
export type MemberIds = Float64Array | BigUint64Array | string[]
/** RFM per member by column, row `i` of every column being one member. */
export interface RfmColumns {
  length: number
  memberId: MemberIds
  /** Whole local days from the last order's day to the `asOf` day; orders (or purchase days). */
  recencyDays: Float64Array, frequency: Float64Array
  /** Total spend in minor units: exact at any size (money never crosses as a JS number). */
  monetaryMinor: BigInt64Array
  /** Scores 1 to 5. */
  r: Uint8Array, f: Uint8Array, m: Uint8Array
  segment: string[], valueSegment: string[], stage: string[], activity: string[]
  /** Whole local days since the last order; the typical days between orders (NaN below two purchase days). */
  daysSinceLast: Float64Array, cycleDays: Float64Array
  /** 1 when the next order is overdue by the cycle; 1 when the member is past the churn warning. */
  overdue: Uint8Array, churnWarning: Uint8Array
}
/** One member of `rows(await analyze(...))`. */
export interface MemberRfm {
  memberId: MemberId, recencyDays: number, frequency: number, monetaryMinor: bigint,
  r: number, f: number, m: number, segment: string, valueSegment: string, stage: string, activity: string,
  daysSinceLast: number, cycleDays: number | null, overdue: boolean, churnWarning: boolean
}
/** `scale`: the currency's minor-unit digits (default 2; 0 for JPY, 3 for KWD). */
export interface AnalyticsOptions { asOf: Instant, timeZone?: string, scale?: number }
export function analyze (orders: Orders, options: AnalyticsOptions): Promise<RfmColumns>
/** Columns as row objects (NaN becomes null, 0/1 flags booleans): handy for a few members, heavy for millions. */
export function rows (columns: RfmColumns): MemberRfm[]
export function rows (columns: object): Array<Record<string, unknown>>

/** Member counts are about the period; `orders`, `revenue` and the unprefixed ratios count every order before `asOf`; the `period` figures the period's orders only. */
export interface ProgramMetrics {
  members: number, newMembers: number, activeMembers: number, lapsedMembers: number,
  /** Members 180 days or more without an order. */
  churnedMembers: number, orders: number,
  revenue: Money, repurchaseRate: Money, averageOrderValue: Money, purchaseFrequency: Money, historicalLtv: Money,
  top20PercentRevenueShare: Money,
  /** Orders and revenue from `periodStart` to `asOf`; revenue per order; orders per member who ordered in the period; the share of those who ordered twice or more in it. */
  periodOrders: number, periodRevenue: Money, periodAverageOrderValue: Money, periodPurchaseFrequency: Money,
  periodRepurchaseRate: Money,
  /** Revenue by R-F segment name. */
  revenueBySegment: Record<string, Money>
  /** Each segment's share of the revenue (6 places). */
  revenueShareBySegment: Record<string, Money>
}
export function metrics (orders: Orders, options: AnalyticsOptions & { periodStart: Instant }): Promise<ProgramMetrics>

/** The retention matrix, long form: one row per (cohort month, months since first order). */
export interface CohortColumns { cohort: string[], monthsSince: number[], members: number[], active: number[] }
export function cohorts (orders: Orders, options: { asOf: Instant, timeZone?: string }): Promise<CohortColumns>

/** Point movements, as the core's `Totals` counts them. */
export interface PointTotals {
  earned: number, cancelled: number, redeemed: number, clawedBack: number, expired: number, restored: number,
  adjustedIn: number, adjustedOut: number, debtCreated: number, debtRepaid: number, sent: number, received: number
}
/** One program's month of a simulation (`month` is its first day, YYYY-MM-DD, in the program's zone). */
export interface SimulationMonth {
  month: string, orders: number, revenue: Money, activeMembers: number, newMembers: number, redemptions: number,
  totals: PointTotals, outstanding: number, liability: Money, membersByTier: number[], flows: number[][],
  upgradedInto: number[], downgradedInto: number[], entryRewards: number, entryRewardPoints: number,
  costPerRevenue: Money | null
}
/** One program's simulation run. */
export interface SimulationRun {
  program: string, version: number, tiers: string[], members: number, orders: number, revenue: Money,
  redemptions: number, totals: PointTotals, available: number, pending: number, debt: number, liability: Money,
  /** Usable points expiring within 30, 60 and 90 days of `asOf`. */
  expiring: [number, number, number],
  breakageRate: Money | null, costPerRevenue: Money | null, months: SimulationMonth[]
}
export interface SimulationOptions {
  asOf: Instant,
  /** `'cheapest'` (default), `'none'`, or a reward id every program has. */
  redeem?: string,
  /** The chance (0 to 1) a member who can redeem does; default 1. */
  probability?: number,
  seed?: number | bigint,
  threads?: number
}
/** Replays the orders under each program, month by month, with a seeded redemption behaviour. */
export function simulate (orders: Orders, programs: Program[], options: SimulationOptions): Promise<SimulationRun[]>

export type Label = string | number | bigint
/** Order lines as rows or columns; discounts default to none. */
export interface LineRow { memberId: MemberId, orderId: Label, category: Label, amountMinor: number | bigint, discountMinor?: number | bigint }
export interface LineColumns {
  memberId: BigUint64Array | MemberId[], orderId: Label[], category: Label[],
  amountMinor: BigInt64Array | Array<number | bigint>, discountMinor?: BigInt64Array | Array<number | bigint>
}
export interface PreferenceOptions {
  /** Price-band bounds in minor units: low below the first, high from the second (default: thirds of the members by mean line amount). */
  priceBands?: [number | bigint, number | bigint], promotionHighPercent?: number, promotionMediumPercent?: number
}
export interface PreferenceColumns {
  length: number, memberId: MemberIds, topCategory: Label[], topCategoryMinor: BigInt64Array, spendMinor: BigInt64Array,
  lines: Float64Array, priceBand: Array<'low' | 'mid' | 'high'>, orders: Float64Array, discountedOrders: Float64Array,
  promotion: Array<'low' | 'medium' | 'high'>,
  /** The bounds used, in minor units. */
  priceBands: [bigint, bigint]
}
export function preferences (lines: LineRow[] | LineColumns, options?: PreferenceOptions): Promise<PreferenceColumns>

/** Columns the CLV models read: counts, and periods of the summary's unit. */
export interface Customers { frequency: Float64Array | number[], recency: Float64Array | number[], T: Float64Array | number[] }
export interface ClvSummary {
  length: number, memberId: MemberIds,
  frequency: Float64Array, recency: Float64Array, T: Float64Array,
  /** Mean value of repeat purchase days, in currency units. */
  monetary: Float64Array, holdoutFrequency: Float64Array
}
export namespace clv {
  /** `calibrationEnd` and `holdoutEnd` are calendar days, `YYYY-MM-DD`; `unit` is `week` (default) or `day`. */
  function summary (orders: Orders, options: { calibrationEnd: string, holdoutEnd?: string, unit?: 'day' | 'week', scale?: number }): Promise<ClvSummary>
  class BgNbd {
    constructor (r: number, alpha: number, a: number, b: number, logLikelihood?: number)
    readonly r: number; readonly alpha: number; readonly a: number; readonly b: number; readonly logLikelihood: number
    readonly params: [number, number, number, number]
    static fit (summary: Customers): Promise<BgNbd>
    predict (summary: Customers, horizon: number, options?: { churnThresholds?: [number, number] }):
      Promise<{ pAlive: Float64Array, expectedPurchases: Float64Array, churnRisk: Array<'low' | 'medium' | 'high'> }>
    /** One column per k from 0 to `purchases`. */
    purchaseProbabilities (summary: Customers, horizon: number, purchases?: number): Promise<Float64Array[]>
    population (horizons: number[], purchases?: number): { t: number[], expectedPurchases: number[], p: number[][] }
  }
  class GammaGamma {
    constructor (p: number, q: number, gamma: number, logLikelihood?: number)
    readonly p: number; readonly q: number; readonly gamma: number; readonly logLikelihood: number
    readonly params: [number, number, number]
    static fit (summary: { frequency: Float64Array | number[], monetary: Float64Array | number[] }): Promise<GammaGamma>
    expectedValue (summary: { frequency: Float64Array | number[], monetary: Float64Array | number[] }): Promise<Float64Array>
    lifetimeValue (summary: Customers & { monetary: Float64Array | number[] }, bgnbd: BgNbd, horizon: number, discountRate?: number): Promise<Float64Array>
  }
}
