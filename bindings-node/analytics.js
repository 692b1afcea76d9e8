'use strict'
// Batch analytics: RFM with lifecycle tags, program metrics, cohorts, preferences and the CLV
// models, each resolving without blocking the event loop. Orders go in as rows or columns;
// per-member results come back as columns (typed arrays made by the core, not copied), one
// row per member; `rows()` turns columns into objects for small results. Conversions only:
// every rule is in the Rust core.

const native = require('./index.js')
const { ClvError, InvalidInputError, onlyKeys, zone, show, call, settle, iso, scale, fromCore } = require('./support.js')

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

/**
 * Member ids as dense 64-bit codes, coded as Python codes them so ties in RFM (broken by
 * member id) score alike in both: whole numbers >= 0 cross as themselves (1 and 1n are one
 * member); strings are numbered in code-point order of the distinct labels. The two kinds do
 * not mix (is "1" the member 1?), and anything else (null, 1.5, an object) is not an id.
 * `decode(codes)` turns result codes back into ids: a Float64Array when any id was a number
 * (and all are safe integers), else a BigUint64Array; an array of labels for strings.
 */
function memberCodes (memberIds, name = 'memberId') {
  if (memberIds instanceof BigUint64Array) return { codes: memberIds, decode: (codes) => codes }
  if (memberIds === undefined || memberIds === null || typeof memberIds.length !== 'number') {
    throw new TypeError(`${name}: ${show(memberIds)} is not a column`)
  }
  let kind = null
  // Integer ids come back as numbers when any was given as one and all are safe integers.
  let numbers = false
  let safe = true
  const keys = new Array(memberIds.length)
  for (let i = 0; i < memberIds.length; i++) {
    const id = memberIds[i]
    let k
    if (typeof id === 'string') {
      keys[i] = id; k = 'string'
    } else if ((typeof id === 'number' && Number.isSafeInteger(id) && id >= 0) || (typeof id === 'bigint' && id >= 0n && id < 2n ** 64n)) {
      keys[i] = BigInt(id); k = 'integer'
      if (typeof id === 'number') numbers = true
      else if (id > 9007199254740991n) safe = false
    } else {
      throw new InvalidInputError(`${name}[${i}]: ${show(id)} must be a string or a whole number >= 0`, 'invalid_input', `${name}[${i}]`, show(id))
    }
    if (kind === null) kind = k
    if (k !== kind) {
      throw new InvalidInputError(`${name}[${i}]: ${show(id)} is a ${k} among ${kind} ids; use one kind of member id`, 'invalid_input', `${name}[${i}]`, show(id))
    }
  }
  const codes = new BigUint64Array(memberIds.length)
  if (kind !== 'string') {
    for (let i = 0; i < keys.length; i++) codes[i] = keys[i]
    return { codes, decode: numbers && safe ? (c) => Float64Array.from(c, Number) : (c) => c }
  }
  const labels = [...new Set(keys)].sort(byCodePoint)
  const index = new Map(labels.map((label, code) => [label, code]))
  for (let i = 0; i < keys.length; i++) codes[i] = BigInt(index.get(keys[i]))
  return { codes, decode: (c) => Array.from(c, (code) => labels[Number(code)]) }
}

/** Labels (order ids, categories) as codes in order of first appearance, and the labels by code. */
function labelCodes (values, name) {
  if (values === undefined || values === null || typeof values.length !== 'number') {
    throw new TypeError(`${name}: ${show(values)} is not a column`)
  }
  const index = new Map()
  const labels = []
  const codes = new BigUint64Array(values.length)
  for (let i = 0; i < values.length; i++) {
    const v = values[i]
    if (typeof v !== 'string' && !(typeof v === 'number' && Number.isSafeInteger(v)) && typeof v !== 'bigint') {
      throw new InvalidInputError(`${name}[${i}]: ${show(v)} must be a string or a whole number`, 'invalid_input', `${name}[${i}]`, show(v))
    }
    let code = index.get(v)
    if (code === undefined) {
      code = labels.length
      index.set(v, code)
      labels.push(v)
    }
    codes[i] = BigInt(code)
  }
  return { codes, labels }
}

/** The columns of rows (objects), or the columns given, each checked to be one. */
function columnsOf (input, names, what) {
  if (Array.isArray(input)) {
    const out = {}
    for (const n of names) out[n] = input.map((row) => row[n])
    return out
  }
  if (input && typeof input === 'object') return input
  throw new TypeError(`${what}: expected an array of rows or an object of columns`)
}

