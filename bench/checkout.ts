// npm run bench:checkout — checkouts over the whole system, as `microshop up` runs it, confirmed end to end.
// 0. Idle: the CPU every process uses in BENCH_IDLE_SECONDS (10) with no order in flight, per second: the
//    timers, polls and heartbeats a system pays whatever its load. Then the warm-up: BENCH_WARMUP (200)
//    orders, not counted.
// 1. Saturation: BENCH_BUYERS (64) buyers at once, each placing an order and waiting for CONFIRMED over SSE,
//    then the next: orders/s confirmed, orders refused, and the CPU every process used per confirmed order
//    (PostgreSQL's backends by database).
// 2. Half load: orders started at a steady 50 % of that rate: p50/p99 of POST → 202 (the baseline, same run)
//    and POST → CONFIRMED.
// 3. With --in-process (or BENCH_IN_PROCESS=1), both again on `microshop up --in-process` (every service in one
//    Node process, peers called without the network), and distributed / in-process side by side.
import {
  bootSystem,
  cpuBetween,
  cpuSnapshot,
  machine,
  percentile,
  placeOrder,
  prepareBuyers,
  runCheckout,
  type System,
  statusReached,
} from './support.js'

const ORDERS = Number(process.env.BENCH_ORDERS ?? 300)
const BUYERS = Number(process.env.BENCH_BUYERS ?? process.env.BENCH_CONCURRENCY ?? 64)
const HALF_SECONDS = Number(process.env.BENCH_HALF_SECONDS ?? 20)
const WARMUP = Number(process.env.BENCH_WARMUP ?? 200)
const IDLE_SECONDS = Number(process.env.BENCH_IDLE_SECONDS ?? 10)
// after start, before the idle window: the first seconds still hold start-up work (V8 collecting what the
// start left, the first heartbeats)
const SETTLE_SECONDS = 5
// `npm run bench:checkout -- --in-process`: the same bench again on `microshop up --in-process`, and the ratio
const IN_PROCESS = process.argv.includes('--in-process') || process.env.BENCH_IN_PROCESS === '1'

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

/** The bench on one system: saturation with its CPU per process, then the steady half load. */
async function measure(system: System) {
  const tokens = await prepareBuyers(system.base, BUYERS)
  await new Promise((r) => setTimeout(r, SETTLE_SECONDS * 1000))
  const idleFrom = await cpuSnapshot(system.launcherPid)
  await new Promise((r) => setTimeout(r, IDLE_SECONDS * 1000))
  const idle = cpuBetween(idleFrom, await cpuSnapshot(system.launcherPid))
  const idleMsPerSecond = ([...idle.values()].reduce((a, b) => a + b, 0) * 1000) / IDLE_SECONDS
  // warm-up, outside the counts: V8 optimises a function only after enough calls. After 40 orders, a CPU
  // profile of every process still found ~16 % of the services' CPU in TurboFan, compiling what had got hot
  await runCheckout(system.base, tokens, WARMUP, 0)
  const before = await cpuSnapshot(system.launcherPid)
  const saturated = await runCheckout(system.base, tokens, ORDERS, 0)
  const cpu = cpuBetween(before, await cpuSnapshot(system.launcherPid))
  const half = await steadyLoad(system.base, tokens, saturated.ordersPerSecond / 2, HALF_SECONDS)
  const cpuTotal = [...cpu.values()].reduce((a, b) => a + b, 0)
  const cpuPerOrderMs = (cpuTotal * 1000) / Math.max(1, saturated.confirmed.length)
  return { saturated, cpu, cpuTotal, cpuPerOrderMs, half, idleMsPerSecond }
}

type Figures = Awaited<ReturnType<typeof measure>>

const ms = (xs: number[], p: number) => percentile(xs, p).toFixed(0).padStart(6)

