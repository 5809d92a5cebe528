// npm run bench:checkout — time from POST /api/orders to CONFIRMED over the whole system, as `microshop up` runs it.
// Baseline in the same run: the time to the 202 answer. Prints p50/p99 of both and their ratio, the throughput, and
// the CPU every process of the system used per confirmed order (PostgreSQL's backends by database).
import {
  bootSystem,
  cpuBetween,
  cpuSnapshot,
  machine,
  percentile,
  prepareBuyers,
  runCheckout,
} from './support.js'

const ORDERS = Number(process.env.BENCH_ORDERS ?? 200)
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 8)

const system = await bootSystem()
try {
  const tokens = await prepareBuyers(system.base, CONCURRENCY)
  await runCheckout(system.base, tokens, 10, 0) // warm-up, outside the CPU count
  const before = await cpuSnapshot(system.launcherPid)
  const { accepted, confirmed, ordersPerSecond, failures } = await runCheckout(system.base, tokens, ORDERS, 0)
  const cpu = cpuBetween(before, await cpuSnapshot(system.launcherPid))
  const row = (name: string, xs: number[]) =>
    `${name.padEnd(28)} p50 ${percentile(xs, 50).toFixed(1).padStart(7)} ms   p99 ${percentile(xs, 99).toFixed(1).padStart(7)} ms`
  console.log(
    `checkout benchmark (${machine()}): ${ORDERS} orders (+10 warm-up), ${CONCURRENCY} buyers at once`,
  )
  console.log(row('POST → 202 (baseline)', accepted))
  console.log(row('POST → CONFIRMED (SSE)', confirmed))
  console.log(
    `ratio CONFIRMED / 202: p50 ${(percentile(confirmed, 50) / percentile(accepted, 50)).toFixed(2)}×, p99 ${(percentile(confirmed, 99) / percentile(accepted, 99)).toFixed(2)}×`,
  )
  console.log(`throughput ${ordersPerSecond.toFixed(1)} orders/s confirmed end to end`)
  if (failures.length > 0) console.log(`refused: ${failures.length} orders, first: ${failures[0]}`)
  const total = [...cpu.values()].reduce((a, b) => a + b, 0)
  const perOrder = (s: number) => ((s * 1000) / Math.max(1, confirmed.length)).toFixed(1)
  console.log(`CPU per confirmed order, every process: ${perOrder(total)} ms`)
  console.log('| process | CPU ms / order | share |')
  console.log('|---|---|---|')
  for (const [name, s] of [...cpu].filter(([, s]) => s > 0).sort((a, b) => b[1] - a[1]))
    console.log(`| ${name} | ${perOrder(s)} | ${((100 * s) / total).toFixed(0)} % |`)
} finally {
  await system.stop()
}
