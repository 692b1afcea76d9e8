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
const BY_CLASS = { program: ProgramError, event: EventError, snapshot: SnapshotError, analytics: AnalyticsError }

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

/** A whole number of points: a safe integer (or a BigInt in that range), never 1.5 or NaN. */
function wholePoints (field, v, optional) {
  if (optional && (v === undefined || v === null)) return null
  if (typeof v === 'bigint' && v >= -(2n ** 53n) && v <= 2n ** 53n) return Number(v)
  if (typeof v !== 'number' || !Number.isSafeInteger(v)) {
    throw new InvalidInputError(`${field}: ${show(v)} must be a whole number of points`, 'invalid_input', field, show(v))
  }
  return v
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

// The purchase path's outcomes cross as numbers (src/tape.rs): one buffer for every call.
const TAPE = new Float64Array(1024)
const TAPE_BYTES = Buffer.from(TAPE.buffer)

// The names (rules, tiers, reasons, reward ids) each native program has numbered on the tape,
// in its order; keyed by the native object, so every `Program` wrapping it reads the same table.
const NAMES = new WeakMap()

const wellFormed = String.prototype.isWellFormed
  ? (text) => text.isWellFormed()
  : (text) => !/[\uD800-\uDFFF]/.test(text)

/** A string the fast path can send: no NUL (its separator) and no lone surrogate (which the
 * native string conversion would replace, where the JSON path refuses it). */
function sendable (text) {
  return typeof text === 'string' && text.indexOf('\0') < 0 && wellFormed(text)
}

/** `-` for a value left out, or `+` and the string: null when it cannot be sent. */
function optional (v) {
  if (v === undefined) return '-'
  return sendable(v) ? '+' + v : null
}

/** A line of a plain order as the purchase path's fields (`plain_order` in src/lib.rs), or
 * null when the JSON path must read it: a plain object with a SKU, an amount, and
 * optionally a category (null reads as none) and a discount, all strings. */
function plainLine (line) {
  if (line === null || typeof line !== 'object' || Object.getPrototypeOf(line) !== Object.prototype) return null
  let sku, category, amount, discount
  for (const k of Object.keys(line)) {
    const v = line[k]
    if (v === undefined) continue
    switch (k) {
      case 'sku': sku = v; break
      case 'category': if (v !== null) category = v; break
      case 'amount': amount = v; break
      case 'discount': discount = v; break
      default: return null
    }
  }
  if (!sendable(sku) || !sendable(amount)) return null
  const c = optional(category)
  const d = optional(discount)
  if (c === null || d === null) return null
  return sku + '\0' + c + '\0' + amount + '\0' + d + '\0'
}

/**
 * The fields of a plain order the native purchase path takes exactly as the JSON path would,
 * or null. Like `toCore`, it reads each own enumerable key once (no inherited field, no
 * getter read twice); any key beyond an order's, or a value the JSON path might read
 * differently, sends the event down the JSON path.
 */
function plainOrder (e) {
  if (e === null || typeof e !== 'object' || e.type !== 'orderPlaced') return null
  let id, at, orderId, amount, channel, lines
  for (const k of Object.keys(e)) {
    const v = e[k]
    if (v === undefined) continue
    switch (k) {
      case 'type': if (v !== 'orderPlaced') return null; break
      case 'id': id = v; break
      case 'occurredAt': at = v; break
      case 'orderId': orderId = v; break
      case 'amount': amount = v; break
      case 'channel': if (v !== null) channel = v; break
      case 'lines': if (!Array.isArray(v) || Object.getPrototypeOf(v) !== Array.prototype) return null; lines = v; break
      default: return null
    }
  }
  if (!(at instanceof Date) || Object.getPrototypeOf(at) !== Date.prototype || !sendable(id) || !sendable(orderId) ||
      !sendable(amount)) return null
  const c = optional(channel)
  if (c === null) return null
  const ms = at.getTime()
  if (ms !== ms) return null // eslint-disable-line no-self-compare
  let fields = id + '\0' + orderId + '\0' + amount + '\0' + c + '\0'
  if (lines !== undefined) {
    for (let i = 0; i < lines.length; i++) {
      const line = i in lines ? plainLine(lines[i]) : null // a hole reads as null in JSON
      if (line === null) return null
      fields += line
    }
  }
  return { ms, fields }
}

function date (ms) { return ms === ms ? new Date(ms) : null } // eslint-disable-line no-self-compare

/** The outcome on the tape, as `fromCore` would build it from the JSON. */
function readTape (names) {
  const t = TAPE
  const count = t[2]
  const effects = new Array(count)
  let i = 3
  for (let k = 0; k < count; k++) {
    switch (t[i]) {
      case 1: {
        const n = t[i + 3]
        const rules = new Array(n)
        for (let j = 0; j < n; j++) rules[j] = names[t[i + 4 + j]]
        const at = i + 4 + n
        effects[k] = { type: 'pointsEarned', lot: t[i + 1], points: t[i + 2], rules, availableAt: new Date(t[at]), expiresAt: date(t[at + 1]), pending: t[at + 2] === 1 }
        i = at + 3
        break
      }
      case 2:
        effects[k] = { type: 'pendingActivated', lot: t[i + 1], points: t[i + 2], expiresAt: date(t[i + 3]) }
        i += 4
        break
      case 3:
      case 4: {
        const n = t[i + 2]
        const lots = Array.from(t.subarray(i + 3, i + 3 + n))
        const when = new Date(t[i + 3 + n])
        effects[k] = t[i] === 3
          ? { type: 'pointsExpired', points: t[i + 1], lots, at: when }
          : { type: 'pointsExpiringSoon', points: t[i + 1], lots, expiresAt: when }
        i += 4 + n
        break
      }
      case 5: {
        const reward = t[i + 5]
        const id = t[i + 6]
        effects[k] = { type: 'tierUpgraded', from: names[t[i + 1]], to: names[t[i + 2]], validUntil: date(t[i + 3]), reason: names[t[i + 4]], rewardPoints: reward === reward ? reward : null, rewardId: id === id ? names[id] : null } // eslint-disable-line no-self-compare
        i += 7
        break
      }
      case 6:
        effects[k] = { type: 'tierRetained', tier: names[t[i + 1]], validUntil: date(t[i + 2]) }
        i += 3
        break
      case 7:
        effects[k] = { type: 'tierDowngraded', from: names[t[i + 1]], to: names[t[i + 2]], reason: names[t[i + 3]], validUntil: date(t[i + 4]) }
        i += 5
        break
      default:
        throw new Error(`loyalty: unknown effect code ${t[i]} on the tape`)
    }
  }
  return { effects, duplicate: t[1] === 1, revision: t[0] }
}

// A program's money and rates are decimal strings: a number with a fraction would reach the
// core through a binary float (0.01 is not 0.01), so it is refused with its path, as Python
// refuses floats. Whole numbers (points, days, counts) pass.
function noFractions (path, value) {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError(`${path}: ${value} is not a finite number`)
    if (!Number.isInteger(value)) {
      throw new TypeError(`${path}: ${value} is a number with a fraction; money and rates must be decimal strings like "0.01"`)
    }
  } else if (Array.isArray(value)) {
    value.forEach((v, i) => noFractions(`${path}[${i}]`, v))
  } else if (value !== null && typeof value === 'object') {
    for (const k of Object.keys(value)) noFractions(path ? `${path}.${k}` : k, value[k])
  }
}

