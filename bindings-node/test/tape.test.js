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
  // The tape's four kinds and a kind it leaves to JSON all occurred.
  for (const kind of ['pointsEarned', 'pendingActivated', 'pointsExpired', 'pointsExpiringSoon', 'tierUpgraded']) {
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
  for (const event of cases) {
    const err = both(fast, twin, retail, event)
    assert.ok(err instanceof Error, `${JSON.stringify(event)} was accepted`)
  }
  // An invalid Date is the same TypeError on both paths.
  assert.throws(() => fast.apply(retail, { ...order, id: 'e-7', occurredAt: new Date(NaN) }), { name: 'TypeError', message: 'occurredAt: invalid Date' })
})

test('what the fast path does not take goes the JSON path, with the same result', () => {
  const fast = new loyalty.Account('m-3')
  const twin = new loyalty.Account('m-3')
  const base = Date.UTC(2024, 2, 1, 12)
  const events = [
    { id: 'a', orderId: 'oa', amount: '1e2' }, // scientific: the JSON path reads it
    { id: 'b\u0000x', orderId: 'ob', amount: '5' }, // a NUL in an id
    { id: 'c', orderId: 'oc', amount: '7', channel: null }, // a null channel
    { id: 'd', orderId: 'od', amount: '7', lines: [] }, // no lines
    { id: 'e', orderId: 'oe', amount: '7', extra: 'ignored' }, // a key the event does not have
    { id: 'f', orderId: 'of', amount: '0.5' } // below the program's minimum order
  ]
  events.forEach((e, i) => {
    const out = both(fast, twin, retail, { type: 'orderPlaced', occurredAt: new Date(base + i * DAY), ...e })
    assert.ok(!(out instanceof Error), `${e.id}: ${out}`)
  })
  // A snake_case twin of a field overrides it on the JSON path (the later key wins): the
  // event must go there, or the accounts would record different orders.
  const out = both(fast, twin, retail, { type: 'orderPlaced', id: 'g', occurredAt: new Date(base + 9 * DAY), orderId: 'og', order_id: 'og2', amount: '3' })
  assert.ok(!(out instanceof Error), String(out))
  assert.ok(JSON.parse(fast.toJson()).orders.og2, 'the order is recorded under the snake_case id')
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

test('rule names cross once per program and stay in step across accounts and programs', () => {
  const shop = loyalty.Program.fromJson(fs.readFileSync(path.join(__dirname, '..', '..', 'examples', 'programs', 'retail.json'), 'utf8'))
  const other = loyalty.Program.fromObject({
    name: 'Other', version: 1, currency: 'USD', time_zone: 'UTC',
    earning: { rules: [{ name: 'everything', points_per_unit: '3' }], multipliers: [{ name: 'member_day', factor: '2', when: { kind: 'month_days', days: [8] } }] },
    redemption: { point_value: '0.01' }
  })
  const a = new loyalty.Account('m-5')
  const seen = []
  const day = (d) => new Date(Date.UTC(2024, 4, d, 15))
  for (const [program, d] of [[shop, 7], [other, 8], [shop, 8], [other, 9], [shop, 9]]) {
    const out = a.apply(program, { type: 'orderPlaced', id: `e${seen.length}`, occurredAt: day(d), orderId: `o${seen.length}`, amount: '10' })
    seen.push(out.effects.find((e) => e.type === 'pointsEarned').rules)
  }
  assert.deepEqual(seen, [['base'], ['everything', 'member_day'], ['base', 'member_day'], ['everything'], ['base']])
  assert.deepEqual(shop._names, ['base', 'member_day'])
  assert.deepEqual(other._names, ['everything', 'member_day'])
})
