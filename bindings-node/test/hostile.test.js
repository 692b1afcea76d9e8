'use strict'
// The bad-input catalogue through Node, by class (DESIGN.md, "Bad input"): each case asserts
// the error's class, code and field, and that a refused event leaves the snapshot as it was.
const test = require('node:test')
const assert = require('node:assert/strict')
const loyalty = require('..')

const shop = loyalty.Program.fromObject({
  name: 'Shop', version: 1, currency: 'USD', time_zone: 'UTC',
  earning: { rules: [{ name: 'base', points_per_unit: '1' }] },
  redemption: { point_value: '0.01' }
})
const at = (day) => new Date(Date.UTC(2024, 4, day, 12))

function member () {
  const a = new loyalty.Account('m-1')
  a.apply(shop, { type: 'orderPlaced', id: 'e1', occurredAt: at(1), orderId: 'o1', amount: '80.00' })
  return a
}

/** Expects `fn` to throw `Cls` with `code` and `field`, and `account` (if any) unchanged. */
function refused (account, fn, Cls, code, field) {
  const before = account && account.toJson()
  assert.throws(fn, (err) => {
    assert.ok(err instanceof Cls, `${err.name}: ${err.message}`)
    assert.ok(err instanceof loyalty.LoyaltyError)
    assert.deepEqual([err.code, err.field], [code, field], err.message)
    return true
  })
  if (account) assert.equal(account.toJson(), before)
}

test('class 1: the halves of a transfer are refused from apply', () => {
  const a = member()
  refused(a, () => a.apply(shop, {
    type: 'pointsReceived', id: 'x', occurredAt: at(2), fromMemberId: 'nobody',
    lots: [{ points: 1000000000000, earnedAt: at(2) }]
  }), loyalty.EventError, 'invalid_field', 'type')
  refused(a, () => a.apply(shop, { type: 'pointsSent', id: 'y', occurredAt: at(2), toMemberId: 'b', points: 10 }),
    loyalty.EventError, 'invalid_field', 'type')
})

test('class 3: unknown fields, lenient numbers and trailing text are refused by name', () => {
  const a = member()
  refused(a, () => a.apply(shop, { type: 'orderPlaced', id: 'e2', occurredAt: at(2), orderId: 'o2', amount: '5.00', chanel: 'app' }),
    loyalty.EventError, 'invalid_field', 'chanel')
  refused(a, () => a.apply(shop, { type: 'orderPlaced', id: 'e2', occurredAt: at(2), orderId: 'o2', amount: '5_000' }),
    loyalty.EventError, 'invalid_field', 'amount')
  refused(a, () => a.apply(shop, { type: 'orderPlaced', id: 'e2', occurredAt: at(2), orderId: 'o2', amount: '10.001' }),
    loyalty.EventError, 'invalid_field', 'amount')
  refused(a, () => a.apply(shop, { type: 'checkedIn', id: 'c', occurredAt: at(2), points: 500 }),
    loyalty.EventError, 'invalid_field', 'points')
  refused(null, () => loyalty.Program.fromJson(shop.toJson() + '{"junk": 1}'), loyalty.ProgramError, 'parse', '.')
  refused(null, () => loyalty.Account.fromJson(a.toJson() + a.toJson()), loyalty.SnapshotError, 'parse', '.')
  refused(null, () => loyalty.Program.fromObject({ ...JSON.parse(shop.toJson()), currency: 'ABC' }),
    loyalty.ProgramError, 'invalid', 'currency')
})

test('class 4: numbers are whole or refused, never truncated', () => {
  const a = member()
  const b = new loyalty.Account('m-2')
  for (const bad of [1.5, NaN, Infinity, '10', null]) {
    refused(a, () => loyalty.transfer(shop, a, b, 't1', at(2), bad), loyalty.InvalidInputError, 'invalid_input', 'points')
  }
  assert.equal(b.balances(shop, at(2)).available, 0)
  for (const bad of [50.9, NaN, '50']) {
    refused(a, () => a.quotePayment(shop, '10.00', bad, at(2)), loyalty.InvalidInputError, 'invalid_input', 'requested')
  }
  refused(a, () => a.quotePayment(shop, '10.00', -500, at(2)), loyalty.EventError, 'invalid_field', 'requested')
  // A BigInt in the safe range is a whole number.
  const t = loyalty.transfer(shop, a, b, 't2', at(2), 30n)
  assert.equal(t.received.effects[0].points, 30)
})