class Program {
  constructor (nativeProgram) {
    this._native = nativeProgram
    if (!NAMES.has(nativeProgram)) NAMES.set(nativeProgram, [])
  }

  static fromJson (text) {
    if (typeof text !== 'string') throw new InvalidInputError(`program: ${show(text)} must be JSON text`, 'invalid_input', 'program', show(text))
    return new Program(call(() => native.NativeProgram.fromJson(text)))
  }
  static fromObject (config) {
    noFractions('', config)
    return Program.fromJson(JSON.stringify(config))
  }
  toJson () { return this._native.toJson() }
  toObject () { return JSON.parse(this._native.toJson()) }
}

class Account {
  constructor (memberId) {
    if (typeof memberId !== 'string') {
      throw new InvalidInputError(`memberId: ${show(memberId)} must be a string`, 'invalid_input', 'memberId', show(memberId))
    }
    this._native = call(() => new native.NativeAccount(memberId))
    this._bound = null // the program the native purchase path applies
    this._handle = null // the account's handle for that path
  }
  static fromJson (text) {
    const a = Object.create(Account.prototype)
    a._native = call(() => native.NativeAccount.fromJson(text))
    a._bound = null
    a._handle = null
    return a
  }

  static fromCompact (bytes) {
    if (!(bytes instanceof Uint8Array)) throw new TypeError('bytes: expected a Buffer or Uint8Array from toCompact()')
    const a = Object.create(Account.prototype)
    a._native = call(() => native.NativeAccount.fromCompact(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)))
    a._bound = null
    a._handle = null
    return a
  }

  toJson () { return this._native.toJson() }
  toCompact () { return this._native.toCompact() }
  get memberId () { return this._native.memberId }
  get revision () { return this._native.revision }
  apply (program, event) {
    const order = plainOrder(event)
    if (order !== null) {
      let r
      try {
        if (this._handle === null) this._handle = this._native.handle()
        if (this._bound !== program) {
          this._native.bind(program._native)
          this._bound = program
        }
        r = native.applyOrder(this._handle, order.ms, order.fields, TAPE_BYTES)
      } catch (e) {
        rethrow(e)
      }
      const names = NAMES.get(program._native)
      if (r === null) return readTape(names)
      switch (r.charCodeAt(0)) {
        case 78: { // N: new names, NUL-terminated
          let from = 1
          for (let end = r.indexOf('\0', from); end !== -1; end = r.indexOf('\0', from)) {
            names.push(r.slice(from, end))
            from = end + 1
          }
          return readTape(names)
        }
        case 74: return fromCore(JSON.parse(r.slice(1))) // J: the outcome as JSON
        default: break // S: not for this path; the JSON path names what is wrong
      }
    }
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

  statement () { return fromCore(JSON.parse(call(() => this._native.statement()))) }

  applyAll (program, events) {
    const payload = '[' + events.map(eventToCore).join(',') + ']'
    return fromCore(JSON.parse(call(() => this._native.applyAll(program._native, payload))))
  }

  expiring (program, asOf, until) {
    const a = iso('asOf', asOf)
    const u = iso('until', until)
    return fromCore(JSON.parse(call(() => this._native.expiring(program._native, a, u))))
  }

  /** The points an order would earn at `at` (with `channel` and `lines`), the account unchanged. */
  previewOrder (program, amount, at, options = {}) {
    onlyKeys(options, ['channel', 'lines'])
    if (typeof amount !== 'string') throw new InvalidInputError(`amount: ${show(amount)} must be a decimal string like "19.99"`, 'invalid_input', 'amount', show(amount))
    const t = iso('at', at)
    if (options.lines !== undefined && !Array.isArray(options.lines)) {
      throw new InvalidInputError(`lines: ${show(options.lines)} must be an array of order lines`, 'invalid_input', 'lines', show(options.lines))
    }
    const lines = options.lines === undefined ? null : JSON.stringify(toCore(options.lines, 'lines'))
    return call(() => this._native.previewOrder(program._native, amount, t, options.channel ?? null, lines))
  }

  quotePayment (program, orderAmount, requested, asOf) {
    if (typeof orderAmount !== 'string') throw new TypeError(`orderAmount: ${JSON.stringify(orderAmount)} is a ${typeof orderAmount}; money must be a decimal string like "19.99"`)
    const t = iso('asOf', asOf)
    const r = wholePoints('requested', requested, true)
    return fromCore(JSON.parse(call(() => this._native.quotePayment(program._native, orderAmount, r, t))))
  }

  merge (program, other, id, at) {
    const t = iso('at', at)
    const merged = Object.create(Account.prototype)
    merged._native = call(() => this._native.merge(program._native, other._native, id, t))
    merged._bound = null
    merged._handle = null
    const entries = merged.statement()
    return { account: merged, outcome: { effects: entries[entries.length - 1].effects, duplicate: false, revision: merged.revision } }
  }
}

