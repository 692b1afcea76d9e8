'use strict'
const test = require('node:test')
const assert = require('node:assert/strict')
const path = require('node:path')
const fs = require('node:fs')
const loyalty = require('..')

const retail = loyalty.Program.fromJson(fs.readFileSync(path.join(__dirname, '..', '..', 'examples', 'programs', 'retail.json'), 'utf8'))
const simple = loyalty.Program.fromObject({
  name: 'Shop', version: 1, currency: 'USD', time_zone: 'UTC',
  earning: { rules: [{ name: 'base', points_per_unit: '1' }] },
  redemption: { point_value: '0.01' }
})

test('an order earns pending points: camelCase, Dates and decimal strings', () => {
  const a = new loyalty.Account('m-1')
  const out = a.apply(retail, { type: 'orderPlaced', id: 'e-1', occurredAt: new Date('2024-05-08T16:00:00Z'), orderId: 'o-1', amount: '42.50' })
  const e = out.effects[0]
  assert.equal(e.type, 'pointsEarned')
  assert.equal(e.points, 85)
  assert.deepEqual(e.rules, ['base', 'member_day'])
  assert.ok(e.availableAt instanceof Date)
  assert.equal(e.availableAt.toISOString(), '2024-05-22T04:00:00.000Z')
  const b = a.balances(retail, '2024-05-22T04:00:00Z')
  assert.deepEqual([b.available, b.pending, b.debt], [85, 0, 0])
  assert.equal(a.revision, 1)
})

test('a number for money is a TypeError', () => {
  const a = new loyalty.Account('m')
  assert.throws(() => a.apply(simple, { type: 'orderPlaced', id: 'e', occurredAt: new Date(), orderId: 'o', amount: 19.99 }), {
    name: 'TypeError', message: 'amount: 19.99 is a number; money must be a decimal string like "19.99"'
  })
  assert.throws(() => a.balances(simple, '2024-01-01T00:00:00'), TypeError)
})

test('every error carries a stable code, the field and the value', () => {
  const a = new loyalty.Account('m')
  a.apply(simple, { type: 'orderPlaced', id: 'e', occurredAt: '2024-01-01T00:00:00Z', orderId: 'o', amount: '5' })
  const cases = [
    [{ type: 'rewardRedeemed', id: 'r', occurredAt: '2024-01-02T00:00:00Z', rewardId: 'x', points: 10 }, 'insufficient_points', 'points'],
    [{ type: 'orderRefunded', id: 'r', occurredAt: '2024-01-02T00:00:00Z', orderId: 'nope', amount: '1' }, 'unknown_order', 'orderId'],
    [{ type: 'orderPlaced', id: 'e', occurredAt: '2024-01-01T00:00:00Z', orderId: 'o2', amount: '9' }, 'id_conflict', 'id'],
    [{ type: 'checkedIn', id: 'c', occurredAt: '2024-01-02T00:00:00Z' }, 'no_such_bonus', 'type'],
    [{ type: 'orderPlaced', id: 'x', occurredAt: '2023-01-01T00:00:00Z', orderId: 'o3', amount: '9' }, 'out_of_order', 'occurredAt']
  ]
  const before = a.toJson()
  for (const [event, code, field] of cases) {
    assert.throws(() => a.apply(simple, event), (err) => {
      assert.ok(err instanceof loyalty.LoyaltyError && err instanceof loyalty.EventError && err instanceof Error)
      assert.equal(err.code, code)
      assert.equal(err.field, field)
      return true
    })
  }
  assert.equal(a.toJson(), before)
  assert.throws(() => loyalty.Program.fromObject({ name: 'x' }), (err) => err instanceof loyalty.ProgramError && err.code === 'parse' && err.field === '.')
  const snapshot = JSON.parse(a.toJson())
  assert.throws(() => loyalty.Account.fromJson(JSON.stringify({ ...snapshot, format: 9 })), (err) => err instanceof loyalty.SnapshotError && err.code === 'format' && err.field === 'format' && err.value === '9')
  assert.throws(() => loyalty.Account.fromJson('{"format": 1}'), (err) => err.code === 'parse' && /missing field `member_id`/.test(err.message))
})

