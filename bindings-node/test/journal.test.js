'use strict'
// The journal through Node: outcomes carry the entries the host keeps, on the fast path and
// the JSON path alike, and a statement page is rendered from them (retail program: 365-day
// return window, 90-day idempotency horizon, 5 points a check-in).
const test = require('node:test')
const assert = require('node:assert/strict')
const path = require('node:path')
const fs = require('node:fs')
const loyalty = require('..')

const root = path.join(__dirname, '..', '..')
const retail = loyalty.Program.fromJson(fs.readFileSync(path.join(root, 'examples', 'programs', 'retail.json'), 'utf8'))

test('a year of check-ins and orders: the journal is numbered without gaps and ends at the balance', () => {
  const a = new loyalty.Account('ana')
  const journal = []
  const start = Date.parse('2025-01-01T00:00:00Z')
  for (let n = 0; n < 200; n++) {
    const day = start + n * 86400000
    journal.push(...a.apply(retail, { type: 'checkedIn', id: `in-${n}`, occurredAt: new Date(day + 12 * 3600000) }).journal)
    if (n % 7 === 0) {
      // The fast path (a plain order) carries its journal on the tape.
      const out = a.apply(retail, { type: 'orderPlaced', id: `e-${n}`, occurredAt: new Date(day + 18 * 3600000), orderId: `o-${n}`, amount: '20.00' })
      assert.equal(out.journal[out.journal.length - 1].eventId, `e-${n}`)
      journal.push(...out.journal)
    }
  }
  const end = a.advance(retail, new Date('2025-08-01T00:00:00Z'))
  journal.push(...end.journal)
  assert.deepEqual(journal.map((j) => j.seq), journal.map((_, i) => i))
  assert.ok(journal.every((j) => j.format === 1))
  assert.equal(a.statementStart + a.statement().length, journal.length)
  const b = a.balances(retail, new Date('2025-08-01T00:00:00Z'))
  const page = loyalty.statementPage(journal, { perPage: 2 })
  assert.equal(page.balance, b.available + b.pending - b.debt)
  assert.equal(page.total, journal.reduce((n, j) => n + j.effects.length, 0))
  // The same entries as the JSON text a host stores render the same page.
  const stored = journal.map((j) => JSON.stringify({ format: j.format, seq: j.seq, at: j.at.toISOString(), event_id: j.eventId, effects: [] }))
  assert.equal(loyalty.statementPage(stored).balance, 0)
})

test('a refund after the return window is a typed error naming the order, the account unchanged', () => {
  const a = new loyalty.Account('bo')
  a.apply(retail, { type: 'orderPlaced', id: 'e1', occurredAt: new Date('2025-01-06T18:00:00Z'), orderId: 'o1', amount: '50.00' })
  const before = a.toJson()
  assert.throws(
    () => a.apply(retail, { type: 'orderRefunded', id: 'r1', occurredAt: new Date('2026-01-06T18:00:01Z'), orderId: 'o1', amount: '10.00' }),
    (err) => err.code === 'return_window_closed' && err.field === 'orderId' && err.value === 'o1' && /2025-01-06 18:00:00 UTC/.test(err.message))
  assert.equal(a.toJson(), before)
})

test('a format 1 snapshot migrates with its statement as the journal', () => {
  const old = fs.readFileSync(path.join(root, 'core', 'tests', 'golden', 'member_story_snapshot_format1.json'), 'utf8')
  assert.throws(() => loyalty.Account.fromJson(old), (err) => err.code === 'format')
  const { account, journal } = loyalty.Account.migrate(retail, old)
  assert.deepEqual(journal.map((j) => j.seq), [0, 1, 2, 3, 4, 5])
  assert.equal(loyalty.statementPage(journal).balance, 185)
  assert.equal(account.balances(retail, new Date('2025-06-01T05:00:00Z')).available, 185)
  assert.throws(() => loyalty.statementPage([], { perPage: 0 }), (err) => err.field === 'perPage')
})

test('a journal entry has the fields of the core type (the schema generated from it), camelCased', () => {
  const schema = JSON.parse(fs.readFileSync(path.join(root, 'schema', 'outcome.schema.json'), 'utf8'))
  const defs = schema.$defs || schema.definitions
  const camel = (k) => k.replace(/_([a-z])/g, (_, c) => c.toUpperCase())
  const a = new loyalty.Account('fe')
  const out = a.apply(retail, { type: 'orderPlaced', id: 'e1', occurredAt: new Date('2025-01-06T18:00:00Z'), orderId: 'o1', amount: '5.00' })
  assert.deepEqual(Object.keys(out.journal[0]).sort(), Object.keys(defs.JournalEntry.properties).map(camel).sort())
  assert.deepEqual(Object.keys(out).sort(), Object.keys(schema.properties).map(camel).sort())
})