function transfer (program, sender, receiver, id, at, points) {
  const t = iso('at', at)
  // The native call borrows both accounts; one account twice is refused here, as ours.
  if (sender === receiver || sender._native === receiver._native) {
    throw new InvalidInputError(`receiver: ${JSON.stringify(receiver.memberId)} is the sender; a transfer needs two accounts`,
      'invalid_input', 'receiver', receiver.memberId)
  }
  const p = wholePoints('points', points, false)
  const [sent, received] = JSON.parse(call(() => native.transfer(program._native, sender._native, receiver._native, id, t, p)))
  return { sent: fromCore(sent), received: fromCore(received) }
}

function bytes (typed) {
  return Buffer.from(typed.buffer, typed.byteOffset, typed.byteLength)
}

const I64 = [-(2n ** 63n), 2n ** 63n - 1n]

function integers (values, name, Array64) {
  if (values instanceof Array64) return values
  if (values === undefined || values === null || typeof values[Symbol.iterator] !== 'function') {
    throw new TypeError(`${name}: ${JSON.stringify(values)} is not a column`)
  }
  return Array64.from(values, (v, i) => {
    const n = typeof v === 'number' && Number.isSafeInteger(v) ? BigInt(v) : v
    if (typeof n !== 'bigint' || n < I64[0] || n > I64[1]) {
      throw new TypeError(`${name}[${i}]: ${typeof v === 'bigint' ? v + 'n' : JSON.stringify(v)} must be a whole number that fits 64 bits`)
    }
    return n
  })
}