test('analytics errors name their field and value', async () => {
  const rows = [
    { memberId: 'a', orderedAt: '2024-03-01T00:00:00Z', amountMinor: 5 },
    { memberId: 'b', orderedAt: '2024-02-01T00:00:00Z', amountMinor: -7 }
  ]
  await assert.rejects(loyalty.analyze(rows, { asOf: '2024-07-01T00:00:00Z' }), (err) => {
    assert.ok(err instanceof loyalty.AnalyticsError && err instanceof loyalty.LoyaltyError)
    assert.deepEqual([err.code, err.field, err.value, err.message], ['negative_amount', 'amountMinor[1]', '-7', 'amount_minor[1]: -7 must not be negative'])
    return true
  })
  rows[1].amountMinor = 7
  await assert.rejects(loyalty.analyze(rows, { asOf: '2024-01-01T00:00:00Z' }), (err) => {
    assert.deepEqual([err.code, err.field, err.value], ['as_of_before_orders', 'asOf', '2024-01-01T00:00:00+00:00'])
    assert.match(err.message, /the earliest, ordered_at\[1\], is 2024-02-01 00:00:00 UTC/)
    return true
  })
  await assert.rejects(loyalty.analyze({ memberId: [1n], orderedAt: BigInt64Array.of(-5n), amountMinor: [1] }, { asOf: '2024-01-01T00:00:00Z' }),
    (err) => err.code === 'time_out_of_range' && err.field === 'orderedAt[0]' && err.value === '-5')
})

test('snapshots round-trip and replays are no-ops', () => {
  const a = new loyalty.Account('m')
  const e = { type: 'orderPlaced', id: 'e', occurredAt: '2024-01-01T00:00:00Z', orderId: 'o', amount: '10' }
  a.apply(simple, e)
  const b = loyalty.Account.fromJson(a.toJson())
  assert.equal(b.toJson(), a.toJson())
  assert.equal(b.apply(simple, e).duplicate, true)
})

