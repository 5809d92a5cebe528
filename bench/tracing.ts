// npm run bench:tracing — what tracing costs: the same system with tracing off (OTEL_TRACES_SAMPLER=always_off)
// and on at 100 % (every span exported to the console), side by side in one run: the gateway's cached product
// list under wrk, and checkouts confirmed end to end. BENCH_PSS_MINUTES=5 then keeps a checkout load on the
// traced system that long and prints the memory (PSS) of the whole process tree, the console included.
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { bootSystem, call, machine, prepareBuyers, pssByName, runCheckout } from './support.js'

const run = promisify(execFile)
const ORDERS = Number(process.env.BENCH_ORDERS ?? 150)
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 8)
const WRK_SECONDS = Number(process.env.BENCH_WRK_SECONDS ?? 10)
const PSS_MINUTES = Number(process.env.BENCH_PSS_MINUTES ?? 0)

/** Requests per second wrk gets from a URL (one thread, 50 connections). */
async function wrk(url: string, seconds = WRK_SECONDS): Promise<number> {
  const { stdout } = await run('wrk', ['-t1', '-c50', `-d${seconds}s`, url]).catch((err) => {
    throw new Error(`wrk failed (apt-get install wrk): ${(err as Error).message}`)
  })
  return Number(/Requests\/sec:\s+([\d.]+)/.exec(stdout)?.[1] ?? Number.NaN)
}

/**
 * A freshly booted system is still compiling its hot paths and finishing its start-up work, so a single
 * run right after boot moved the ratio between 0.73× and 0.99× for the same code: warm up first, then take
 * the median of three runs.
 */
async function steadyWrk(url: string): Promise<number> {
  await wrk(url, 3)
  const runs = [await wrk(url), await wrk(url), await wrk(url)].sort((a, b) => a - b)
  return runs[1]!
}

interface Figures {
  cachedList: number
  ordersPerSecond: number
  failed: number
  pssMb?: number
  pssByName?: Map<string, number>
}

async function measure(sampler: string, pssMinutes = 0): Promise<Figures> {
  const system = await bootSystem({ OTEL_TRACES_SAMPLER: sampler })
  try {
    const list = `${system.base}/api/products?pageSize=20`
    await call(system.base, '/api/products?pageSize=20')
    const cachedList = await steadyWrk(list)
    const tokens = await prepareBuyers(system.base, CONCURRENCY)
    const { ordersPerSecond, failures } = await runCheckout(system.base, tokens, ORDERS)
    const failed = failures.length
    if (pssMinutes <= 0) return { cachedList, ordersPerSecond, failed }
    const until = Date.now() + pssMinutes * 60_000
    while (Date.now() < until) await runCheckout(system.base, tokens, 50, 0)
    const byName = await pssByName(system.launcherPid)
    const pssMb = [...byName.values()].reduce((a, b) => a + b, 0) / 1024
    return { cachedList, ordersPerSecond, failed, pssMb, pssByName: byName }
  } finally {
    await system.stop()
  }
}

const off = await measure('always_off')
const on = await measure('always_on', PSS_MINUTES)
const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}×`
console.log(
  `tracing benchmark (${machine()}), ${ORDERS} orders at ${CONCURRENCY} buyers, wrk -t1 -c50 ${WRK_SECONDS} s`,
)
console.log('| figure | tracing off | tracing on (100 %) | on / off |')
console.log('|---|---|---|---|')
console.log(
  `| GET /api/products?pageSize=20 (cached), req/s | ${off.cachedList.toFixed(0)} | ${on.cachedList.toFixed(0)} | ${ratio(on.cachedList, off.cachedList)} |`,
)
console.log(
  `| checkout, orders/s confirmed | ${off.ordersPerSecond.toFixed(1)} | ${on.ordersPerSecond.toFixed(1)} | ${ratio(on.ordersPerSecond, off.ordersPerSecond)} |`,
)
console.log(`| checkout, orders refused (503) | ${off.failed} | ${on.failed} | |`)
if (on.pssMb !== undefined)
  console.log(
    `PSS of the whole system after ${PSS_MINUTES} min of checkouts, traced: ${on.pssMb.toFixed(0)} MB`,
  )
if (on.pssByName) {
  console.log('| process | PSS, MB |')
  console.log('|---|---|')
  for (const [name, kb] of [...on.pssByName].sort((a, b) => b[1] - a[1]))
    console.log(`| ${name} | ${(kb / 1024).toFixed(0)} |`)
}
