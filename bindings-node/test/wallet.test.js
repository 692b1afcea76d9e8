'use strict'
// Stored value through Node: Lin's tea-house card of core/tests/stories/stored_value_card.rs,
// worked by hand (wallet.md section 4). Money is decimal strings; errors carry the core's
// code, field and value.
const test = require('node:test')
const assert = require('node:assert/strict')
const loyalty = require('..')

const teaHouse = loyalty.Program.fromJson(JSON.stringify({
  name: 'Tea', version: 1, currency: 'CNY', time_zone: 'Asia/Shanghai',
  earning: { rules: [{ name: 'base', points_per_unit: '1' }] },
  redemption: { point_value: '0.01' },
  stored_value: {
    bonus_tiers: [{ min_paid: '500', bonus: '30' }, { min_paid: '1000', bonus: '100' }],
    bonus_expiry: { kind: 'rolling_days', days: 180 },
    cap: '5000',
    cash_out: 'proportional'
  }
}))

test('a top-up, a card payment, a return and a cash-out', () => {
  const lin = new loyalty.Account('lin')
  const [top] = lin.apply(teaHouse, { type: 'storedValueLoaded', id: 't1', occurredAt: '2025-03-01T02:00:00Z', paid: '1000', paymentRef: 'pay-1' }).effects
  assert.deepEqual([top.type, top.topupId, top.paid, top.bonus, top.available], ['storedValueLoaded', 't1', '1000', '100', '1100'])
  assert.deepEqual(top.bonusExpiresAt, new Date('2025-08-28T16:00:00Z'))
  const paid = lin.apply(teaHouse, { type: 'orderPlaced', id: 'e1', occurredAt: new Date('2025-03-02T04:00:00Z'), orderId: 'o1', amount: '550', storedValue: '550' })
  const [spent, earned] = paid.effects
  assert.deepEqual([spent.type, spent.principal, spent.bonus], ['storedValueSpent', '500', '50'])
  assert.deepEqual(spent.draws, [{ topupId: 't1', fund: 'principal', amount: '500' }, { topupId: 't1', fund: 'bonus', amount: '50' }])
  assert.equal(earned.points, 500)
  const back = lin.apply(teaHouse, { type: 'orderRefunded', id: 'r1', occurredAt: '2025-03-03T04:00:00Z', orderId: 'o1', amount: '220' })
  assert.deepEqual(back.effects.filter((e) => e.type === 'storedValueRefilled'),
    [{ type: 'storedValueRefilled', orderId: 'o1', principal: '200', bonus: '20', forfeited: '0' }])
  assert.deepEqual(lin.storedValue(teaHouse, '2025-03-03T04:00:00Z'), { principal: '700', bonus: '70', available: '770', liability: '700' })
  // Proportionally, 330 consumed at 1000/1100 cost 300: 700 is paid back, the 70 of bonus forfeited.
  const [due] = lin.apply(teaHouse, { type: 'storedValueCashedOut', id: 'c1', occurredAt: '2025-03-04T04:00:00Z' }).effects
  assert.deepEqual(due, { type: 'storedValueRefundDue', amount: '700', mode: 'proportional', principalRetained: '0', bonusForfeited: '70' })
})

test('a payment beyond the balance and a top-up beyond the cap are refused by field', () => {
  const lin = new loyalty.Account('lin')
  lin.apply(teaHouse, { type: 'storedValueLoaded', id: 't1', occurredAt: '2025-03-01T02:00:00Z', paid: '100' })
  const before = lin.toJson()
  assert.throws(() => lin.apply(teaHouse, { type: 'orderPlaced', id: 'e1', occurredAt: '2025-03-02T04:00:00Z', orderId: 'o1', amount: '150', storedValue: '150' }),
    (e) => e instanceof loyalty.EventError && e.code === 'insufficient_funds' && e.field === 'storedValue' && e.value === '150')
  assert.throws(() => lin.apply(teaHouse, { type: 'storedValueLoaded', id: 't2', occurredAt: '2025-03-02T04:00:00Z', paid: '4901' }),
    (e) => e.code === 'cap_exceeded' && e.field === 'paid' && e.value === '4901')
  assert.throws(() => lin.apply(teaHouse, { type: 'storedValueLoaded', id: 't3', occurredAt: '2025-03-02T04:00:00Z', paid: 10 }), TypeError)
  assert.equal(lin.toJson(), before)
})