test('analyze resolves without blocking and matches the hand-worked scores', async () => {
  const rows = [
    { memberId: 'ann', orderedAt: '2024-01-05T00:00:00Z', amountMinor: 1000 },
    { memberId: 'ann', orderedAt: '2024-06-20T00:00:00Z', amountMinor: 2500 },
    { memberId: 'bob', orderedAt: '2024-03-01T00:00:00Z', amountMinor: 400 },
    { memberId: 'cat', orderedAt: '2023-12-01T00:00:00Z', amountMinor: 9900 },
    { memberId: 'cat', orderedAt: '2024-02-01T00:00:00Z', amountMinor: 100 },
    { memberId: 'cat', orderedAt: '2024-06-30T23:00:00Z', amountMinor: 50 }
  ]
  const pending = loyalty.analyze(rows, { asOf: new Date('2024-07-01T00:00:00Z') })
  assert.ok(pending instanceof Promise)
  const columns = await pending
  // Columns, one row per member: typed arrays made by the core, names for the coded ones.
  assert.equal(columns.length, 3)
  assert.deepEqual(columns.memberId, ['ann', 'bob', 'cat'])
  assert.ok(columns.monetaryMinor instanceof BigInt64Array && columns.recencyDays instanceof Float64Array && columns.r instanceof Uint8Array)
  assert.deepEqual(Array.from(columns.monetaryMinor), [3500n, 400n, 10050n])
  assert.deepEqual(columns.segment, ['Hibernating', 'Lost', 'Loyal Customers'])
  const out = loyalty.rows(columns)
  assert.deepEqual(out.map((r) => [r.memberId, r.recencyDays, r.frequency, r.monetaryMinor, r.r, r.f, r.m, r.segment]), [
    ['ann', 11, 2, 3500n, 2, 2, 2, 'Hibernating'],
    ['bob', 122, 1, 400n, 1, 1, 1, 'Lost'],
    ['cat', 1, 3, 10050n, 4, 4, 4, 'Loyal Customers']
  ])
  // Lifecycle tags: ann's two orders are 167 days apart, her last 11 days ago.
  const ann = out[0]
  assert.deepEqual([ann.daysSinceLast, ann.cycleDays, ann.overdue, ann.churnWarning], [11, 167, false, false])
  assert.equal(out[1].cycleDays, null)
  // The work runs off the main thread: the event loop turns while a large job is pending
  // (a synchronous job would resolve before any immediate callback could run).
  const n = 300000
  const big = {
    memberId: BigUint64Array.from({ length: n }, (_, i) => BigInt(i % 5000)),
    orderedAt: BigInt64Array.from({ length: n }, (_, i) => 1704067200n + BigInt(i % 15000000)),
    amountMinor: BigInt64Array.from({ length: n }, (_, i) => BigInt(i % 9000))
  }
  let ticked = false
  setImmediate(() => { ticked = true })
  const many = await loyalty.analyze(big, { asOf: '2024-07-01T00:00:00Z' })
  assert.ok(ticked, 'the event loop ran while analyze was pending')
  assert.equal(many.length, 5000)
  await assert.rejects(loyalty.analyze([{ memberId: 'a', orderedAt: '2024-01-01T00:00:00Z', amountMinor: 1.5 }], { asOf: '2024-02-01T00:00:00Z' }), TypeError)
})

test('applyAll, expiring, quotes, transfers and merges', () => {
  const mum = new loyalty.Account('mum')
  const outcomes = mum.applyAll(simple, [
    { type: 'orderPlaced', id: 'a', occurredAt: '2024-01-01T00:00:00Z', orderId: 'o1', amount: '80' },
    { type: 'orderPlaced', id: 'b', occurredAt: '2024-01-02T00:00:00Z', orderId: 'o2', amount: '20' }
  ])
  assert.deepEqual(outcomes.map((o) => o.revision), [1, 2])
  assert.deepEqual(mum.expiring(simple, '2024-01-02T00:00:00Z', '2030-01-01T00:00:00Z'), [])
  const q = mum.quotePayment(simple, '10.00', null, '2024-01-02T00:00:00Z')
  assert.deepEqual([q.points, q.value, q.cash, q.maxPoints], [100, '1.00', '9.00', 100])
  assert.throws(() => mum.quotePayment(simple, 10, null, '2024-01-02T00:00:00Z'), TypeError)
  const kid = new loyalty.Account('kid')
  const { sent, received } = loyalty.transfer(simple, mum, kid, 't1', '2024-01-03T00:00:00Z', 30)
  assert.equal(sent.effects[0].type, 'pointsSent')
  assert.equal(received.effects[0].points, 30)
  assert.equal(kid.balances(simple, '2024-01-03T00:00:00Z').available, 30)
  const twin = new loyalty.Account('mum-2')
  twin.apply(simple, { type: 'orderPlaced', id: 'z', occurredAt: '2024-01-02T12:00:00Z', orderId: 'o9', amount: '5' })
  const { account, outcome } = mum.merge(simple, twin, 'm1', '2024-01-04T00:00:00Z')
  assert.equal(outcome.effects[0].type, 'accountsMerged')
  assert.equal(account.balances(simple, '2024-01-04T00:00:00Z').available, 75)
  assert.throws(() => loyalty.transfer(simple, mum, kid, 't2', '2024-01-05T00:00:00Z', 1000), (e) => e.code === 'insufficient_points')
  // One account on both sides is our error, not napi-rs's borrow error.
  assert.throws(() => loyalty.transfer(simple, mum, mum, 't3', '2024-01-05T00:00:00Z', 1), (e) =>
    e instanceof loyalty.InvalidInputError && e.code === 'invalid_input' && e.field === 'receiver' && e.value === 'mum' &&
    e.message === 'receiver: "mum" is the sender; a transfer needs two accounts')
})

