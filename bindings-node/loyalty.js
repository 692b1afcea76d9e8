'use strict'
// The `loyalty` package: camelCase objects, Dates and decimal strings over the native addon,
// and `LoyaltyError` subclasses with a stable `code`. Conversions only: every rule is in the
// Rust core.

const native = require('./index.js')

const INSTANTS = new Set(['at', 'occurredAt', 'availableAt', 'expiresAt', 'on', 'validUntil', 'asOf', 'earnedAt', 'until'])
const MONEY = new Set(['amount', 'orderAmount', 'discount'])

class LoyaltyError extends Error {
  constructor (message, code, field, value) {
    super(message)
    this.name = this.constructor.name
    this.code = code
    this.field = field
    this.value = value
  }
}
class ProgramError extends LoyaltyError {}
class EventError extends LoyaltyError {}
class SnapshotError extends LoyaltyError {}
class AnalyticsError extends LoyaltyError {}
class InvalidInputError extends LoyaltyError {}

const CLASSES = {
  program_invalid: ProgramError,
  snapshot_invalid: SnapshotError,
  analytics_invalid: AnalyticsError,
  invalid_input: InvalidInputError
}

function rethrow (e) {
  let body
  try {
    body = JSON.parse(e.message)
  } catch (_) {
    throw e
  }
  const Cls = CLASSES[body.kind] || EventError
  throw new Cls(body.message, body.kind, body.field, body.value)
}

function call (fn) {
  try {
    return fn()
  } catch (e) {
    rethrow(e)
  }
}

// Key spellings are few and repeat on every call: convert each once.
function cached (convert) {
  const seen = new Map()
  return (k) => {
    let v = seen.get(k)
    if (v === undefined) {
      v = convert(k)
      if (seen.size < 10000) seen.set(k, v)
    }
    return v
  }
}
const snake = cached((k) => k.replace(/[A-Z]/g, (c) => '_' + c.toLowerCase()))
const camel = cached((k) => k.replace(/_([a-z])/g, (_, c) => c.toUpperCase()))

function iso (field, value) {
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw new TypeError(`${field}: invalid Date`)
    return value.toISOString()
  }
  if (typeof value === 'string' && /([zZ]|[+-]\d\d:\d\d)$/.test(value) && !Number.isNaN(Date.parse(value))) return value
  throw new TypeError(`${field}: ${JSON.stringify(value)} must be a Date or an ISO-8601 string with an offset`)
}

function toCore (value, key) {
  if (Array.isArray(value)) return value.map((v) => toCore(v, key))
  if (value instanceof Date || INSTANTS.has(key)) return iso(key, value)
  if (MONEY.has(key)) {
    if (typeof value !== 'string') throw new TypeError(`${key}: ${JSON.stringify(value)} is a ${typeof value}; money must be a decimal string like "19.99"`)
    return value
  }
  if (value && typeof value === 'object') {
    const out = {}
    for (const k in value) {
      const v = value[k]
      if (v !== undefined && Object.prototype.hasOwnProperty.call(value, k)) out[snake(k)] = toCore(v, k)
    }
    return out
  }
  return value
}

function fromCore (value, key) {
  if (Array.isArray(value)) return value.map((v) => fromCore(v, key))
  if (value && typeof value === 'object') {
    const out = {}
    for (const k in value) {
      const name = camel(k)
      out[name] = fromCore(value[k], name)
    }
    return out
  }
  if (typeof value === 'string' && INSTANTS.has(key)) return new Date(value)
  if (key === 'type' && typeof value === 'string') return camel(value)
  return value
}

function eventToCore (event) {
  const core = toCore(event)
  core.type = snake(event.type)
  return JSON.stringify(core)
}

class Program {
  constructor (nativeProgram) { this._native = nativeProgram }
  static fromJson (text) { return new Program(call(() => native.NativeProgram.fromJson(text))) }
  static fromObject (config) { return Program.fromJson(JSON.stringify(config)) }
  toJson () { return this._native.toJson() }
  toObject () { return JSON.parse(this._native.toJson()) }
}

class Account {
  constructor (memberId) { this._native = new native.NativeAccount(memberId) }
  static fromJson (text) {
    const a = Object.create(Account.prototype)
    a._native = call(() => native.NativeAccount.fromJson(text))
    return a
  }

