'use strict'
// The purchase path (plain orders with a Date: outcomes as numbers on a tape, src/tape.rs)
// must give exactly what the JSON path gives: the same outcomes, the same errors, the same
// account afterwards. Each test feeds one account through the fast path and a twin through
// the JSON path (an ISO string instead of a Date sends an event there) and compares.
const test = require('node:test')
const assert = require('node:assert/strict')
const path = require('node:path')
const fs = require('node:fs')
const loyalty = require('..')

const retail = loyalty.Program.fromJson(fs.readFileSync(path.join(__dirname, '..', '..', 'examples', 'programs', 'retail.json'), 'utf8'))

// What the native purchase path answered, call by call: null (the tape), 'N' (the tape, with
// new names), 'J' (JSON) or 'S' (not for this path).
const native = require('../index.js')
const answers = []
const applyOrder = native.applyOrder
native.applyOrder = function (...args) {
  let r
  try {
    r = applyOrder(...args)
  } catch (e) {
    answers.push('E') // the core refused the event
    throw e
  }
  answers.push(r === null ? null : r[0])
  return r
}
/** The answers since the last call. */
function taken () { return answers.splice(0) }

/** The same event for the JSON path. */
function slow (event) {
  return { ...event, occurredAt: event.occurredAt instanceof Date ? event.occurredAt.toISOString() : event.occurredAt }
}

/** Applies to both; returns the fast outcome or error after checking the twin's matches. */
function both (fast, twin, program, event, compareSnapshots = true) {
  let a, b, errA, errB
  try { a = fast.apply(program, event) } catch (e) { errA = e }
  try { b = twin.apply(program, slow(event)) } catch (e) { errB = e }
  if (errA || errB) {
    assert.ok(errA && errB, `one path failed alone: ${errA || errB}`)
    assert.equal(errA.constructor, errB.constructor)
    assert.deepEqual([errA.code, errA.field, errA.value, errA.message], [errB.code, errB.field, errB.value, errB.message])
  } else {
    assert.deepStrictEqual(a, b)
  }
  if (compareSnapshots) assert.equal(fast.toJson(), twin.toJson())
  return errA || a
}

const DAY = 86400000

test('two years of orders: earning, activation, tiers, expiry and warnings match the JSON path', () => {
  const fast = new loyalty.Account('m-1')
  const twin = new loyalty.Account('m-1')
  const kinds = new Set()
  let t = Date.UTC(2024, 0, 3, 15, 0, 0)
  for (let i = 0; i < 60; i++) {
    // Irregular gaps (2 to 40 days) so points expire and warnings fire between orders; the
    // 8th of a month is member day (two rule names); some orders name a channel.
    t += (2 + (i * 17) % 39) * DAY
    const event = { type: 'orderPlaced', id: `e-${i}`, occurredAt: new Date(t), orderId: `o-${i}`, amount: (10 + (i * 37) % 300).toFixed(2) }
    if (i % 7 === 3) event.channel = 'store'
    if (i % 11 === 5) event.occurredAt = new Date(Date.UTC(2024 + Math.floor(i / 30), i % 12, 8, 15))
    if (event.occurredAt.getTime() < t) event.occurredAt = new Date(t)
    const out = both(fast, twin, retail, event)
    if (out instanceof Error) continue
    for (const e of out.effects) kinds.add(e.type)
  }
  const paths = taken()
  assert.equal(paths.length, 60, 'every order took the fast path')
  // Every accepted order on the tape (the core refused two that came before the clock).
  assert.deepEqual(paths.filter((p) => p !== null && p !== 'N'), ['E', 'E'], `all on the tape: ${paths}`)
  assert.ok(paths.includes('N'), `new names: ${paths}`)
  for (const kind of ['pointsEarned', 'pendingActivated', 'pointsExpired', 'pointsExpiringSoon', 'tierUpgraded', 'tierRetained']) {
    assert.ok(kinds.has(kind), `no ${kind} in ${[...kinds]}`)
  }
})