test('analyze and metrics take typed-array columns and give the rows answer', async () => {
  const rows = [
    { memberId: 'ann', orderedAt: '2024-01-05T00:00:00Z', amountMinor: 1000 },
    { memberId: 'ann', orderedAt: '2024-06-20T00:00:00Z', amountMinor: 2500 },
    { memberId: 'bob', orderedAt: '2024-03-01T00:00:00Z', amountMinor: 400 }
  ]
  const columns = {
    memberId: new BigUint64Array([7n, 7n, 9n]),
    orderedAt: new BigInt64Array(rows.map((r) => BigInt(Date.parse(r.orderedAt) / 1000))),
    amountMinor: new BigInt64Array([1000n, 2500n, 400n])
  }
  const asOf = '2024-07-01T00:00:00Z'
  const fromRows = loyalty.rows(await loyalty.analyze(rows, { asOf }))
  const fromColumns = loyalty.rows(await loyalty.analyze(columns, { asOf }))
  assert.deepEqual(fromColumns.map((r) => r.memberId), [7n, 9n])
  const strip = (out) => out.map(({ memberId, ...rest }) => rest)
  assert.deepEqual(strip(fromColumns), strip(fromRows))
  assert.deepEqual([fromRows[0].recencyDays, fromRows[0].frequency, fromRows[0].monetaryMinor], [11, 2, 3500n])
  // Hand-worked: 39.00 over 3 orders of 2 members, one of whom ordered twice; ann holds 35 of 39.
  const m = await loyalty.metrics(columns, { asOf, periodStart: '2024-01-01T00:00:00Z' })
  assert.deepEqual([m.members, m.newMembers, m.orders], [2, 2, 3])
  assert.deepEqual([m.revenue, m.averageOrderValue, m.repurchaseRate, m.purchaseFrequency, m.historicalLtv],
    ['39.00', '13.00', '0.50', '1.50', '19.50'])
  assert.equal(m.top20PercentRevenueShare, '0.897436')
  assert.deepEqual(m.revenueBySegment, { Lost: '4.00', 'Need Attention': '35.00' })
  assert.deepEqual(m.revenueShareBySegment, { Lost: '0.102564', 'Need Attention': '0.897436' })
  assert.equal(m.churnedMembers, 0)
  // From March: ann's June order (25.00) and bob's of 1 March (4.00), one each.
  const spring = await loyalty.metrics(columns, { asOf, periodStart: '2024-03-01T00:00:00Z' })
  assert.deepEqual([spring.orders, spring.periodOrders, spring.activeMembers], [3, 2, 2])
  assert.deepEqual([spring.periodRevenue, spring.periodAverageOrderValue, spring.periodPurchaseFrequency, spring.periodRepurchaseRate],
    ['29.00', '14.50', '1', '0'])
  await assert.rejects(loyalty.metrics(rows, { asOf, periodStart: '2024-08-01T00:00:00Z' }), (e) =>
    e instanceof loyalty.AnalyticsError && e.code === 'period_after_as_of' && e.field === 'periodStart' &&
    e.value === '2024-08-01T00:00:00+00:00' &&
    e.message === 'period_start: 2024-08-01 00:00:00 UTC is after as_of 2024-07-01 00:00:00 UTC')
  await assert.rejects(loyalty.metrics(rows, { asOf, periodStart: 'yesterday' }), TypeError)
  await assert.rejects(loyalty.analyze({ ...columns, amountMinor: [1, 2] }, { asOf }), /amountMinor: 2 values for 3 member ids/)
  await assert.rejects(loyalty.analyze({ ...columns, amountMinor: [1, 2, 2n ** 64n] }, { asOf }),
    /amountMinor\[2\]: 18446744073709551616n must be a whole number that fits 64 bits/)
  await assert.rejects(loyalty.analyze({ memberId: columns.memberId, orderedAt: columns.orderedAt }, { asOf }), /amountMinor: undefined is not a column/)
  // Yen have no minor unit: 1000 yen of orders are revenue "1000".
  const yen = await loyalty.metrics({ ...columns, amountMinor: [1000, 0, 0] }, { asOf, periodStart: '2024-01-01T00:00:00Z', scale: 0 })
  assert.equal(yen.revenue, '1000')
})