function seconds (values, name) {
  if (values instanceof BigInt64Array) return values
  if (values === undefined || values === null || typeof values[Symbol.iterator] !== 'function') {
    throw new TypeError(`${name}: ${JSON.stringify(values)} is not a column`)
  }
  if (values instanceof Float64Array || values instanceof Int32Array) return integers(Array.from(values), name, BigInt64Array)
  return BigInt64Array.from(values, (v, i) => BigInt(Math.floor(new Date(iso(`${name}[${i}]`, v)).getTime() / 1000)))
}

/**
 * Orders as the native calls take them, from rows ({ memberId, orderedAt, amountMinor }) or
 * from columns ({ memberId, orderedAt, amountMinor } of arrays or typed arrays: BigInt64Array
 * Unix seconds and minor units cross without copying). Member ids become dense codes; `ids`
 * maps them back.
 */
/** Orders strings by code point (as Python and Rust do), not by UTF-16 code unit. */
function byCodePoint (a, b) {
  const x = Array.from(a)
  const y = Array.from(b)
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d = x[i].codePointAt(0) - y[i].codePointAt(0)
    if (d !== 0) return d
  }
  return x.length - y.length
}

function orderColumns (orders) {
  let memberIds, at, cents
  if (Array.isArray(orders)) {
    memberIds = orders.map((o) => o.memberId)
    at = seconds(orders.map((o) => o.orderedAt), 'orders.orderedAt')
    cents = orders.map((o, i) => {
      if (typeof o.amountMinor !== 'number' && typeof o.amountMinor !== 'bigint') {
        throw new TypeError(`orders[${i}].amountMinor: ${JSON.stringify(o.amountMinor)} must be an integer of minor units`)
      }
      return o.amountMinor
    })
  } else if (orders && typeof orders === 'object') {
    memberIds = orders.memberId
    if (memberIds === undefined || memberIds === null || typeof memberIds.length !== 'number') {
      throw new TypeError(`memberId: ${JSON.stringify(memberIds)} is not a column`)
    }
    at = seconds(orders.orderedAt, 'orderedAt')
    cents = orders.amountMinor
  } else {
    throw new TypeError('orders: expected an array of rows or an object of columns')
  }
  // Member ids are coded as Python codes them, so ties in RFM (broken by member id) score
  // alike in both: whole numbers >= 0 cross as themselves (1 and 1n are one member); strings
  // are numbered in code-point order of the distinct labels. The two kinds do not mix (is
  // "1" the member 1?), and anything else (null, 1.5, an object) is not an id.
  let kind = null
  const keys = new Array(memberIds.length)
  for (let i = 0; i < memberIds.length; i++) {
    const id = memberIds[i]
    let k
    if (typeof id === 'string') {
      keys[i] = id; k = 'string'
    } else if ((typeof id === 'number' && Number.isSafeInteger(id) && id >= 0) || (typeof id === 'bigint' && id >= 0n && id < 2n ** 64n)) {
      keys[i] = BigInt(id); k = 'integer'
    } else {
      throw new InvalidInputError(`memberId[${i}]: ${show(id)} must be a string or a whole number >= 0`, 'invalid_input', `memberId[${i}]`, show(id))
    }
    if (kind === null) kind = k
    if (k !== kind) {
      throw new InvalidInputError(`memberId[${i}]: ${show(id)} is a ${k} among ${kind} ids; use one kind of member id`, 'invalid_input', `memberId[${i}]`, show(id))
    }
  }
  const codes = new BigUint64Array(memberIds.length)
  // Each code's id as the caller gave it: labels by code, whole numbers (their own codes) by
  // value, the first spelling given (7 or 7n) kept.
  let ids
  if (kind === 'integer') {
    ids = new Map()
    for (let i = 0; i < keys.length; i++) {
      codes[i] = keys[i]
      if (!ids.has(keys[i])) ids.set(keys[i], memberIds[i])
    }
  } else {
    ids = [...new Set(keys)].sort(byCodePoint)
    const index = new Map(ids.map((label, code) => [label, code]))
    for (let i = 0; i < keys.length; i++) codes[i] = BigInt(index.get(keys[i]))
  }
  const amounts = integers(cents, 'amountMinor', BigInt64Array)
  for (const [name, column] of [['orderedAt', at], ['amountMinor', amounts]]) {
    if (column.length !== codes.length) throw new TypeError(`${name}: ${column.length} values for ${codes.length} member ids`)
  }
  return { member: bytes(codes), at: bytes(at), cents: bytes(amounts), ids }
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

/** RFM, segments and lifecycle tags per member, from rows or columns; resolves without blocking. */
async function analyze (orders, options) {
  onlyKeys(options, ['asOf', 'timeZone', 'scale'])
  const asOf = iso('asOf', options.asOf)
  const c = orderColumns(orders)
  const json = await settle(call(() => native.analyze(c.member, c.at, c.cents, asOf, zone(options), scale(options))))
  return JSON.parse(json).map((row) => {
    const out = fromCore(row)
    out.memberId = c.ids instanceof Map ? c.ids.get(BigInt(row.member_id)) : c.ids[Number(row.member_id)]
    out.monetaryMinor = BigInt(row.monetary_minor)
    return out
  })
}

/** Program metrics over the period from `periodStart` to `asOf`; money and ratios as decimal strings. */
async function metrics (orders, options) {
  onlyKeys(options, ['asOf', 'periodStart', 'timeZone', 'scale'])
  const asOf = iso('asOf', options.asOf)
  const start = iso('periodStart', options.periodStart)
  const c = orderColumns(orders)
  const json = await settle(call(() => native.metrics(c.member, c.at, c.cents, asOf, start, zone(options), scale(options))))
  const out = fromCore(JSON.parse(json))
  // Segment names are data, not keys to respell.
  const raw = JSON.parse(json)
  out.revenueBySegment = raw.revenue_by_segment
  out.revenueShareBySegment = raw.revenue_share_by_segment
  return out
}

module.exports = {
  Program, Account, analyze, metrics, transfer, LoyaltyError, ProgramError, EventError, SnapshotError, AnalyticsError, InvalidInputError, InternalError
}