  toJson () { return this._native.toJson() }
  get memberId () { return this._native.memberId }
  get revision () { return this._native.revision }
  apply (program, event) {
    const payload = eventToCore(event)
    return fromCore(JSON.parse(call(() => this._native.apply(program._native, payload))))
  }

  advanceTo (program, at) {
    const t = iso('at', at)
    return fromCore(JSON.parse(call(() => this._native.advanceTo(program._native, t))))
  }

  balances (program, asOf) {
    const t = iso('asOf', asOf)
    return fromCore(JSON.parse(call(() => this._native.balances(program._native, t))))
  }

  tierProgress (program, asOf) {
    const t = iso('asOf', asOf)
    const p = call(() => this._native.tierProgress(program._native, t))
    return p === null ? null : fromCore(JSON.parse(p))
  }

  statement () { return fromCore(JSON.parse(this._native.statement())) }

  applyAll (program, events) {
    const payload = '[' + events.map(eventToCore).join(',') + ']'
    return fromCore(JSON.parse(call(() => this._native.applyAll(program._native, payload))))
  }

  expiring (program, asOf, until) {
    const a = iso('asOf', asOf)
    const u = iso('until', until)
    return fromCore(JSON.parse(call(() => this._native.expiring(program._native, a, u))))
  }

  quotePayment (program, orderAmount, requested, asOf) {
    if (typeof orderAmount !== 'string') throw new TypeError(`orderAmount: ${JSON.stringify(orderAmount)} is a ${typeof orderAmount}; money must be a decimal string like "19.99"`)
    const t = iso('asOf', asOf)
    return fromCore(JSON.parse(call(() => this._native.quotePayment(program._native, orderAmount, requested ?? null, t))))
  }

  merge (program, other, id, at) {
    const t = iso('at', at)
    const merged = Object.create(Account.prototype)
    merged._native = call(() => this._native.merge(program._native, other._native, id, t))
    const entries = merged.statement()
    return { account: merged, outcome: { effects: entries[entries.length - 1].effects, duplicate: false, revision: merged.revision } }
  }
}

function transfer (program, sender, receiver, id, at, points) {
  const t = iso('at', at)
  const [sent, received] = JSON.parse(call(() => native.transfer(program._native, sender._native, receiver._native, id, t, points)))
  return { sent: fromCore(sent), received: fromCore(received) }
}

function column (values, name, Array64) {
  const arr = Array64.from(values, (v) => {
    if (typeof v === 'number' && !Number.isInteger(v)) throw new TypeError(`${name}: ${v} is not a whole number`)
    return BigInt(v)
  })
  return Buffer.from(arr.buffer, arr.byteOffset, arr.byteLength)
}

/** RFM, segments and lifecycle tags for orders given as rows; resolves without blocking. */
async function analyze (orders, options) {
  const asOf = iso('asOf', options.asOf)
  const ids = new Map()
  const names = []
  const member = []
  const at = []
  const cents = []
  for (const [i, o] of orders.entries()) {
    if (typeof o.amountMinor !== 'number' && typeof o.amountMinor !== 'bigint') {
      throw new TypeError(`orders[${i}].amountMinor: ${JSON.stringify(o.amountMinor)} must be an integer of minor units`)
    }
    let code = ids.get(o.memberId)
    if (code === undefined) { code = names.length; ids.set(o.memberId, code); names.push(o.memberId) }
    member.push(code)
    at.push(Math.floor(new Date(iso(`orders[${i}].orderedAt`, o.orderedAt)).getTime() / 1000))
    cents.push(o.amountMinor)
  }
  let json
  try {
    json = await native.analyze(column(member, 'memberId', BigUint64Array), column(at, 'orderedAt', BigInt64Array),
      column(cents, 'amountMinor', BigInt64Array), asOf, options.timeZone || 'UTC')
  } catch (e) {
    rethrow(e)
  }
  return JSON.parse(json).map((row) => {
    const out = fromCore(row)
    out.memberId = names[Number(row.member_id)]
    return out
  })
}

module.exports = {
  Program, Account, analyze, transfer, LoyaltyError, ProgramError, EventError, SnapshotError, AnalyticsError, InvalidInputError
}