test('more event error codes, each with its field and value, the account unchanged', () => {
  const a = new loyalty.Account('m')
  const t = (d) => `2024-03-${String(d).padStart(2, '0')}T12:00:00Z`
  a.apply(retail, { type: 'joined', id: 'j', occurredAt: t(1) })
  a.apply(retail, { type: 'orderPlaced', id: 'e1', occurredAt: t(2), orderId: 'o1', amount: '20.00' })
  a.apply(retail, { type: 'profileCompleted', id: 'p1', occurredAt: t(3) })
  const before = a.toJson()
  const cases = [
    [{ type: 'orderPlaced', id: 'e2', occurredAt: t(4), orderId: 'o2', amount: '-5' }, 'invalid_field', 'amount', '-5'],
    [{ type: 'orderPlaced', id: 'e3', occurredAt: t(4), orderId: 'o1', amount: '5' }, 'duplicate_order', 'orderId', 'o1'],
    [{ type: 'orderRefunded', id: 'r1', occurredAt: t(5), orderId: 'o1', amount: '25.00' }, 'refund_exceeds_order', 'amount', '25.00'],
    [{ type: 'redemptionCancelled', id: 'c1', occurredAt: t(5), redemptionId: 'nope' }, 'unknown_redemption', 'redemptionId', 'nope'],
    [{ type: 'rewardRedeemed', id: 'w1', occurredAt: t(5), rewardId: 'nope', points: 1000 }, 'unknown_reward', 'rewardId', 'nope'],
    [{ type: 'profileCompleted', id: 'p2', occurredAt: t(6) }, 'limit_reached', 'profile_completed', 'once'],
    [{ type: 'tierAssigned', id: 'ta', occurredAt: t(7), tier: 'Nope', until: t(20), reason: 'x' }, 'invalid_field', 'tier', '"Nope"']
  ]
  for (const [event, code, field, value] of cases) {
    assert.throws(() => a.apply(retail, event), (err) => {
      assert.ok(err instanceof loyalty.EventError)
      assert.deepEqual([err.code, err.field, err.value], [code, field, value])
      return true
    })
  }
  assert.equal(a.toJson(), before)
  assert.throws(() => a.balances(retail, '2024-01-01T00:00:00Z'),
    (err) => err instanceof loyalty.EventError && err.code === 'as_of_before_clock' && err.field === 'asOf')
  assert.throws(() => a.quotePayment(retail, 'abc', null, t(7)),
    (err) => err instanceof loyalty.InvalidInputError && err.code === 'invalid_input' && err.field === 'orderAmount' && err.value === 'abc')
})

test('compact snapshots read back equal; damaged bytes are a SnapshotError', () => {
  const a = new loyalty.Account('m')
  a.apply(retail, { type: 'orderPlaced', id: 'e-1', occurredAt: '2024-05-08T16:00:00Z', orderId: 'o-1', amount: '42.50' })
  const bytes = a.toCompact()
  assert.ok(bytes instanceof Uint8Array && bytes.length < a.toJson().length / 2)
  assert.equal(loyalty.Account.fromCompact(bytes).toJson(), a.toJson())
  assert.throws(() => loyalty.Account.fromCompact(bytes.subarray(0, 10)),
    (err) => err instanceof loyalty.SnapshotError && err.code === 'corrupt' && err.field === 'compact')
  assert.throws(() => loyalty.Account.fromCompact('nope'), TypeError)
})

