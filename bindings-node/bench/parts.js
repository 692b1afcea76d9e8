'use strict'
// Where an Account.apply call's time goes, on bench/apply.js's kind of workload (1,000 members
// x 50 purchases, retail program): converting the event, the native call (JSON in and out),
// JSON.parse, and the camelCase/Date conversion. Reaches loyalty.js's private helpers by
// compiling its source with an extra export.
// Usage: node bench/parts.js   (after npm run build)
const fs = require('node:fs')
const path = require('node:path')
const Module = require('node:module')
const root = path.join(__dirname, '..')
const native = require(path.join(root, 'index.js'))
const file = path.join(root, 'loyalty.js')
const mod = new Module(file)
mod.filename = file
mod.paths = Module._nodeModulePaths(root)
mod._compile(fs.readFileSync(file, 'utf8') + '\nmodule.exports.__parts = { eventToCore, fromCore, Program }', file)
const { eventToCore, fromCore, Program } = mod.exports.__parts

const program = Program.fromJson(fs.readFileSync(path.join(root, '..', 'examples', 'programs', 'retail.json'), 'utf8'))
const MEMBERS = 1000
const ORDERS = 50
const start = Date.UTC(2024, 0, 1, 15, 0, 0)
const streams = []
for (let m = 0; m < MEMBERS; m++) {
  let t = start + m * 60000
  const events = []
  for (let i = 0; i < ORDERS; i++) {
    t += (72 + (i * 37 + m) % 192) * 3600000
    events.push({ type: 'orderPlaced', id: `m${m}-e${i}`, occurredAt: new Date(t), orderId: `m${m}-o${i}`, amount: (5 + ((i * 7919 + m) % 20000) / 100).toFixed(2) })
  }
  streams.push(events)
}

function time (name, fn) {
  fn()
  const t0 = process.hrtime.bigint()
  fn()
  const s = Number(process.hrtime.bigint() - t0) / 1e9
  console.log(name, (s / (MEMBERS * ORDERS) * 1e6).toFixed(3), 'µs per event')
}

const payloads = streams.map((events) => events.map(eventToCore))
let outcomes, parsed
time('event to core JSON', () => { for (const events of streams) for (const e of events) eventToCore(e) })
time('native apply (JSON in and out)', () => {
  outcomes = payloads.map((events, m) => {
    const account = new native.NativeAccount(`m${m}`)
    return events.map((p) => account.apply(program._native, p))
  })
})
time('JSON.parse', () => { parsed = outcomes.map((o) => o.map((s) => JSON.parse(s))) })
time('camelCase and Dates', () => { for (const o of parsed) for (const p of o) fromCore(p) })