/**
 * Orders as the native calls take them, from rows ({ memberId, orderedAt, amountMinor }) or
 * from columns ({ memberId, orderedAt, amountMinor } of arrays or typed arrays: BigInt64Array
 * Unix seconds and minor units cross without copying). Member ids become dense codes;
 * `decode` maps them back.
 */
function orderColumns (orders) {
  let at, cents
  if (Array.isArray(orders)) {
    at = seconds(orders.map((o) => o.orderedAt), 'orders.orderedAt')
    cents = orders.map((o, i) => {
      if (typeof o.amountMinor !== 'number' && typeof o.amountMinor !== 'bigint') {
        throw new TypeError(`orders[${i}].amountMinor: ${JSON.stringify(o.amountMinor)} must be an integer of minor units`)
      }
      return o.amountMinor
    })
  } else if (orders && typeof orders === 'object') {
    at = seconds(orders.orderedAt, 'orderedAt')
    cents = orders.amountMinor
  } else {
    throw new TypeError('orders: expected an array of rows or an object of columns')
  }
  const { codes, decode } = memberCodes(Array.isArray(orders) ? orders.map((o) => o.memberId) : orders.memberId)
  const amounts = integers(cents, 'amountMinor', BigInt64Array)
  for (const [name, column] of [['orderedAt', at], ['amountMinor', amounts]]) {
    if (column.length !== codes.length) throw new TypeError(`${name}: ${column.length} values for ${codes.length} member ids`)
  }
  return { member: bytes(codes), at: bytes(at), cents: bytes(amounts), decode }
}

/** A coded column ({ codes, names }) as an array of its names. */
function names (coded) {
  const { codes, names } = coded
  return Array.from(codes, (c) => names[c])
}

/**
 * RFM, segments and lifecycle tags per member, from rows or columns; resolves without
 * blocking to columns, one row per member: `memberId`, `recencyDays`, `frequency`,
 * `monetaryMinor` (BigInt64Array), `r`, `f`, `m` (Uint8Array), `segment`, `valueSegment`,
 * `stage`, `activity` (arrays of names), `daysSinceLast`, `cycleDays` (NaN with one purchase
 * day), `overdue`, `churnWarning` (0 or 1), and `length`.
 */
async function analyze (orders, options) {
  onlyKeys(options, ['asOf', 'timeZone', 'scale'])
  const asOf = iso('asOf', options.asOf)
  const c = orderColumns(orders)
  const raw = await settle(call(() => native.analyze(c.member, c.at, c.cents, asOf, zone(options), scale(options))))
  return {
    length: raw.memberId.length,
    memberId: c.decode(raw.memberId),
    recencyDays: raw.recencyDays,
    frequency: raw.frequency,
    monetaryMinor: raw.monetaryMinor,
    r: raw.r,
    f: raw.f,
    m: raw.m,
    segment: names(raw.segment),
    valueSegment: names(raw.valueSegment),
    stage: names(raw.stage),
    activity: names(raw.activity),
    daysSinceLast: raw.daysSinceLast,
    cycleDays: raw.cycleDays,
    overdue: raw.overdue,
    churnWarning: raw.churnWarning
  }
}

/**
 * Columns (an object of equally long arrays or typed arrays, as `analyze` returns) as an
 * array of row objects: handy for a few members, heavy for millions. `cycleDays` NaN
 * becomes null and 0/1 flags of `overdue` and `churnWarning` become booleans.
 */