test('a program object with a fractional number is a TypeError naming its path', () => {
  const config = {
    name: 'Shop', version: 1, currency: 'USD', time_zone: 'UTC', pending_days: 0,
    earning: { rules: [{ name: 'base', points_per_unit: '1' }] },
    redemption: { point_value: 0.01 }
  }
  assert.throws(() => loyalty.Program.fromObject(config), {
    name: 'TypeError',
    message: 'redemption.point_value: 0.01 is a number with a fraction; money and rates must be decimal strings like "0.01"'
  })
  config.redemption.point_value = '0.01'
  config.earning.rules.push({ name: 'vip', points_per_unit: 1.5 })
  assert.throws(() => loyalty.Program.fromObject(config), { name: 'TypeError', message: /^earning\.rules\[1\]\.points_per_unit: 1\.5 / })
  config.earning.rules.pop()
  assert.throws(() => loyalty.Program.fromObject({ ...config, pending_days: Infinity }), {
    name: 'TypeError', message: 'pending_days: Infinity is not a finite number'
  })
  // Whole numbers (days, versions) pass.
  assert.ok(loyalty.Program.fromObject(config) instanceof loyalty.Program)
})

test("the app member's story: advanceTo, tierProgress and the statement", () => {
  // The core's mobile member story (core/tests/stories/mobile_member_story.rs), worked out by
  // hand: retail program, New York, 14 pending days, Silver from 250 spend.
  const mo = new loyalty.Account('mo')
  mo.apply(retail, { type: 'orderPlaced', id: 'e1', occurredAt: '2024-05-08T16:00:00Z', orderId: 'o1', amount: '42.50' })
  mo.apply(retail, { type: 'orderPlaced', id: 'e2', occurredAt: '2024-06-01T16:00:00Z', orderId: 'o2', amount: '600.00' })
  const effects = mo.advanceTo(retail, new Date('2024-06-15T04:00:00Z'))
  assert.deepEqual(effects.map((e) => e.type), ['pendingActivated', 'tierUpgraded'])
  assert.equal(effects[0].points, 600)
  assert.deepEqual([effects[1].from, effects[1].to, effects[1].validUntil.toISOString()], ['Member', 'Silver', '2026-01-01T05:00:00.000Z'])
  // 642.50 spent this year: Gold needs 750 spend or 12 orders (any), Silver keeps at 200.
  const p = mo.tierProgress(retail, '2024-06-15T04:00:00Z')
  assert.equal(p.tier, 'Silver')
  assert.equal(p.validUntil.toISOString(), '2026-01-01T05:00:00.000Z')
  assert.deepEqual(p.metrics, { spend: '642.50', points: 685, orders: 2 })
  assert.equal(p.nextTier, 'Gold')
  assert.deepEqual(p.toNext, [{ metric: 'spend', needed: '107.50' }, { metric: 'orders', needed: '10' }])
  // Silver runs through 2025 and its retain check judges 2025, which has no spend yet.
  assert.deepEqual(p.toKeep, [{ metric: 'spend', needed: '200' }])
  // Two events and two clock instants (the May activation, the June activation with the upgrade).
  const statement = mo.statement()
  assert.deepEqual(statement.map((e) => [e.at.toISOString(), e.eventId, e.effects.length]), [
    ['2024-05-08T16:00:00.000Z', 'e1', 1],
    ['2024-05-22T04:00:00.000Z', null, 1],
    ['2024-06-01T16:00:00.000Z', 'e2', 1],
    ['2024-06-15T04:00:00.000Z', null, 2]
  ])
  // Advancing again to the same instant does nothing.
  assert.deepEqual(mo.advanceTo(retail, '2024-06-15T04:00:00Z'), [])
  assert.equal(new loyalty.Account('x').tierProgress(simple, '2024-01-01T00:00:00Z'), null)
})

