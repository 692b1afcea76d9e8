'use strict'
// Events per second through the Node binding, on the workload of the core's criterion bench
// (core/benches/ledger.rs): 1,000 members x 50 weekly purchases under the retail program.
// Usage: node --expose-gc bench/apply.js   (after npm run build)
// Between runs the last run's accounts are collected and their native memory freed (a
// wrapped object's finalizer runs once the event loop turns), as criterion drops its accounts
// between iterations: each run then reuses that memory instead of faulting in fresh pages.
const fs = require('node:fs')
const path = require('node:path')
const loyalty = require('..')

const program = loyalty.Program.fromJson(fs.readFileSync(path.join(__dirname, '..', '..', 'examples', 'programs', 'retail.json'), 'utf8'))
const MEMBERS = 1000
const ORDERS = 50

let seed = 0x2545f4914f6cdd1dn
function next () {
  seed ^= (seed << 13n) & 0xffffffffffffffffn
  seed ^= seed >> 7n
  seed ^= (seed << 17n) & 0xffffffffffffffffn
  return seed
}

const start = Date.UTC(2024, 0, 1, 15, 0, 0)
const streams = []
for (let m = 0; m < MEMBERS; m++) {
  let t = start + Number(next() % 10000n) * 60000
  const events = []
  for (let i = 0; i < ORDERS; i++) {
    t += (72 + Number(next() % 192n)) * 3600000
    const cents = 500 + Number(next() % 20000n)
    events.push({ type: 'orderPlaced', id: `m${m}-e${i}`, occurredAt: new Date(t), orderId: `m${m}-o${i}`, amount: (cents / 100).toFixed(2) })
  }
  streams.push(events)
}

function run () {
  const t0 = process.hrtime.bigint()
  for (let m = 0; m < MEMBERS; m++) {
    const account = new loyalty.Account(`m${m}`)
    for (const e of streams[m]) account.apply(program, e)
  }
  return Number(process.hrtime.bigint() - t0) / 1e9
}

async function settle () {
  if (global.gc) global.gc()
  await new Promise(setImmediate)
  await new Promise(setImmediate)
}

async function main () {
  const times = []
  for (let r = 0; r < 4; r++) {
    await settle()
    times.push(run())
  }
  return Math.min(...times.slice(1)) // the first run warms up
}

const events = MEMBERS * ORDERS
main().then((best) => {
  console.log(JSON.stringify({ events, seconds: best, eventsPerSecond: Math.round(events / best), microsecondsPerEvent: (best / events) * 1e6 }))
})