function rows (columns) {
  const keys = Object.keys(columns).filter((k) => k !== 'length' && columns[k] && typeof columns[k].length === 'number' && typeof columns[k] !== 'string')
  const n = keys.length ? columns[keys[0]].length : 0
  const out = new Array(n)
  for (let i = 0; i < n; i++) {
    const row = {}
    for (const k of keys) {
      let v = columns[k][i]
      if (k === 'overdue' || k === 'churnWarning') v = v === 1
      else if (typeof v === 'number' && Number.isNaN(v)) v = null
      row[k] = v
    }
    out[i] = row
  }
  return out
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


/**
 * The retention matrix, long form: one row per (cohort month, months since first order)
 * with the cohort's size and how many of its members ordered that month; resolves to
 * columns `cohort` (YYYY-MM), `monthsSince`, `members`, `active`.
 */
async function cohorts (orders, options) {
  onlyKeys(options, ['asOf', 'timeZone'])
  const asOf = iso('asOf', options.asOf)
  const c = orderColumns(orders)
  const json = await settle(call(() => native.cohorts(c.member, c.at, c.cents, asOf, zone(options))))
  const out = { cohort: [], monthsSince: [], members: [], active: [] }
  for (const row of JSON.parse(json)) {
    row.active.forEach((active, n) => {
      out.cohort.push(row.month)
      out.monthsSince.push(n)
      out.members.push(row.members)
      out.active.push(active)
    })
  }
  return out
}

/**
 * One row per member from order lines (rows or columns of `memberId`, `orderId`,
 * `category`, `amountMinor` and optionally `discountMinor`): the top category by spend (a
 * tie goes to the smallest label), the price band of the mean line amount (`low` / `mid` /
 * `high`; bounds in minor units from `priceBands`, or by thirds of the members ranked by
 * mean line amount) and promotion sensitivity (`high` from `promotionHighPercent` of orders
 * with a discount, `medium` from `promotionMediumPercent`). Resolves to columns, with the
 * bounds used as `priceBands` ([low, high] BigInts).
 */
async function preferences (lines, options = {}) {
  onlyKeys(options, ['priceBands', 'promotionHighPercent', 'promotionMediumPercent'])
  const cols = columnsOf(lines, ['memberId', 'orderId', 'category', 'amountMinor', 'discountMinor'], 'lines')
  const members = memberCodes(cols.memberId)
  const orders = labelCodes(cols.orderId, 'orderId')
  const categories = labelCodes(cols.category, 'category')
  const amounts = integers(cols.amountMinor, 'amountMinor', BigInt64Array)
  const discounts = cols.discountMinor === undefined ? new BigInt64Array(amounts.length) : integers(cols.discountMinor, 'discountMinor', BigInt64Array)
  for (const [name, column] of [['orderId', orders.codes], ['category', categories.codes], ['amountMinor', amounts], ['discountMinor', discounts]]) {
    if (column.length !== members.codes.length) throw new TypeError(`${name}: ${column.length} values for ${members.codes.length} member ids`)
  }
  // Ties for the top category go to the smallest label (code-point order), whatever order the lines came in.
  const byLabel = categories.labels.map((_, code) => code).sort((a, b) => {
    const [x, y] = [categories.labels[a], categories.labels[b]]
    return typeof x === 'string' && typeof y === 'string' ? byCodePoint(x, y) : (x < y ? -1 : x > y ? 1 : 0)
  })
  const rank = new Array(byLabel.length)
  byLabel.forEach((code, position) => { rank[code] = position })
  let bands = null
  if (options.priceBands !== undefined) {
    const b = options.priceBands
    if (!Array.isArray(b) || b.length !== 2) {
      throw new InvalidInputError(`priceBands: ${show(b)} must be two bounds [low, high] in minor units`, 'invalid_input', 'priceBands', show(b))
    }
    bands = Array.from(integers(b, 'priceBands', BigInt64Array), Number)
  }
  const percent = (name, fallback) => {
    const v = options[name] === undefined ? fallback : options[name]
    if (!Number.isInteger(v) || v < 0) throw new InvalidInputError(`${name}: ${show(v)} must be a whole percentage`, 'invalid_input', name, show(v))
    return v
  }
  const raw = await settle(call(() => native.preferences(bytes(members.codes), bytes(orders.codes), bytes(categories.codes), bytes(amounts),
    bytes(discounts), bands, percent('promotionHighPercent', 50), percent('promotionMediumPercent', 20), rank)))
  return {
    length: raw.memberId.length,
    memberId: members.decode(raw.memberId),
    topCategory: Array.from(raw.topCategory, (code) => categories.labels[code]),
    topCategoryMinor: raw.topCategoryMinor,
    spendMinor: raw.spendMinor,
    lines: raw.lines,
    priceBand: names(raw.priceBand),
    orders: raw.orders,
    discountedOrders: raw.discountedOrders,
    promotion: names(raw.promotion),
    priceBands: Array.from(raw.priceBands)
  }
}

/** A Unix day number from a `YYYY-MM-DD` string (a calendar day, no time zone to guess). */
function unixDay (name, day) {
  const m = typeof day === 'string' ? /^(\d{4})-(\d{2})-(\d{2})$/.exec(day) : null
  const ms = m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) : NaN
  if (!m || new Date(ms).toISOString().slice(0, 10) !== day) {
    throw new InvalidInputError(`${name}: ${show(day)} must be a calendar day as YYYY-MM-DD`, 'invalid_input', name, show(day))
  }
  return ms / 86400000
}