test('redemption and debt errors carry their codes', async () => {
  const a = new loyalty.Account('m')
  a.apply(simple, { type: 'orderPlaced', id: 'e1', occurredAt: '2024-01-01T00:00:00Z', orderId: 'o1', amount: '100' })
  a.apply(simple, { type: 'rewardRedeemed', id: 'r1', occurredAt: '2024-01-02T00:00:00Z', rewardId: 'mug', points: 100 })
  a.apply(simple, { type: 'redemptionCancelled', id: 'c1', occurredAt: '2024-01-03T00:00:00Z', redemptionId: 'r1' })
  const again = { type: 'redemptionCancelled', id: 'c2', occurredAt: '2024-01-04T00:00:00Z', redemptionId: 'r1' }
  assert.throws(() => a.apply(simple, again), (err) =>
    err instanceof loyalty.EventError && err.code === 'already_cancelled' && err.field === 'redemptionId' && err.value === 'r1')
  // Spend the 100 points, then return the order: 100 points of debt, and no redemption until repaid.
  a.apply(simple, { type: 'rewardRedeemed', id: 'r2', occurredAt: '2024-01-05T00:00:00Z', rewardId: 'mug', points: 100 })
  a.apply(simple, { type: 'orderRefunded', id: 'f1', occurredAt: '2024-01-06T00:00:00Z', orderId: 'o1', amount: '100' })
  assert.equal(a.balances(simple, '2024-01-06T00:00:00Z').debt, 100)
  const redeem = { type: 'rewardRedeemed', id: 'r3', occurredAt: '2024-01-07T00:00:00Z', rewardId: 'mug', points: 1 }
  assert.throws(() => a.apply(simple, redeem), (err) => err.code === 'debt_outstanding' && err.field === 'points' && err.value === '100')
  // An instant without an offset, on an event too, is a TypeError before the core sees it.
  assert.throws(() => a.apply(simple, { ...redeem, occurredAt: '2024-01-07T00:00:00' }), TypeError)
  // A time zone the analytics do not know is refused as input, by analyze and metrics alike.
  const rows = [{ memberId: 'a', orderedAt: '2024-01-01T00:00:00Z', amountMinor: 1 }]
  await assert.rejects(loyalty.metrics(rows, { asOf: '2024-02-01T00:00:00Z', periodStart: '2024-01-01T00:00:00Z', timeZone: 'Mars/Olympus' }),
    (err) => err instanceof loyalty.InvalidInputError && err.field === 'timeZone')
  await assert.rejects(loyalty.analyze(rows, { asOf: '2024-02-01T00:00:00Z', timeZone: 'Mars/Olympus' }),
    (err) => err instanceof loyalty.InvalidInputError && err.code === 'invalid_input' && err.field === 'timeZone' && err.value === 'Mars/Olympus')
})

test('previewOrder: the points an order would earn, the account unchanged', () => {
  const a = new loyalty.Account('m-p')
  const at = new Date('2024-05-08T16:00:00Z')
  // Retail: 2 points a unit on the 8th (member day) for 42.50: 85, as applying it earns.
  assert.equal(a.previewOrder(retail, '42.50', at), 85)
  assert.equal(a.revision, 0)
  assert.equal(a.apply(retail, { type: 'orderPlaced', id: 'e-1', occurredAt: at, orderId: 'o-1', amount: '42.50' }).effects[0].points, 85)
  assert.throws(() => a.previewOrder(retail, '10.001', at), (err) => err instanceof loyalty.EventError && err.field === 'amount')
  assert.throws(() => a.previewOrder(retail, 42.5, at), (err) => err instanceof loyalty.InvalidInputError && err.field === 'amount')
})