test('replays, conflicts and refused events are the JSON path\'s, the account unchanged', () => {
  const fast = new loyalty.Account('m-2')
  const twin = new loyalty.Account('m-2')
  const at = new Date('2024-05-08T16:00:00.250Z')
  const order = { type: 'orderPlaced', id: 'e-1', occurredAt: at, orderId: 'o-1', amount: '42.50' }
  both(fast, twin, retail, order)
  const replay = both(fast, twin, retail, { ...order })
  assert.equal(replay.duplicate, true)
  assert.equal(replay.effects[0].points, 85)
  const cases = [
    { ...order, amount: '42.51' }, // the same id, another payload
    { ...order, id: 'e-2' }, // the same order id again
    { ...order, id: 'e-3', orderId: 'o-3', occurredAt: new Date('2024-05-01T00:00:00Z') }, // before the clock
    { ...order, id: 'e-4', orderId: 'o-4', amount: 'abc' }, // not a decimal
    { ...order, id: 'e-5', orderId: 'o-5', amount: '-3' }, // negative
    { ...order, id: 'e-6', orderId: 'o-6', occurredAt: new Date(Date.UTC(10000, 0, 1)) } // past 9999
  ]
  taken()
  for (const event of cases) {
    const err = both(fast, twin, retail, event)
    assert.ok(err instanceof Error, `${JSON.stringify(event)} was accepted`)
  }
  // The core refused four on the fast path; the native side sent the amount that is not a
  // decimal and the year past 9999 to the JSON path, which named them.
  assert.deepEqual(taken(), ['E', 'E', 'E', 'S', 'E', 'S'])
  // An invalid Date is the same TypeError on both paths.
  assert.throws(() => fast.apply(retail, { ...order, id: 'e-7', occurredAt: new Date(NaN) }), { name: 'TypeError', message: 'occurredAt: invalid Date' })
})

test('the fast path takes a null channel, empty lines and keys left undefined', () => {
  const fast = new loyalty.Account('m-3')
  const twin = new loyalty.Account('m-3')
  const base = Date.UTC(2024, 2, 1, 12)
  const events = [
    { id: 'c', orderId: 'oc', amount: '7', channel: null },
    { id: 'd', orderId: 'od', amount: '7', lines: [] },
    { id: 'e', orderId: 'oe', amount: '7', channel: 'store', note: undefined },
    { id: 'f', orderId: 'of', amount: '0.5' } // below the program's minimum order: no points
  ]
  taken()
  events.forEach((e, i) => {
    const out = both(fast, twin, retail, { type: 'orderPlaced', occurredAt: new Date(base + i * DAY), ...e })
    assert.ok(!(out instanceof Error), `${e.id}: ${out}`)
  })
  // The first three on the tape (one with a new name), the last as JSON (noPointsEarned).
  assert.deepEqual(taken().map((p) => p === 'N' ? null : p), [null, null, null, 'J'])
  // Scientific notation is not an amount on either path: both refuse it, naming the field.
  const sci = both(fast, twin, retail, { type: 'orderPlaced', id: 'a', occurredAt: new Date(base + 9 * DAY), orderId: 'oa', amount: '1e2' })
  assert.ok(sci instanceof loyalty.EventError && sci.field === 'amount', String(sci))
})

test('what the fast path cannot take exactly goes the JSON path, with the same result', () => {
  const fast = new loyalty.Account('m-6')
  const twin = new loyalty.Account('m-6')
  const base = Date.UTC(2024, 2, 1, 12)
  class Order {
    constructor (id) { Object.assign(this, { type: 'orderPlaced', id, occurredAt: new Date(base), orderId: 'o' + id, amount: '9', store: 'x' }) }
    get channel () { return 'web' } // inherited: the JSON path does not read it
  }
  class Instant extends Date {}
  const events = [
    { id: 'b\u0000x', orderId: 'ob', amount: '5' }, // a NUL in an id
    { id: 'g', orderId: 'og', order_id: 'og2', amount: '3' }, // a snake_case twin (the later key wins)
    { id: 'h\ud800', orderId: 'oh', amount: '3' }, // a lone surrogate: the JSON path refuses it
    { id: 'i', orderId: 'oi', amount: '3', lines: [{ sku: 's', amount: 3 }] }, // a number for money
    { id: 'l', orderId: 'ol', amount: '3', lines: [{ sku: 's', amount: '3', note: 'x' }] }, // a key beyond a line's
    { id: 'm', orderId: 'om', amount: '3', lines: new Array(1) }, // a hole
    { id: 'n', orderId: 'on', amount: '3', lines: [Object.create({ sku: 's', amount: '3' })] }, // inherited fields
    { id: 'p', orderId: 'op', amount: '3', lines: [{ sku: 's\u0000', amount: '3' }] } // a NUL in a SKU
  ]
  taken()
  const outcomes = events.map((e, i) => both(fast, twin, retail, { type: 'orderPlaced', occurredAt: new Date(base + i * DAY), ...e }))
  assert.ok(outcomes[2] instanceof loyalty.EventError && outcomes[2].field === 'event', `a lone surrogate is refused: ${outcomes[2]}`)
  // A NUL in an id or a SKU, and a key beyond a line's, are refused by the core, by field.
  assert.deepEqual([outcomes[0].field, outcomes[4].field, outcomes[7].field], ['id', 'lines[0].note', 'lines[0].sku'])
  assert.ok(JSON.parse(fast.toJson()).orders.og2, 'the order is recorded under the snake_case id')
  // The class's own key beyond an order's is refused on the JSON path, by name.
  const inherited = both(fast, twin, retail, Object.assign(new Order('j'), { occurredAt: new Date(base + 9 * DAY) }))
  assert.ok(inherited instanceof loyalty.EventError && inherited.field === 'store', String(inherited))
  const subclass = both(fast, twin, retail, { type: 'orderPlaced', id: 'k', occurredAt: new Instant(base + 10 * DAY), orderId: 'ok', amount: '2' })
  assert.ok(!(subclass instanceof Error), String(subclass))
  // None of them reached the native purchase path.
  assert.deepEqual(taken(), [])
})

