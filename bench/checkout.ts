// npm run bench:checkout — checkouts over the whole system, as `microshop up` runs it, confirmed end to end.
// 1. Saturation: BENCH_BUYERS (64) buyers at once, each placing an order and waiting for CONFIRMED over SSE,
//    then the next: orders/s confirmed, orders refused, and the CPU every process used per confirmed order
//    (PostgreSQL's backends by database).
// 2. Half load: orders started at a steady 50 % of that rate: p50/p99 of POST → 202 (the baseline, same run)
//    and POST → CONFIRMED.
import {
  bootSystem,
  cpuBetween,
  cpuSnapshot,
  machine,
  percentile,
  placeOrder,
  prepareBuyers,
  runCheckout,
  statusReached,
} from './support.js'

const ORDERS = Number(process.env.BENCH_ORDERS ?? 300)
const BUYERS = Number(process.env.BENCH_BUYERS ?? process.env.BENCH_CONCURRENCY ?? 64)
const HALF_SECONDS = Number(process.env.BENCH_HALF_SECONDS ?? 20)

/** Orders started at a steady rate whatever the answers: the latency a shop sees below its capacity. */
async function steadyLoad(base: string, tokens: string[], perSecond: number, seconds: number) {
  const accepted: number[] = []
  const confirmed: number[] = []
  const failures: string[] = []
  const total = Math.max(1, Math.round(perSecond * seconds))
  const started = performance.now()
  await Promise.all(
    Array.from({ length: total }, async (_, n) => {
      const due = started + (n * 1000) / perSecond
      await new Promise((r) => setTimeout(r, Math.max(0, due - performance.now())))
      const t0 = performance.now()
      const token = tokens[n % tokens.length]!
      const placed = await placeOrder(base, token, `half-${n}`).catch((err: unknown) => {
        failures.push((err as Error).message.slice(0, 200))
        return undefined
      })
      if (!placed) return
      accepted.push(performance.now() - t0)
      const at = await statusReached(base, token, placed.orderId, 'CONFIRMED').catch((err: unknown) => {
        failures.push((err as Error).message.slice(0, 300))
        return undefined
      })
      if (at !== undefined) confirmed.push(at - t0)
    }),
  )
  return { accepted: accepted.sort((a, b) => a - b), confirmed: confirmed.sort((a, b) => a - b), failures }
}

const system = await bootSystem()
try {
  const tokens = await prepareBuyers(system.base, BUYERS)
  await runCheckout(system.base, tokens.slice(0, 8), 20, 0) // warm-up, outside the counts
  const before = await cpuSnapshot(system.launcherPid)
  const saturated = await runCheckout(system.base, tokens, ORDERS, 0)
  const cpu = cpuBetween(before, await cpuSnapshot(system.launcherPid))
  const half = await steadyLoad(system.base, tokens, saturated.ordersPerSecond / 2, HALF_SECONDS)

  const ms = (xs: number[], p: number) => percentile(xs, p).toFixed(0).padStart(6)
  console.log(`checkout benchmark (${machine()})`)
  console.log(`| figure | value |`)
  console.log('|---|---|')
  console.log(
    `| saturated, ${BUYERS} buyers at once, ${ORDERS} orders: orders/s confirmed end to end | ${saturated.ordersPerSecond.toFixed(1)} |`,
  )
  console.log(`| refused at ${BUYERS} buyers (errors) | ${saturated.failures.length} |`)
  const half202 = `p50 ${ms(half.accepted, 50)} ms, p99 ${ms(half.accepted, 99)} ms`
  const halfConfirmed = `p50 ${ms(half.confirmed, 50)} ms, p99 ${ms(half.confirmed, 99)} ms`
  const rate = (saturated.ordersPerSecond / 2).toFixed(1)
  console.log(`| at 50 % (${rate} orders/s for ${HALF_SECONDS} s): POST → 202 (baseline) | ${half202} |`)
  console.log(`| at 50 %: POST → CONFIRMED | ${halfConfirmed} |`)
  console.log(`| at 50 %: refused | ${half.failures.length} |`)
  const total = [...cpu.values()].reduce((a, b) => a + b, 0)
  const perOrder = (s: number) => ((s * 1000) / Math.max(1, saturated.confirmed.length)).toFixed(1)
  console.log(`| CPU per confirmed order, every process | ${perOrder(total)} ms |`)
  for (const failure of [...saturated.failures, ...half.failures].slice(0, 3))
    console.log(`refused: ${failure}`)
  console.log('| process | CPU ms / order | share |')
  console.log('|---|---|---|')
  for (const [name, s] of [...cpu].filter(([, s]) => s > 0).sort((a, b) => b[1] - a[1]))
    console.log(`| ${name} | ${perOrder(s)} | ${((100 * s) / total).toFixed(0)} % |`)
} finally {
  await system.stop()
}
