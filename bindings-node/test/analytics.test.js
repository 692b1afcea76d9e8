'use strict'
// Node at parity with Python: the CLV models on the CDNOW sample (the published estimates of
// Fader, Hardie and Lee 2005, as the Python tests check them), cohorts and preferences worked
// by hand (the same data as bindings-python/tests), results as typed-array columns.
const test = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const path = require('node:path')
const loyalty = require('..')

const ROOT = path.join(__dirname, '..', '..')

/** The CDNOW sample (2,357 customers) as order columns: member, day (Unix seconds), cents. */
function sample () {
  const lines = fs.readFileSync(path.join(ROOT, 'examples', 'data', 'CDNOW_sample.txt'), 'utf8').trim().split('\n')
  const n = lines.length
  const cols = { memberId: new BigUint64Array(n), orderedAt: new BigInt64Array(n), amountMinor: new BigInt64Array(n) }
  lines.forEach((line, i) => {
    const [, id, date, , value] = line.trim().split(/\s+/)
    cols.memberId[i] = BigInt(id)
    cols.orderedAt[i] = BigInt(Date.UTC(+date.slice(0, 4), +date.slice(4, 6) - 1, +date.slice(6, 8)) / 1000)
    cols.amountMinor[i] = BigInt(value.replace('.', ''))
  })
  return cols
}

const round = (x, digits) => Math.round(x * 10 ** digits) / 10 ** digits

test('CLV: BG/NBD and Gamma-Gamma reach the published estimates on the CDNOW sample', async () => {
  const s = await loyalty.clv.summary(sample(), { calibrationEnd: '1997-09-30', holdoutEnd: '1998-06-30' })
  assert.equal(s.length, 2357)
  assert.ok(s.frequency instanceof Float64Array && s.recency instanceof Float64Array && s.T instanceof Float64Array)
  const bg = await loyalty.clv.BgNbd.fit(s)
  assert.deepEqual([bg.r, bg.alpha, bg.a, bg.b].map((x) => round(x, 3)), [0.243, 4.414, 0.793, 2.426])
  assert.equal(round(bg.logLikelihood, 1), -9582.4)
  // The paper's worked customer (id 1: 2 repeats, last at 30.43 weeks, T = 38.86) expects
  // 1.226 purchases in the next 39 weeks.
  const first = Array.from(s.memberId).indexOf(1n)
  assert.deepEqual([s.frequency[first], round(s.recency[first], 2), round(s.T[first], 2)], [2, 30.43, 38.86])
  const p = await bg.predict(s, 39)
  assert.equal(round(p.expectedPurchases[first], 3), 1.226)
  assert.ok(p.pAlive[first] > 0 && p.pAlive[first] <= 1)
  // The churn risk follows the thresholds exactly; members without repeats are alive (low).
  assert.deepEqual(p.churnRisk, Array.from(p.pAlive, (x) => (x < 0.3 ? 'high' : x >= 0.7 ? 'low' : 'medium')))
  assert.ok(p.churnRisk.includes('high') && p.churnRisk.includes('medium'))
  await assert.rejects(bg.predict(s, 39, { churnThresholds: [0.8, 0.2] }), loyalty.ClvError)

  const gg = await loyalty.clv.GammaGamma.fit(s)
  assert.deepEqual([gg.p, gg.q, gg.gamma].map((x) => round(x, 2)), [6.25, 3.74, 15.44])
  const value = await gg.expectedValue(s)
  // Without repeats, the population mean p * gamma / (q - 1) = 6.2496 * 15.4435 / 2.7442.
  const none = Array.from(s.frequency).indexOf(0)
  assert.equal(round(value[none], 4), 35.1704)
  // Customer 1: two repeats averaging 22.345, weighted against the population mean.
  assert.equal(round(value[first], 4), 24.6539)
  // Undiscounted, the per-week increments telescope: value per purchase x purchases in 39 weeks.
  const ltv = await gg.lifetimeValue(s, bg, 39)
  const most = Math.max(...Array.from(ltv, (v, i) => Math.abs(v - value[i] * p.expectedPurchases[i])))
  assert.ok(most < 1e-9, `${most}`)
  const discounted = await gg.lifetimeValue(s, bg, 39, 0.01)
  assert.ok(discounted[first] > 0 && discounted[first] < ltv[first])
  await assert.rejects(gg.lifetimeValue(s, bg, 39, -0.5), (e) =>
    e instanceof loyalty.ClvError && e.message === 'discount_rate: -0.5 must be a finite rate of at least 0')
})