function report(title: string, { saturated, cpu, cpuTotal, cpuPerOrderMs, half, idleMsPerSecond }: Figures) {
  console.log(`${title} (${machine()})`)
  console.log(`| figure | value |`)
  console.log('|---|---|')
  console.log(
    `| saturated, ${BUYERS} buyers at once, ${ORDERS} orders after ${WARMUP} to warm up: orders/s confirmed end to end | ${saturated.ordersPerSecond.toFixed(1)} |`,
  )
  console.log(`| refused at ${BUYERS} buyers (errors) | ${saturated.failures.length} |`)
  const half202 = `p50 ${ms(half.accepted, 50)} ms, p99 ${ms(half.accepted, 99)} ms`
  const halfConfirmed = `p50 ${ms(half.confirmed, 50)} ms, p99 ${ms(half.confirmed, 99)} ms`
  const rate = (saturated.ordersPerSecond / 2).toFixed(1)
  console.log(`| at 50 % (${rate} orders/s for ${HALF_SECONDS} s): POST → 202 (baseline) | ${half202} |`)
  console.log(`| at 50 %: POST → CONFIRMED | ${halfConfirmed} |`)
  console.log(`| at 50 %: refused | ${half.failures.length} |`)
  const perOrder = (s: number) => ((s * 1000) / Math.max(1, saturated.confirmed.length)).toFixed(1)
  console.log(`| CPU per confirmed order, every process | ${cpuPerOrderMs.toFixed(1)} ms |`)
  console.log(
    `| idle, no order in flight (${IDLE_SECONDS} s): CPU of every process | ${idleMsPerSecond.toFixed(1)} ms per second |`,
  )
  for (const failure of [...saturated.failures, ...half.failures].slice(0, 3))
    console.log(`refused: ${failure}`)
  console.log('| process | CPU ms / order | share |')
  console.log('|---|---|---|')
  for (const [name, s] of [...cpu].filter(([, s]) => s > 0).sort((a, b) => b[1] - a[1]))
    console.log(`| ${name} | ${perOrder(s)} | ${((100 * s) / cpuTotal).toFixed(0)} % |`)
}

/** The microservices tax: the same bench on the system as processes and as one process, side by side. */
function reportTax(distributed: Figures, inProcess: Figures) {
  const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}×`
  const p99 = (f: Figures) => percentile(f.half.confirmed, 99)
  console.log(`the microservices tax, same run (${machine()})`)
  console.log('| figure | distributed | in-process | distributed / in-process |')
  console.log('|---|---|---|---|')
  const [d, i] = [distributed.saturated.ordersPerSecond, inProcess.saturated.ordersPerSecond]
  console.log(`| orders/s confirmed, saturated | ${d.toFixed(1)} | ${i.toFixed(1)} | ${ratio(d, i)} |`)
  const [dc, ic] = [distributed.cpuPerOrderMs, inProcess.cpuPerOrderMs]
  console.log(`| CPU per confirmed order | ${dc.toFixed(1)} ms | ${ic.toFixed(1)} ms | ${ratio(dc, ic)} |`)
  console.log(
    `| p99 POST → CONFIRMED at 50 % | ${p99(distributed).toFixed(0)} ms | ${p99(inProcess).toFixed(0)} ms | ${ratio(p99(distributed), p99(inProcess))} |`,
  )
  const refused = (f: Figures) => f.saturated.failures.length + f.half.failures.length
  console.log(`| refused | ${refused(distributed)} | ${refused(inProcess)} | |`)
}

async function benchOn(args: string[]) {
  const system = await bootSystem({}, args)
  try {
    return await measure(system)
  } finally {
    await system.stop()
  }
}

const distributed = await benchOn([])
report('checkout benchmark', distributed)
if (IN_PROCESS) {
  const inProcess = await benchOn(['--in-process'])
  console.log('')
  report('checkout benchmark, every service in one process (microshop up --in-process)', inProcess)
  console.log('')
  reportTax(distributed, inProcess)
}