test('class 4: member ids are one kind, and 1 and 1n are one member', async () => {
  const asOf = new Date(Date.UTC(2024, 6, 1))
  const rows = (ids) => ids.map((memberId, i) => ({ memberId, orderedAt: at(1 + i), amountMinor: 100 }))
  const scores = loyalty.rows(await loyalty.analyze(rows([1, 1n, 2]), { asOf }))
  assert.deepEqual(scores.map((s) => [s.memberId, s.frequency]), [[1, 2], [2, 1]])
  for (const [ids, field] of [[[1, '1'], 'memberId[1]'], [[null], 'memberId[0]'], [['a', 1.5], 'memberId[1]'], [[-1], 'memberId[0]']]) {
    await assert.rejects(loyalty.analyze(rows(ids), { asOf }), (err) => {
      assert.ok(err instanceof loyalty.InvalidInputError, err.message)
      assert.equal(err.field, field)
      return true
    })
  }
})

test('class 4: a scale outside 0 to 18 is an input error naming it', async () => {
  const rows = [{ memberId: 1, orderedAt: at(1), amountMinor: 100 }]
  for (const bad of [40, -1, 1.5, '2']) {
    await assert.rejects(loyalty.analyze(rows, { asOf: at(20), scale: bad }), (err) => {
      assert.ok(err instanceof loyalty.InvalidInputError, err.message)
      assert.equal(err.field, 'scale')
      return true
    })
  }
})

test('class 5: the clock stops where events stop', () => {
  const a = member()
  refused(a, () => a.advanceTo(shop, new Date(Date.UTC(9999, 0, 1))), loyalty.EventError, 'invalid_field', 't')
  const r = a.revision
  a.advanceTo(shop, at(20))
  assert.equal(a.revision, r + 1)
})

test('class 6: tampered snapshots are refused on load', () => {
  const doc = JSON.parse(member().toJson())
  doc.ledger.lots[0].points = 4611686018427387904
  refused(null, () => loyalty.Account.fromJson(JSON.stringify(doc)), loyalty.SnapshotError, 'corrupt', 'ledger.lots')
})

test('class 7: errors name something: wrong types and ids are input errors', () => {
  refused(null, () => new loyalty.Account(42), loyalty.InvalidInputError, 'invalid_input', 'memberId')
  refused(null, () => new loyalty.Account(''), loyalty.EventError, 'invalid_field', 'memberId')
  const a = member()
  refused(a, () => loyalty.transfer(shop, a, a, 't', at(2), 5), loyalty.InvalidInputError, 'invalid_input', 'receiver')
})

test('member ids are coded as Python codes them: tied members score alike in both', async () => {
  // examples/data/tied_members.json holds the scores worked out by hand; the Python tests
  // check the same file.
  const fs = require('node:fs')
  const path = require('node:path')
  const tied = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'examples', 'data', 'tied_members.json'), 'utf8'))
  const asOf = new Date(tied.as_of)
  const rows = (ids) => ids.map((memberId) => ({ memberId, orderedAt: new Date(tied.ordered_at), amountMinor: tied.amount_minor }))
  for (const [ids, expected] of [[tied.labels, tied.label_scores], [tied.integers, tied.integer_scores]]) {
    const scores = loyalty.rows(await loyalty.analyze(rows(ids), { asOf }))
    const got = Object.fromEntries(scores.map((s) => [String(s.memberId), [s.r, s.f, s.m]]))
    const want = Object.fromEntries(Object.entries(expected).map(([id, k]) => [id, [k, k, k]]))
    assert.deepEqual(got, want)
  }
})

test('class 3: a misspelt option is refused by name, not ignored', async () => {
  const rows = [{ memberId: 1, orderedAt: at(1), amountMinor: 100 }]
  await assert.rejects(loyalty.analyze(rows, { asOf: at(20), timezone: 'Europe/Paris' }), (err) => {
    assert.ok(err instanceof loyalty.InvalidInputError, err.message)
    assert.deepEqual([err.field, err.value], ['timezone', '"Europe/Paris"'])
    return true
  })
  await assert.rejects(loyalty.analyze(rows, { asOf: at(20), timeZone: '' }), (err) => err instanceof loyalty.InvalidInputError && err.field === 'timeZone')
  const a = member()
  refused(a, () => a.previewOrder(shop, '10.00', at(3), { chanel: 'app' }), loyalty.InvalidInputError, 'invalid_input', 'chanel')
})