test('CLV: purchase probabilities sum to one and the population curve has the expected mean', async () => {
  const bg = new loyalty.clv.BgNbd(0.243, 4.414, 0.793, 2.426)
  const curve = bg.population([0, 39, 78], 400)
  assert.deepEqual(curve.t, [0, 39, 78])
  // At t = 0 nobody has bought: P(X = 0) = 1, E[X] = 0.
  assert.ok(Math.abs(curve.p[0][0] - 1) < 1e-12 && Math.abs(curve.expectedPurchases[0]) < 1e-12, `${curve.p[0][0]}`)
  curve.p.forEach((row, i) => {
    // A heavy tail (r < 1): 400 purchases leave less than 1e-7 of it out.
    assert.ok(Math.abs(row.reduce((a, b) => a + b, 0) - 1) < 1e-7)
    const mean = row.reduce((acc, pk, k) => acc + k * pk, 0)
    assert.ok(Math.abs(mean - curve.expectedPurchases[i]) <= 1e-4 * curve.expectedPurchases[i], `${mean} vs ${curve.expectedPurchases[i]}`)
  })
  assert.ok(curve.expectedPurchases[1] < curve.expectedPurchases[2])
  assert.throws(() => bg.population([1, -2]), (e) =>
    e instanceof loyalty.ClvError && e.field === 't' && e.value === '-2' && e.message === 't: -2 must be a finite number of periods, at least 0')
  const s = { frequency: [2, 0], recency: [30.43, 0], T: [38.86, 38.86] }
  const probs = await bg.purchaseProbabilities(s, 39, 40)
  assert.equal(probs.length, 41)
  for (const i of [0, 1]) assert.ok(Math.abs(probs.reduce((acc, col) => acc + col[i], 0) - 1) < 1e-6)
  assert.throws(() => bg.population([1], -1), loyalty.ClvError)
})

test('CLV: bad customers are typed errors naming the row', async () => {
  await assert.rejects(loyalty.clv.BgNbd.fit({ frequency: [1], recency: [5], T: [4] }), (e) =>
    e instanceof loyalty.ClvError && e.message === 'recency[0]: 5 must not exceed T' && e.field === 'recency[0]' && e.code === 'invalid')
  await assert.rejects(loyalty.clv.BgNbd.fit({ frequency: [1, -1], recency: [2, 0], T: [4, 4] }), (e) =>
    e instanceof loyalty.InvalidInputError && e.field === 'frequency[1]' && e.value === '-1')
  await assert.rejects(loyalty.clv.BgNbd.fit({ frequency: [1], recency: [2, 3], T: [4] }), (e) => e.field === 'recency')
  await assert.rejects(loyalty.clv.summary(sample(), { calibrationEnd: '1997-02-30' }), (e) =>
    e instanceof loyalty.InvalidInputError && e.field === 'calibrationEnd' && e.value === '"1997-02-30"')
  await assert.rejects(loyalty.clv.summary(sample(), { calibrationEnd: '1997-09-30', unit: 'month' }), (e) => e.field === 'unit')
})

const ROWS = [
  { memberId: 'ann', orderedAt: '2024-01-05T00:00:00Z', amountMinor: 1000 },
  { memberId: 'ann', orderedAt: '2024-06-20T00:00:00Z', amountMinor: 2500 },
  { memberId: 'bob', orderedAt: '2024-03-01T00:00:00Z', amountMinor: 400 },
  { memberId: 'cat', orderedAt: '2023-12-01T00:00:00Z', amountMinor: 9900 },
  { memberId: 'cat', orderedAt: '2024-02-01T00:00:00Z', amountMinor: 100 },
  { memberId: 'cat', orderedAt: '2024-06-30T23:00:00Z', amountMinor: 50 }
]