/** A column of numbers as a Float64Array (no copy when it is one). */
function float64 (summary, name) {
  const column = summary === null || typeof summary !== 'object' ? undefined : summary[name]
  if (column instanceof Float64Array) return column
  if (column === undefined || column === null || typeof column.length !== 'number') {
    throw new InvalidInputError(`${name}: ${show(column)} is not a column of the summary`, 'invalid_input', name, show(column))
  }
  return Float64Array.from(column, Number)
}

function customers (summary) {
  return [float64(summary, 'frequency'), float64(summary, 'recency'), float64(summary, 'T')]
}

/**
 * The CLV models' summary of an order log: per member `frequency` (repeat purchase days),
 * `recency` and `T` (in `unit`s, `week` by default, or `day`), `monetary` (mean value of
 * repeat purchase days, in currency units: minor units / 10^scale) and `holdoutFrequency`.
 * `calibrationEnd` (and `holdoutEnd`) are calendar days, `YYYY-MM-DD`.
 */
async function summary (orders, options) {
  onlyKeys(options, ['calibrationEnd', 'holdoutEnd', 'unit', 'scale'])
  const end = unixDay('calibrationEnd', options.calibrationEnd)
  const holdout = options.holdoutEnd === undefined ? null : unixDay('holdoutEnd', options.holdoutEnd)
  const unit = options.unit === undefined ? 'week' : options.unit
  const digits = scale(options)
  const c = orderColumns(orders)
  const raw = await settle(call(() => native.clvSummary(c.member, c.at, c.cents, end, holdout, unit)))
  const divisor = 10 ** digits
  return {
    length: raw.memberId.length,
    memberId: c.decode(raw.memberId),
    frequency: raw.frequency,
    recency: raw.recency,
    T: raw.T,
    monetary: raw.monetaryMinor.map((v) => v / divisor),
    holdoutFrequency: raw.holdoutFrequency
  }
}

/** A fitted BG/NBD model of repeat purchasing (Fader, Hardie and Lee 2005). */
class BgNbd {
  constructor (r, alpha, a, b, logLikelihood = NaN) {
    Object.assign(this, { r, alpha, a, b, logLikelihood })
    Object.freeze(this)
  }

  get params () { return [this.r, this.alpha, this.a, this.b] }

  /** Fits on a summary's `frequency`, `recency` and `T` columns. */
  static async fit (summary) {
    const fit = await settle(call(() => native.bgnbdFit(...customers(summary))))
    return new BgNbd(...fit.params, fit.logLikelihood)
  }

  /**
   * Per member: `pAlive`, `expectedPurchases` in the next `horizon` periods and `churnRisk`
   * (`high` below the first of `churnThresholds`, `low` from the second, `medium` between).
   */
  async predict (summary, horizon, options = {}) {
    onlyKeys(options, ['churnThresholds'])
    const [high, low] = options.churnThresholds === undefined ? [0.3, 0.7] : options.churnThresholds
    const raw = await settle(call(() => native.bgnbdPredict(this.params, ...customers(summary), horizon, high, low)))
    return { pAlive: raw.pAlive, expectedPurchases: raw.expectedPurchases, churnRisk: names(raw.churnRisk) }
  }

  /** P(exactly k purchases in the next `horizon` periods | history) for k from 0 to
   * `purchases`: one Float64Array per k, a value per member. */
  async purchaseProbabilities (summary, horizon, purchases = 3) {
    if (!Number.isInteger(purchases) || purchases < 0) {
      throw new ClvError(`purchases: ${show(purchases)} must be at least 0`, 'invalid', 'purchases', show(purchases))
    }
    const flat = await settle(call(() => native.bgnbdPurchaseProbabilities(this.params, ...customers(summary), horizon, purchases)))
    const width = purchases + 1
    const n = flat.length / width
    return Array.from({ length: width }, (_, k) => Float64Array.from({ length: n }, (_, i) => flat[i * width + k]))
  }

  /** The population curve: for each horizon `t`, the expected purchases of a new customer
   * and P(X(t) = k) for k from 0 to `purchases` (`p[i][k]`). */
  population (horizons, purchases = 10) {
    if (!Number.isInteger(purchases) || purchases < 0) {
      throw new ClvError(`purchases: ${show(purchases)} must be at least 0`, 'invalid', 'purchases', show(purchases))
    }
    const ts = Array.from(horizons, Number)
    const ks = Array.from({ length: purchases + 1 }, (_, k) => k)
    const raw = call(() => native.bgnbdPopulation(this.params, ts, ks))
    return { t: ts, expectedPurchases: raw.expectedPurchases, p: raw.probabilities }
  }
}

