'use strict'
// The `loyalty` package: camelCase objects, Dates and decimal strings over the native addon,
// and `LoyaltyError` subclasses with a stable `code`. Conversions only: every rule is in the
// Rust core.

const native = require('./index.js')
const {
  LoyaltyError, ProgramError, EventError, SnapshotError, AnalyticsError, ClvError, InvalidInputError, InternalError,
  rethrow, onlyKeys, zone, show, call, iso, toCore, fromCore, snake
} = require('./support.js')
const analytics = require('./analytics.js')

/** A whole number of points: a safe integer (or a BigInt in that range), never 1.5 or NaN. */
function wholePoints (field, v, optional) {
  if (optional && (v === undefined || v === null)) return null
  if (typeof v === 'bigint' && v >= -(2n ** 53n) && v <= 2n ** 53n) return Number(v)
  if (typeof v !== 'number' || !Number.isSafeInteger(v)) {
    throw new InvalidInputError(`${field}: ${show(v)} must be a whole number of points`, 'invalid_input', field, show(v))
  }
  return v
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
function readTape (names, eventId) {
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
  const entries = t[i]
  const journal = new Array(entries)
  i += 1
  for (let k = 0, e = 0; k < entries; k++, i += 5) {
    const n = t[i + 2]
    journal[k] = { format: t[i + 4], seq: t[i], at: new Date(t[i + 1]), eventId: t[i + 3] === 1 ? eventId : null, effects: effects.slice(e, e + n) }
    e += n
  }
  return { effects, duplicate: t[1] === 1, revision: t[0], journal }
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
  get isFrozen () { return this._native.isFrozen }
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
      if (r === null) return readTape(names, event.id)
      switch (r.charCodeAt(0)) {
        case 78: { // N: new names, NUL-terminated
          let from = 1
          for (let end = r.indexOf('\0', from); end !== -1; end = r.indexOf('\0', from)) {
            names.push(r.slice(from, end))
            from = end + 1
          }
          return readTape(names, event.id)
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

  /** As `advanceTo`, returning the outcome with the journal entries the clock made. */
  advance (program, at) {
    const t = iso('at', at)
    return fromCore(JSON.parse(call(() => this._native.advance(program._native, t))))
  }

  /** The journal seq of the first statement entry the snapshot still keeps. */
  get statementStart () { return this._native.statementStart }

  /** Reads a snapshot of an earlier format: `{ account, journal }` (store the journal first). */
  static migrate (program, text) {
    const r = JSON.parse(call(() => native.migrate(program._native, text)))
    return { account: Account.fromJson(r.snapshot), journal: fromCore(r.journal) }
  }

  balances (program, asOf) {
    const t = iso('asOf', asOf)
    return fromCore(JSON.parse(call(() => this._native.balances(program._native, t))))
  }

  /** Stored value as of `asOf`: principal, bonus, available and liability, as decimal strings. */
  storedValue (program, asOf) {
    const t = iso('asOf', asOf)
    return JSON.parse(call(() => this._native.storedValue(program._native, t)))
  }

  coupons (asOf) {
    const t = iso('asOf', asOf)
    return fromCore(JSON.parse(call(() => this._native.coupons(t))))
  }

  quoteCheckout (program, checkout, at) {
    const t = iso('at', at)
    if (!checkout || typeof checkout !== 'object') throw new TypeError(`checkout: ${JSON.stringify(checkout)} must be an object`)
    // `storedValue` is a yes/no here (an amount in an order): set it after the conversion.
    const { storedValue, ...rest } = checkout
    if (storedValue !== undefined && typeof storedValue !== 'boolean') throw new TypeError(`storedValue: ${JSON.stringify(storedValue)} must be true or false`)
    const core = toCore(rest, 'checkout')
    if (storedValue !== undefined) core.stored_value = storedValue
    const body = JSON.stringify(core)
    return fromCore(JSON.parse(call(() => this._native.quoteCheckout(program._native, body, t))))
  }

  quoteReturn (program, orderId, returned, at) {
    if (typeof returned !== 'string') throw new TypeError(`returned: ${JSON.stringify(returned)} is a ${typeof returned}; money must be a decimal string like "19.99"`)
    const t = iso('at', at)
    return fromCore(JSON.parse(call(() => this._native.quoteReturn(program._native, orderId, returned, t))))
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
    // The merged member's journal is the combined statement, numbered afresh (as the core's).
    const format = native.journalFormat()
    const journal = entries.map((e, seq) => ({ format, seq, at: e.at, eventId: e.eventId, effects: e.effects }))
    return { account: merged, outcome: { effects: entries[entries.length - 1].effects, duplicate: false, revision: merged.revision, journal } }
  }
}

/**
 * Renders page `page` (0 is the newest) of a statement from journal entries (as outcomes
 * carry them, or the JSON text a host stored), from seq 0 or from a later entry with
 * `opening` the balance before it.
 */
function statementPage (entries, { opening = 0, page = 0, perPage = 50 } = {}) {
  const rows = entries.map((e) => {
    if (typeof e === 'string') return JSON.parse(e)
    const row = toCore(e)
    row.effects = row.effects.map((x) => ({ ...x, type: snake(x.type) }))
    return row
  })
  const r = JSON.parse(call(() => native.statementPage(JSON.stringify(rows), opening, page, perPage)))
  return fromCore(r)
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

module.exports = {
  Program,
  Account,
  statementPage,
  transfer,
  ...analytics,
  LoyaltyError,
  ProgramError,
  EventError,
  SnapshotError,
  AnalyticsError,
  ClvError,
  InvalidInputError,
  InternalError
}
