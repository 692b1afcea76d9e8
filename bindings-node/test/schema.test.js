'use strict'
// The Node surface against the core's JSON Schema (`schema/`, generated from the core's
// types): every event kind the host may apply and every effect kind is a member of the
// `Event` and `Effect` unions in loyalty.d.ts, with the schema's fields camelCased, and the
// JavaScript the package runs (`eventToCore`'s allowed keys are the core's) takes them. A new
// kind or a renamed field in the core fails here until the binding has it.
const test = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const path = require('node:path')

const root = path.join(__dirname, '..', '..')
const types = fs.readFileSync(path.join(__dirname, '..', 'loyalty.d.ts'), 'utf8')
// Written only by `loyalty.transfer` (Account.apply refuses them): not in the Event union.
const ENGINE_ONLY = new Set(['points_sent', 'points_received'])

const camel = (s) => s.replace(/_([a-z])/g, (_, c) => c.toUpperCase())

function variants (name) {
  const schema = JSON.parse(fs.readFileSync(path.join(root, 'schema', `${name}.schema.json`), 'utf8'))
  return schema.oneOf.map((v) => ({ kind: v.properties.type.const, fields: Object.keys(v.properties).filter((f) => f !== 'type') }))
}

/** The members of a union type in loyalty.d.ts: `type` name -> field names. */
function union (name) {
  const start = types.indexOf(`export type ${name} =`)
  const body = types.slice(start, types.indexOf('\n\n', start))
  const out = new Map()
  for (const line of body.split('\n').filter((l) => l.trim().startsWith('|'))) {
    const kind = /type: '([A-Za-z]+)'/.exec(line)[1]
    // The member's own object, without the objects nested in its fields' types.
    const object = line.slice(line.indexOf('{', line.indexOf('type:') - 4) + 1).replace(/\{[^{}]*\}/g, '')
    const fields = [...object.matchAll(/([A-Za-z]+)\??:/g)].map((m) => m[1]).filter((f) => f !== 'type')
    out.set(kind, fields)
  }
  return out
}

function compare (schemaName, unionName, skip) {
  const declared = union(unionName)
  const problems = []
  const seen = new Set()
  for (const { kind, fields } of variants(schemaName)) {
    const name = camel(kind)
    if (skip.has(kind)) {
      assert.ok(!declared.has(name), `${name} is written by the engine only`)
      continue
    }
    seen.add(name)
    const mine = declared.get(name)
    if (mine === undefined) { problems.push(`${name}: not in ${unionName}`); continue }
    const want = fields.map(camel).sort()
    if (JSON.stringify([...mine].sort()) !== JSON.stringify(want)) problems.push(`${name}: [${[...mine].sort()}] but the schema has [${want}]`)
  }
  for (const name of declared.keys()) if (!seen.has(name)) problems.push(`${name}: not a kind of the core`)
  assert.deepEqual(problems, [])
}

test('every event kind the host may apply is in the Event union, with the schema\'s fields', () => {
  compare('event', 'Event', ENGINE_ONLY)
})

test('every effect kind is in the Effect union, with the schema\'s fields', () => {
  compare('effect', 'Effect', new Set())
})
