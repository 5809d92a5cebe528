// npm run bench:tracing — what tracing costs: the same system with tracing off (OTEL_TRACES_SAMPLER=always_off)
// and on at 100 % (every span exported to the console), both running and measured in alternating turns: the
// gateway's cached product list under wrk, and checkouts confirmed end to end. BENCH_PSS_MINUTES=5 then keeps a checkout load on the
// traced system that long and prints the memory (PSS) of the whole process tree, the console included.
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { bootSystem, call, machine, prepareBuyers, pssByName, runCheckout, type System } from './support.js'

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

interface Figures {
  cachedList: number
  ordersPerSecond: number
  failed: number
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1]!

/**
 * Both systems run at once, measured in turns: off, on, off, on… Measured one after the other, minutes
 * apart, the same code moved this ratio between 0.72× and 0.99× as the machine's speed drifted; taken in
 * alternation, a drift weighs on both sides alike. The first turn of each is a warm-up (a fresh system is
 * still compiling its hot paths); then the median of ROUNDS turns.
 */
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3)
const [off, on] = [
  await bootSystem({ OTEL_TRACES_SAMPLER: 'always_off' }),
  await bootSystem({ OTEL_TRACES_SAMPLER: 'always_on' }),
]
const figures = new Map<System, Figures>()
let pssMb: number | undefined
let byName: Map<string, number> | undefined
try {
  const systems = [off, on]
  const buyers = new Map<System, string[]>()
  for (const system of systems) {
    await call(system.base, '/api/products?pageSize=20')
    await wrk(`${system.base}/api/products?pageSize=20`, 3)
    buyers.set(system, await prepareBuyers(system.base, CONCURRENCY))
  }
  const lists = new Map<System, number[]>(systems.map((s) => [s, []]))
  const rates = new Map<System, number[]>(systems.map((s) => [s, []]))
  const failed = new Map<System, number>(systems.map((s) => [s, 0]))
  for (let round = 0; round < ROUNDS; round++)
    for (const system of systems)
      lists.get(system)!.push(await wrk(`${system.base}/api/products?pageSize=20`))
  for (let round = 0; round < ROUNDS; round++)
    for (const system of systems) {
      const run = await runCheckout(system.base, buyers.get(system)!, Math.ceil(ORDERS / ROUNDS))
      rates.get(system)!.push(run.ordersPerSecond)
      failed.set(system, failed.get(system)! + run.failures.length)
    }
  for (const system of systems)
    figures.set(system, {
      cachedList: median(lists.get(system)!),
      ordersPerSecond: median(rates.get(system)!),
      failed: failed.get(system)!,
    })
  if (PSS_MINUTES > 0) {
    // the traced system alone from here: the PSS is its own after its own load
    await off.stop()
    const until = Date.now() + PSS_MINUTES * 60_000
    while (Date.now() < until) await runCheckout(on.base, buyers.get(on)!, 50, 0)
    byName = await pssByName(on.launcherPid)
    pssMb = [...byName.values()].reduce((a, b) => a + b, 0) / 1024
  }
} finally {
  await off.stop()
  await on.stop()
}
const [offFigures, onFigures] = [figures.get(off)!, figures.get(on)!]
const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}×`
console.log(
  `tracing benchmark (${machine()}), ${ORDERS} orders at ${CONCURRENCY} buyers, wrk -t1 -c50 ${WRK_SECONDS} s, median of ${ROUNDS} alternating turns`,
)
console.log('| figure | tracing off | tracing on (100 %) | on / off |')
console.log('|---|---|---|---|')
console.log(
  `| GET /api/products?pageSize=20 (cached), req/s | ${offFigures.cachedList.toFixed(0)} | ${onFigures.cachedList.toFixed(0)} | ${ratio(onFigures.cachedList, offFigures.cachedList)} |`,
)
console.log(
  `| checkout, orders/s confirmed | ${offFigures.ordersPerSecond.toFixed(1)} | ${onFigures.ordersPerSecond.toFixed(1)} | ${ratio(onFigures.ordersPerSecond, offFigures.ordersPerSecond)} |`,
)
console.log(`| checkout, orders refused (503) | ${offFigures.failed} | ${onFigures.failed} | |`)
if (pssMb !== undefined)
  console.log(`PSS of the whole system after ${PSS_MINUTES} min of checkouts, traced: ${pssMb.toFixed(0)} MB`)
if (byName) {
  console.log('| process | PSS, MB |')
  console.log('|---|---|')
  for (const [name, kb] of [...byName].sort((a, b) => b[1] - a[1]))
    console.log(`| ${name} | ${(kb / 1024).toFixed(0)} |`)
}