test('a member who stops buying: the warning comes as JSON, the downgrade on the tape', () => {
  const fast = new loyalty.Account('m-7')
  const twin = new loyalty.Account('m-7')
  const at = (y, m, d) => new Date(Date.UTC(y, m - 1, d, 15))
  // Six orders of 400 in early 2024 reach Platinum (valid through 2025); in 2025 the member
  // spends 350, enough to retain Silver only.
  const orders = [at(2024, 1, 2), at(2024, 1, 9), at(2024, 1, 16), at(2024, 1, 23), at(2024, 1, 30), at(2024, 2, 6)].map((d) => [d, '400'])
  orders.push([at(2024, 3, 1), '10'], [at(2025, 6, 1), '300'], [at(2025, 12, 10), '50'], [at(2026, 1, 15), '10'], [at(2026, 3, 1), '10'])
  taken()
  const tiers = orders.map(([d, amount], i) => {
    const out = both(fast, twin, retail, { type: 'orderPlaced', id: `e${i}`, occurredAt: d, orderId: `o${i}`, amount })
    assert.ok(!(out instanceof Error), String(out))
    return out.effects.filter((e) => e.type.startsWith('tier'))
  })
  const until = (y) => new Date(Date.UTC(y, 0, 1, 5)) // midnight in New York
  const up = (from, to, rewardPoints, rewardId) => ({ type: 'tierUpgraded', from, to, validUntil: until(2026), reason: 'qualified', rewardPoints, rewardId })
  // Spend counts once the 14-day pending period ends: 400 by Jan 16, 800 by Jan 23, 2,400 by
  // March. The 2025 warnings name what is missing of Platinum's 1,600 retain spend: 1,300
  // while the December order is pending, 1,250 once it counts; the downgrade waits out the
  // 30-day grace period and requalifies on 350 of 2025 spend (Silver retains at 200).
  assert.deepEqual(tiers, [
    [], [], [up('Member', 'Silver', null, null)], [up('Silver', 'Gold', 250, null)], [], [],
    [up('Gold', 'Platinum', 1000, 'platinum-welcome-box')], [],
    [{ type: 'tierWillDowngrade', tier: 'Platinum', on: until(2026), missing: [{ metric: 'spend', needed: '1300' }] }],
    [{ type: 'tierWillDowngrade', tier: 'Platinum', on: new Date(Date.UTC(2026, 0, 31, 5)), missing: [{ metric: 'spend', needed: '1250' }] }],
    [{ type: 'tierDowngraded', from: 'Platinum', to: 'Silver', reason: 'not_retained', validUntil: until(2027) }]
  ])
  // Upgrades and the downgrade on the tape, the warnings (with their missing metrics) as JSON.
  assert.deepEqual(taken().map((p) => p === 'N' ? null : p), [null, null, null, null, null, null, null, null, 'J', 'J', null])
})

test('orders with lines: category rules, discounts and categories left out match the JSON path', () => {
  const fast = new loyalty.Account('m-10')
  const twin = new loyalty.Account('m-10')
  const at = new Date(Date.UTC(2024, 4, 14, 15)) // not the 8th: no member-day multiplier
  taken()
  const vinyl = both(fast, twin, retail, {
    type: 'orderPlaced', id: 'e1', occurredAt: at, orderId: 'o1', amount: '30.00',
    lines: [{ sku: 'lp-1', category: 'vinyl', amount: '20.00', discount: '5.00' }, { sku: 'cd-1', category: null, amount: '10.00' }]
  })
  // Vinyl earns 2 a dollar (40), the rest 1 (10): 50 points, by both rules.
  const earned = vinyl.effects.find((e) => e.type === 'pointsEarned')
  assert.deepEqual([earned.points, earned.rules], [50, ['vinyl_double', 'base']])
  const plain = both(fast, twin, retail, {
    type: 'orderPlaced', id: 'e2', occurredAt: new Date(at.getTime() + 86400000), orderId: 'o2', amount: '7.50',
    channel: 'store', lines: [{ sku: 'x', amount: '7.50', discount: undefined }]
  })
  assert.deepEqual(plain.effects.find((e) => e.type === 'pointsEarned').points, 7)
  // An empty category: the same error, naming the line, on both paths.
  const empty = both(fast, twin, retail, {
    type: 'orderPlaced', id: 'e4', occurredAt: new Date(at.getTime() + 86400000), orderId: 'o4', amount: '7.50',
    lines: [{ sku: 'x', category: '', amount: '7.50' }]
  })
  assert.equal(empty.field, 'lines[0].category')
  // Lines more than the order's amount: the core refuses them on both paths.
  const over = both(fast, twin, retail, {
    type: 'orderPlaced', id: 'e3', occurredAt: new Date(at.getTime() + 2 * 86400000), orderId: 'o3', amount: '1.00',
    lines: [{ sku: 'x', amount: '2.00' }]
  })
  assert.ok(over instanceof loyalty.EventError, String(over))
  const stored = JSON.parse(fast.toJson()).orders
  assert.deepEqual(Object.keys(stored).sort(), ['o1', 'o2'])
  assert.deepEqual(taken().map((p) => p === 'N' ? null : p), [null, null, 'E', 'E'])
})

