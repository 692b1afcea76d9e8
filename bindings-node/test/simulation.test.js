'use strict'
// `loyalty.simulate`: the core's what-if simulation through the binding, with the figures of
// the core's hand-worked test (core/src/simulation/tests.rs), as Python checks them too.
const test = require('node:test')
const assert = require('node:assert/strict')
const loyalty = require('..')

function program (currency = 'USD') {
  return loyalty.Program.fromObject({
    name: 'T', version: 2, currency, time_zone: 'UTC',
    earning: { rules: [{ name: 'base', points_per_unit: '1' }] },
    expiry: { kind: 'rolling_days', days: 30 },
    redemption: { point_value: '0.01', rewards: [{ id: 'big', points: 300 }, { id: 'r', points: 100 }] },
    tiers: {
      period: { kind: 'calendar_year' }, upgrade: 'immediately', downgrade: 'requalify',
      levels: [{ name: 'Member' }, { name: 'Gold', entry: { spend: '150' }, entry_reward: { points: 20 } }]
    }
  })
}

// Member 1: 80.00 on 5 January, 50.00 on 3 February 2024. Member 2: 200.00 on 10 February.
const ORDERS = [
  { memberId: 'm2', orderedAt: '2024-02-10T12:00:00Z', amountMinor: 20000 },
  { memberId: 'm1', orderedAt: '2024-01-05T12:00:00Z', amountMinor: 8000 },
  { memberId: 'm1', orderedAt: '2024-02-03T12:00:00Z', amountMinor: 5000 }
]
const AS_OF = '2024-03-10T00:00:00Z'

test('a small log month by month, as worked by hand', async () => {
  const [run] = await loyalty.simulate(ORDERS, [program()], { asOf: AS_OF })
  assert.deepEqual(run.months.map((m) => m.month), ['2024-01-01', '2024-02-01', '2024-03-01'])
  assert.deepEqual(run.months.map((m) => m.totals.earned), [80, 270, 0])
  assert.deepEqual(run.months.map((m) => m.totals.redeemed), [0, 200, 0])
  assert.deepEqual(run.months.map((m) => m.totals.expired), [0, 0, 30])
  assert.deepEqual(run.months.map((m) => m.outstanding), [80, 150, 120])
  assert.deepEqual(run.months.map((m) => m.revenue), ['80.00', '250.00', '0'])
  assert.deepEqual(run.months.map((m) => m.membersByTier), [[1, 0], [1, 1], [1, 1]])
  assert.deepEqual(run.months[1].upgradedInto, [0, 1])
  assert.equal(run.months[2].liability, '1.20')
  assert.deepEqual([run.members, run.orders, run.redemptions, run.available], [2, 3, 2, 120])
  assert.deepEqual(run.expiring, [120, 120, 120])
  assert.ok(run.breakageRate.startsWith('0.0857142857'))
})

test('members who never redeem, two programs alike, and threads change nothing', async () => {
  const runs = await loyalty.simulate(ORDERS, [program(), program()], { asOf: AS_OF, redeem: 'none' })
  assert.deepEqual(runs.map((r) => r.months.map((m) => m.totals.expired)), [[0, 80, 50], [0, 80, 50]])
  const one = await loyalty.simulate(ORDERS, [program()], { asOf: AS_OF, redeem: 'r', probability: 0.5, seed: 2n ** 63n })
  const two = await loyalty.simulate(ORDERS, [program()], { asOf: AS_OF, redeem: 'r', probability: 0.5, seed: 2n ** 63n, threads: 2 })
  assert.deepEqual(one, two)
})

test('draws follow the member, not the row order', async () => {
  const options = { asOf: AS_OF, redeem: 'r', probability: 0.5, seed: 5 }
  const one = await loyalty.simulate(ORDERS, [program()], options)
  const two = await loyalty.simulate([...ORDERS].reverse(), [program()], options)
  assert.deepEqual(one, two)
})

test('refusals name the field and the value', async () => {
  await assert.rejects(loyalty.simulate(ORDERS, [program()], { asOf: AS_OF, redeem: 'gift' }),
    (e) => e instanceof loyalty.AnalyticsError && e.field === 'behaviour.rewardId' && e.value === 'gift')
  await assert.rejects(loyalty.simulate(ORDERS, [program()], { asOf: AS_OF, probability: 1.5 }),
    (e) => e instanceof loyalty.AnalyticsError && e.field === 'behaviour.probability' && e.value === '1.5')
  await assert.rejects(loyalty.simulate(ORDERS, [program()], { asOf: AS_OF, probability: NaN }),
    (e) => e instanceof loyalty.AnalyticsError && e.field === 'behaviour.probability' && e.value === 'NaN')
  await assert.rejects(loyalty.simulate(ORDERS, [program(), program('EUR')], { asOf: AS_OF }),
    (e) => e instanceof loyalty.AnalyticsError && e.field === 'programs[1].currency' && e.value === 'EUR')
  await assert.rejects(loyalty.simulate(ORDERS, [], { asOf: AS_OF }), (e) => e instanceof loyalty.InvalidInputError && e.field === 'programs')
  await assert.rejects(loyalty.simulate(ORDERS, [program()], { asOf: AS_OF, seed: -1 }), (e) => e.field === 'seed')
  await assert.rejects(loyalty.simulate(ORDERS, [program()], { asOf: AS_OF, colour: 1 }), (e) => e instanceof loyalty.InvalidInputError)
  const huge = ORDERS.map((o, i) => ({ ...o, amountMinor: i === 1 ? 2n ** 62n : o.amountMinor }))
  await assert.rejects(loyalty.simulate(huge, [program()], { asOf: AS_OF }),
    (e) => e instanceof loyalty.EventError && e.field === 'amount' && /program 0, member/.test(e.message))
})

test('the hand-written simulation types have the fields of the core types (the schema generated from them)', () => {
  const fs = require('node:fs')
  const path = require('node:path')
  const root = path.join(__dirname, '..', '..')
  const schema = JSON.parse(fs.readFileSync(path.join(root, 'schema', 'simulation_run.schema.json'), 'utf8'))
  const defs = schema.$defs || schema.definitions
  const camel = (k) => k.replace(/_([a-z])/g, (_, c) => c.toUpperCase())
  const dts = fs.readFileSync(path.join(__dirname, '..', 'loyalty.d.ts'), 'utf8').replace(/\/\*\*[\s\S]*?\*\//g, '')
  const fields = (name) => {
    const body = dts.slice(dts.indexOf(`export interface ${name} {`)).split('}')[0]
    return [...body.matchAll(/(\w+)\??\s*:/g)].map((m) => m[1]).slice(0).filter((k) => k !== name).sort()
  }
  assert.deepEqual(fields('SimulationRun'), Object.keys(schema.properties).map(camel).sort())
  assert.deepEqual(fields('SimulationMonth'), Object.keys(defs.Month.properties).map(camel).sort())
  assert.deepEqual(fields('PointTotals'), Object.keys(defs.Totals.properties).map(camel).sort())
})