test('a frozen account cannot spend its stored value until unfrozen', () => {
  const lin = new loyalty.Account('lin')
  lin.apply(teaHouse, { type: 'storedValueLoaded', id: 't1', occurredAt: '2025-03-01T02:00:00Z', paid: '100' })
  assert.deepEqual(lin.apply(teaHouse, { type: 'accountFrozen', id: 'f1', occurredAt: '2025-03-02T00:00:00Z', reason: 'chargeback dispute' }).effects,
    [{ type: 'accountFrozen', reason: 'chargeback dispute' }])
  assert.equal(lin.isFrozen, true)
  const before = lin.toJson()
  assert.throws(() => lin.apply(teaHouse, { type: 'storedValueCashedOut', id: 'c1', occurredAt: '2025-03-03T00:00:00Z' }),
    (e) => e instanceof loyalty.EventError && e.code === 'account_frozen' && e.field === 'type' && e.value === 'stored_value_cashed_out')
  assert.equal(lin.toJson(), before)
  lin.apply(teaHouse, { type: 'accountUnfrozen', id: 'u1', occurredAt: '2025-03-04T00:00:00Z', reason: 'dispute won' })
  const [due] = lin.apply(teaHouse, { type: 'storedValueCashedOut', id: 'c2', occurredAt: '2025-03-05T00:00:00Z' }).effects
  assert.equal(due.amount, '100')
})

const bakery = loyalty.Program.fromJson(JSON.stringify({
  name: 'Bakery', version: 1, currency: 'CNY', time_zone: 'Asia/Shanghai',
  earning: { rules: [{ name: 'base', points_per_unit: '1' }] },
  redemption: { point_value: '0.01', max_order_share: '0.5' },
  stored_value: {},
  coupons: {
    definitions: [
      { id: 'SMALL_PCT', discount: { kind: 'percent_off', percent: '10' }, validity: { kind: 'days', days: 30 } },
      { id: 'FIFTY', discount: { kind: 'amount_off', amount: '50' }, validity: { kind: 'days', days: 30 } }
    ]
  }
}))

// wallet.md 4.12: on an order of 50, 10% takes 5, then 50 off takes the 45 left; reversed,
// the 10% has nothing left and does not apply.
test('coupons stack in order, never below zero, and the checkout says why one does not apply', () => {
  const mei = new loyalty.Account('mei')
  for (const [id, definition] of [['pct', 'SMALL_PCT'], ['fifty', 'FIFTY']]) {
    const [issued] = mei.apply(bakery, { type: 'couponGranted', id, occurredAt: '2025-05-01T02:00:00Z', definition, reason: 'goodwill' }).effects
    assert.equal(issued.type, 'couponIssued')
    // 30 days from 1 May (local), through 31 May: until local midnight, 16:00Z.
    assert.deepEqual(issued.validUntil, new Date('2025-05-31T16:00:00Z'))
  }
  const q = mei.quoteCheckout(bakery, { amount: '50', coupons: ['fifty', 'pct'], storedValue: true }, '2025-05-02T02:00:00Z')
  assert.deepEqual(q.coupons.map((c) => [c.couponId, c.discount]), [['fifty', '50'], ['pct', '0']])
  assert.match(q.coupons[1].notApplied, /nothing left/)
  assert.equal(q.due, '0')
  const before = mei.toJson()
  assert.throws(() => mei.apply(bakery, { type: 'orderPlaced', id: 'o0', occurredAt: '2025-05-02T02:00:00Z', orderId: 'X', amount: '50', coupons: ['fifty', 'pct'] }),
    (e) => e.code === 'coupon_not_applicable' && e.field === 'coupons' && e.value === 'pct')
  assert.throws(() => mei.apply(bakery, { type: 'couponReleased', id: 'x', occurredAt: '2025-05-02T02:00:00Z', couponId: 'zz', key: 'K' }),
    (e) => e.code === 'unknown_coupon' && e.field === 'couponId' && e.value === 'zz')
  assert.equal(mei.toJson(), before)
  const placed = mei.apply(bakery, { type: 'orderPlaced', id: 'o1', occurredAt: '2025-05-02T02:00:00Z', orderId: 'X', amount: '50', coupons: ['pct', 'fifty'] })
  assert.deepEqual(placed.effects.filter((e) => e.type === 'couponRedeemed').map((e) => e.discount), ['5', '45'])
  assert.deepEqual(mei.coupons('2025-05-02T02:00:00Z').map((c) => [c.couponId, c.state, c.orderId]), [['fifty', 'redeemed', 'X'], ['pct', 'redeemed', 'X']])
  // Cancelled: both come back.
  const cancelled = mei.apply(bakery, { type: 'orderCancelled', id: 'c1', occurredAt: '2025-05-03T02:00:00Z', orderId: 'X' })
  assert.deepEqual(cancelled.effects.filter((e) => e.type === 'couponReturned').map((e) => e.couponId), ['pct', 'fifty'])
  // A cancelled order has nothing left to return.
  assert.throws(() => mei.quoteReturn(bakery, 'X', '10', '2025-05-03T02:00:00Z'), (e) => e.code === 'invalid_field' && e.field === 'returned' && e.value === '10')
})