test('a name with a NUL never reaches the tape: the program refuses it', () => {
  // New names cross NUL-terminated; since names may not hold control characters, the
  // program itself refuses one, naming the field.
  assert.throws(() => loyalty.Program.fromObject({
    name: 'Quick', version: 1, currency: 'USD', time_zone: 'UTC',
    earning: { rules: [{ name: 'base', points_per_unit: '1' }], multipliers: [{ name: 'day\u0000two', factor: '2', when: { kind: 'month_days', days: [2] } }] },
    redemption: { point_value: '0.01' }
  }), (err) => {
    assert.ok(err instanceof loyalty.ProgramError)
    assert.deepEqual([err.code, err.field, err.value], ['invalid', 'earning.multipliers[0].name', '"day\\0two"'])
    return true
  })
})

test('an outcome longer than the tape comes as JSON', () => {
  const program = loyalty.Program.fromObject({
    name: 'Tiny', version: 1, currency: 'USD', time_zone: 'UTC',
    earning: { rules: [{ name: 'base', points_per_unit: '1' }] },
    expiry: { kind: 'rolling_months', months: 1 },
    redemption: { point_value: '0.01' }
  })
  const fast = new loyalty.Account('m-4')
  const twin = new loyalty.Account('m-4')
  const t = Date.UTC(2024, 0, 1)
  // 1,100 lots credited within a day expire together: one pointsExpired with 1,100 lots.
  for (let i = 0; i < 1100; i++) {
    both(fast, twin, program, { type: 'orderPlaced', id: `e${i}`, occurredAt: new Date(t + i * 60000), orderId: `o${i}`, amount: '1' }, false)
  }
  const out = both(fast, twin, program, { type: 'orderPlaced', id: 'late', occurredAt: new Date(Date.UTC(2024, 3, 1)), orderId: 'late', amount: '1' })
  const expired = out.effects.find((e) => e.type === 'pointsExpired')
  assert.equal(expired.lots.length, 1100)
  assert.equal(expired.points, 1100)
  assert.ok(expired.at instanceof Date)
})

test('rule names cross once per program and stay in step across accounts, programs and wrappers', () => {
  const shop = loyalty.Program.fromJson(fs.readFileSync(path.join(__dirname, '..', '..', 'examples', 'programs', 'retail.json'), 'utf8'))
  const other = loyalty.Program.fromObject({
    name: 'Other', version: 1, currency: 'USD', time_zone: 'UTC',
    earning: { rules: [{ name: 'everything', points_per_unit: '3' }], multipliers: [{ name: 'member_day', factor: '2', when: { kind: 'month_days', days: [8] } }] },
    redemption: { point_value: '0.01' }
  })
  // A second wrapper of the same native program shares its names.
  const shopAgain = new loyalty.Program(shop._native)
  const a = new loyalty.Account('m-5')
  const b = new loyalty.Account('m-9')
  const seen = []
  const day = (d) => new Date(Date.UTC(2024, 4, d, 15))
  taken()
  for (const [account, program, d] of [[a, shop, 7], [a, other, 8], [b, shopAgain, 8], [a, other, 9], [b, shop, 9], [a, shopAgain, 10]]) {
    const out = account.apply(program, { type: 'orderPlaced', id: `e${seen.length}`, occurredAt: day(d), orderId: `o${seen.length}`, amount: '10' })
    seen.push(out.effects.find((e) => e.type === 'pointsEarned').rules)
  }
  assert.deepEqual(seen, [['base'], ['everything', 'member_day'], ['base', 'member_day'], ['everything'], ['base'], ['base']])
  assert.deepEqual(taken(), ['N', 'N', 'N', null, null, null])
})
