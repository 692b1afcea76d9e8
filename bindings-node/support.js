'use strict'
// What the engine (loyalty.js) and the analytics (analytics.js) share: the error classes and
// the one mapping of native errors onto them, the conversions between camelCase objects and
// the core's JSON, and the checks of common arguments. Conversions only: every rule is in
// the Rust core.

const INSTANTS = new Set(['at', 'occurredAt', 'availableAt', 'expiresAt', 'on', 'validUntil', 'asOf', 'earnedAt', 'until', 'bonusExpiresAt', 'validFrom', 'issuedAt'])
const MONEY = new Set(['amount', 'orderAmount', 'discount', 'storedValue', 'paid', 'returned'])

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
/** A CLV model refused its data or an argument (the core's `ClvError`). */
class ClvError extends LoyaltyError {}
class InvalidInputError extends LoyaltyError {}
/** A bug in the engine (a Rust panic caught at the boundary), never the caller's input. */
class InternalError extends LoyaltyError {}

const CLASSES = {
  length_mismatch: AnalyticsError,
  negative_amount: AnalyticsError,
  time_out_of_range: AnalyticsError,
  too_many_members: AnalyticsError,
  as_of_before_orders: AnalyticsError,
  period_after_as_of: AnalyticsError,
  invalid_input: InvalidInputError,
  internal: InternalError
}

// The class the native side names for a core error (its code is the core's kind).
const BY_CLASS = { program: ProgramError, event: EventError, snapshot: SnapshotError, analytics: AnalyticsError, clv: ClvError }

// What napi says when an argument has the wrong JavaScript type: the caller's input.
const NAPI_INPUT = new Set(['InvalidArg', 'ObjectExpected', 'StringExpected', 'NameExpected', 'FunctionExpected',
  'NumberExpected', 'BooleanExpected', 'ArrayExpected', 'BigintExpected', 'DateExpected', 'ArrayBufferExpected'])

function rethrow (e) {
  let body = null
  try {
    body = JSON.parse(e.message)
  } catch (_) {}
  if (body !== null && typeof body === 'object' && typeof body.kind === 'string') {
    const Cls = BY_CLASS[body.class] || CLASSES[body.kind] || EventError
    throw new Cls(body.message, body.kind, body.field, body.value)
  }
  // Not one of ours: a native error without our body is napi's (a wrong argument type) or a
  // panic that napi caught; a JavaScript error of our own goes on as it is.
  if (e && typeof e.code === 'string' && NAPI_INPUT.has(e.code)) {
    throw new InvalidInputError(e.message, 'invalid_input', '', '')
  }
  if (e && e.code === 'GenericFailure') {
    throw new InternalError(`internal error (a bug in loyalty, please report it): ${e.message}`, 'internal', '', e.message)
  }
  throw e
}

/** Refuses an option bag with a key the call does not take (a misspelt `timezone` would
 * otherwise be ignored and the default used), naming the key. */
function onlyKeys (options, allowed) {
  if (options === null || typeof options !== 'object') {
    throw new InvalidInputError(`options: ${show(options)} must be an object`, 'invalid_input', 'options', show(options))
  }
  for (const k of Object.keys(options)) {
    if (!allowed.includes(k)) {
      throw new InvalidInputError(`${k}: is not an option here (${allowed.join(', ')})`, 'invalid_input', k, show(options[k]))
    }
  }
  return options
}

/** A time zone option: absent is UTC; anything given is passed on to be checked. */
function zone (options) {
  return options.timeZone === undefined ? 'UTC' : options.timeZone
}

function show (v) {
  if (typeof v === 'bigint') return `${v}n`
  if (typeof v === 'number') return String(v)
  try { return JSON.stringify(v) ?? String(v) } catch (_) { return String(v) }
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
const camel = cached((k) => k.replace(/_([a-z0-9])/g, (_, c) => c.toUpperCase()))

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

function iso (field, value) {
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw new TypeError(`${field}: invalid Date`)
    return value.toISOString()
  }
  if (typeof value === 'string' && /([zZ]|[+-]\d\d:\d\d)$/.test(value) && !Number.isNaN(Date.parse(value))) return value
  throw new TypeError(`${field}: ${JSON.stringify(value)} must be a Date or an ISO-8601 string with an offset`)
}

/** The currency's minor-unit digits (2 for cents, 0 for yen, 3 for dinars). */
function scale (options) {
  const s = options.scale === undefined ? 2 : options.scale
  if (!Number.isInteger(s) || s < 0 || s > 18) {
    throw new InvalidInputError(`scale: ${show(s)} must be a whole number of decimal places from 0 to 18`, 'invalid_input', 'scale', show(s))
  }
  return s
}

// The native call checks its arguments before it starts the task and throws at once (a bad
// time zone, say): `call` maps that error as `settle` maps the task's rejection.
async function settle (promise) {
  try {
    return await promise
  } catch (e) {
    rethrow(e)
  }
}

module.exports = {
  LoyaltyError, ProgramError, EventError, SnapshotError, AnalyticsError, ClvError, InvalidInputError, InternalError,
  rethrow, onlyKeys, zone, show, call, settle, iso, scale, toCore, fromCore, snake, camel
}
