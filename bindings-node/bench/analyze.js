'use strict'
// `analyze` on N orders from N members (one order each: the widest result per order), as
// columns: BigUint64Array ids, BigInt64Array seconds and minor units. Prints one JSON line:
// the best and median time of the call (data made before timing) and the process's peak RSS.
//
// Usage: node bench/analyze.js [ORDERS] [REPEAT]    (bench/analyze_node_python.sh runs it beside Python)
const loyalty = require('..')

async function main () {
  const n = Number(process.argv[2] || 1000000)
  const repeat = Number(process.argv[3] || 3)
  const memberId = new BigUint64Array(n)
  const orderedAt = new BigInt64Array(n)
  const amountMinor = new BigInt64Array(n)
  let seed = 7
  const next = () => { seed = (seed * 48271) % 2147483647; return seed } // Park-Miller: exact in doubles
  for (let i = 0; i < n; i++) {
    memberId[i] = BigInt(i)
    orderedAt[i] = 1672531200n + BigInt(next() % 47304000) // 2023-01-01 plus up to 1.5 years
    amountMinor[i] = BigInt(100 + (next() % 20000))
  }
  const times = []
  let members = 0
  for (let r = 0; r < repeat; r++) {
    const t0 = process.hrtime.bigint()
    const out = await loyalty.analyze({ memberId, orderedAt, amountMinor }, { asOf: '2024-07-01T00:00:00Z' })
    times.push(Number(process.hrtime.bigint() - t0) / 1e9)
    members = out.length
  }
  times.sort((a, b) => a - b)
  const rss = require('node:process').resourceUsage().maxRSS // KiB
  console.log(JSON.stringify({ impl: 'node', orders: n, members, best_s: times[0], median_s: times[times.length >> 1], peak_rss_mb: Math.round(rss / 1024) }))
}

main()