/** A fitted Gamma-Gamma model of value per purchase (Fader, Hardie and Lee 2005). */
class GammaGamma {
  constructor (p, q, gamma, logLikelihood = NaN) {
    Object.assign(this, { p, q, gamma, logLikelihood })
    Object.freeze(this)
  }

  get params () { return [this.p, this.q, this.gamma] }

  /** Fits on the repeat customers of a summary's `frequency` and `monetary` columns. */
  static async fit (summary) {
    const fit = await settle(call(() => native.gammaGammaFit(float64(summary, 'frequency'), float64(summary, 'monetary'))))
    return new GammaGamma(...fit.params, fit.logLikelihood)
  }

  /** Each member's expected value per purchase (the population mean without repeats). */
  async expectedValue (summary) {
    return settle(call(() => native.gammaGammaExpected(this.params, float64(summary, 'frequency'), float64(summary, 'monetary'))))
  }

  /** Each member's value per purchase (this model) times the expected purchases in each of
   * the next `horizon` periods (`bgnbd`), discounted at `discountRate` per period, summed. */
  async lifetimeValue (summary, bgnbd, horizon, discountRate = 0) {
    if (!(bgnbd instanceof BgNbd)) throw new InvalidInputError(`bgnbd: ${show(bgnbd)} must be a BgNbd`, 'invalid_input', 'bgnbd', show(bgnbd))
    return settle(call(() => native.lifetimeValues(bgnbd.params, this.params, ...customers(summary), float64(summary, 'monetary'), horizon, discountRate)))
  }
}

const clv = { summary, BgNbd, GammaGamma }

/**
 * What-if simulation: the orders (rows or columns, `amountMinor` in minor units of the
 * programs' shared currency) replayed under each program, month by month. Members redeem by a
 * seeded behaviour: after each order, when their usable points cover the reward (`redeem`:
 * `'cheapest'`, `'none'` or a reward id every program has), with `probability`; the same
 * `seed` gives the same numbers on any number of `threads`. Draws are keyed by member:
 * whole-number ids as themselves, text ids by their rank in code-point order (as Python and
 * the `replay` command key them). Resolves to one run per program,
 * as the core lays it out (camelCased): totals, balances, liability, `expiring` within
 * 30/60/90 days, `breakageRate` and `costPerRevenue` (decimal strings or null), and `months`
 * (orders, revenue, points movements, `outstanding`, `liability`, `membersByTier`, `flows`,
 * `upgradedInto`, `downgradedInto`, entry rewards), `month` as `YYYY-MM-DD`.
 */
async function simulate (orders, programs, options) {
  onlyKeys(options, ['asOf', 'redeem', 'probability', 'seed', 'threads'])
  if (!Array.isArray(programs) || programs.length === 0 || !programs.every((p) => p && typeof p.toJson === 'function')) {
    throw new InvalidInputError('programs: give one or more Program', 'invalid_input', 'programs', show(programs))
  }
  const asOf = iso('asOf', options.asOf)
  const redeem = options.redeem === undefined ? 'cheapest' : options.redeem
  if (typeof redeem !== 'string') throw new InvalidInputError(`redeem: ${show(redeem)} must be a string`, 'invalid_input', 'redeem', show(redeem))
  const probability = options.probability === undefined ? 1 : options.probability
  if (typeof probability !== 'number') {
    throw new InvalidInputError(`probability: ${show(probability)} must be a number`, 'invalid_input', 'probability', show(probability))
  }
  const seed = options.seed === undefined ? 0n : options.seed
  if ((typeof seed !== 'number' && typeof seed !== 'bigint') || (typeof seed === 'number' && !Number.isSafeInteger(seed)) ||
      BigInt(seed) < 0n || BigInt(seed) >= 2n ** 64n) {
    throw new InvalidInputError(`seed: ${show(seed)} must be a whole number from 0 to 2**64 - 1`, 'invalid_input', 'seed', show(seed))
  }
  const threads = options.threads === undefined ? 1 : options.threads
  if (!Number.isInteger(threads) || threads < 1 || threads > 64) {
    throw new InvalidInputError(`threads: ${show(threads)} must be a whole number from 1 to 64`, 'invalid_input', 'threads', show(threads))
  }
  const c = orderColumns(orders)
  const json = await settle(call(() => native.simulate(c.member, c.at, c.cents, programs.map((p) => p.toJson()), asOf, redeem,
    probability, BigInt(seed).toString(), threads)))
  return fromCore(JSON.parse(json))
}

module.exports = { analyze, metrics, cohorts, preferences, rows, clv, simulate }