test('cohorts: the retention matrix, long form, worked by hand', async () => {
  const c = await loyalty.cohorts(ROWS, { asOf: '2024-07-01T00:00:00Z' })
  const of = (month) => c.cohort.map((m, i) => [m, i]).filter(([m]) => m === month).map(([, i]) => i)
  // cat's cohort is December 2023: orders in months 0, 2 and 6 (December, February, June).
  assert.deepEqual(of('2023-12').map((i) => c.active[i]), [1, 0, 1, 0, 0, 0, 1])
  assert.deepEqual(of('2023-12').map((i) => c.monthsSince[i]), [0, 1, 2, 3, 4, 5, 6])
  // ann's cohort is January (orders in months 0 and 5), bob's March (month 0 only).
  assert.deepEqual(of('2024-01').map((i) => c.active[i]), [1, 0, 0, 0, 0, 1])
  assert.deepEqual(of('2024-03').map((i) => [c.members[i], c.active[i]]), [[1, 1], [1, 0], [1, 0], [1, 0]])
  await assert.rejects(loyalty.cohorts(ROWS, { asOf: '2024-07-01T00:00:00Z', timezone: 'UTC' }), (e) => e.field === 'timezone')
})

const LINES = {
  memberId: ['ann', 'ann', 'ann', 'bob', 'bob', 'cid'],
  orderId: ['a1', 'a1', 'a2', 'b1', 'b2', 'c1'],
  category: ['shoes', 'socks', 'shoes', 'books', 'books', 'toys'],
  amountMinor: [1500, 900, 500, 3000, 5000, 250],
  discountMinor: [0, 100, 0, 0, 0, 50]
}

test('preferences: top category, price band and promotion sensitivity worked by hand', async () => {
  const out = await loyalty.preferences(LINES, { priceBands: [1000, 3000] })
  assert.deepEqual(out.memberId, ['ann', 'bob', 'cid'])
  // ann: shoes 20.00 of 29.00 over 3 lines (mean 9.67 < 10.00: low), 1 of 2 orders discounted.
  assert.deepEqual([out.topCategory[0], out.topCategoryMinor[0], out.spendMinor[0], out.lines[0]], ['shoes', 2000n, 2900n, 3])
  assert.deepEqual([out.priceBand[0], out.orders[0], out.discountedOrders[0], out.promotion[0]], ['low', 2, 1, 'high'])
  // bob: books, mean 40.00 >= 30.00: high; no discounts. cid: one discounted order of one.
  assert.deepEqual([out.topCategory[1], out.priceBand[1], out.promotion[1]], ['books', 'high', 'low'])
  assert.deepEqual([out.topCategory[2], out.priceBand[2], out.promotion[2]], ['toys', 'low', 'high'])
  assert.deepEqual(out.priceBands, [1000n, 3000n])
  // Fitted by rank: means 2.50 (cid), 9.66 (ann), 40.00 (bob): one per band, bounds 9.66 and 40.00.
  const fitted = await loyalty.preferences(LINES)
  assert.deepEqual(fitted.priceBands, [966n, 4000n])
  assert.deepEqual(fitted.priceBand, ['mid', 'high', 'low'])
  // Rows in, the same answer; a tie for the top category goes to the smallest label.
  const rows = LINES.memberId.map((memberId, i) => ({ memberId, orderId: LINES.orderId[i], category: LINES.category[i], amountMinor: LINES.amountMinor[i], discountMinor: LINES.discountMinor[i] }))
  assert.deepEqual(loyalty.rows(await loyalty.preferences(rows)), loyalty.rows(fitted))
  const tie = await loyalty.preferences({ memberId: [1, 1], orderId: [1, 2], category: ['zines', 'art'], amountMinor: [500, 500] })
  assert.deepEqual([tie.memberId[0], tie.topCategory[0]], [1, 'art'])
  await assert.rejects(loyalty.preferences({ ...LINES, discountMinor: [0, 0, 0, 0, 0, -100] }), (e) => e instanceof loyalty.AnalyticsError)
  await assert.rejects(loyalty.preferences(LINES, { priceBands: [1000] }), (e) => e.field === 'priceBands')
})
