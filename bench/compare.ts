// npm run bench:compare — this checkout against another one (BENCH_BASE: a directory holding another commit,
// installed and built, e.g. `git worktree add ../base <commit> && (cd ../base && npm ci && npm run build)`).
// Both systems are booted side by side and loaded in alternating turns (this, base, base, this, …), so that
// the machine's drift, which moved the same code's CPU per order by ±15 % between runs minutes apart, falls on
// both alike. Prints the CPU per confirmed order of each turn, the medians, the ratio within each turn with a
// bootstrap interval of its median (what tells a change from the noise), and the per-process breakdown.
// The system booted first has measured 5 to 20 % dearer, so there are two rounds (BENCH_ROUNDS), each booting
// both afresh, the other one first the second time; the figures are over both.
import { existsSync } from 'node:fs'
import { join, resolve } from 'node:path'
import * as here from './support.js'

const BASE = process.env.BENCH_BASE
if (!BASE || !existsSync(join(BASE, 'bench', 'support.ts'))) {
  console.error('BENCH_BASE must name another checkout of microshop, installed and built')
  process.exit(2)
}
const TURNS = Number(process.env.BENCH_TURNS ?? 4)
const ORDERS = Number(process.env.BENCH_ORDERS ?? 100)
const WARMUP = Number(process.env.BENCH_WARMUP ?? 200)
const BUYERS = Number(process.env.BENCH_BUYERS ?? 16)
const baseFirst = process.env.BENCH_FIRST === 'base'
// the system booted first has measured 5 to 20 % dearer in the same turns: a second round boots the other first
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2)
const base: typeof here = await import(join(resolve(BASE), 'bench', 'support.ts'))

interface Side {
  name: string
  support: typeof here
  system?: here.System
  tokens: string[]
  perOrder: number[]
  rates: number[]
  byProcess: Map<string, number>
}
const side = (name: string, support: typeof here): Side => ({
  name,
  support,
  tokens: [],
  perOrder: [],
  rates: [],
  byProcess: new Map(),
})
const sides = [side('this', here), side('base', base)]
const median = (xs: number[]) => {
  const sorted = [...xs].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

/**
 * The median of xs and a bootstrap interval of it (`level` of the resamples inside), from a seeded generator so
 * that the same turns print the same interval.
 */
function medianInterval(xs: number[], level = 0.9, resamples = 10_000): [number, number, number] {
  let seed = 0x9e3779b9
  const random = () => {
    seed = (seed + 0x6d2b79f5) | 0
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296
  }
  const medians = Array.from({ length: resamples }, () =>
    median(Array.from(xs, () => xs[Math.floor(random() * xs.length)]!)),
  ).sort((a, b) => a - b)
  const at = (q: number) => medians[Math.min(resamples - 1, Math.floor(q * resamples))]!
  return [median(xs), at((1 - level) / 2), at(1 - (1 - level) / 2)]
}

/** One round: both booted (in this order), warmed up, then TURNS turns each, in alternating order. */
async function round(order: Side[], label: string) {
  try {
    for (const s of order) s.system = await s.support.bootSystem()
    for (const s of sides) {
      s.tokens = await s.support.prepareBuyers(s.system!.base, BUYERS)
      await s.support.runCheckout(s.system!.base, s.tokens, WARMUP, 0)
    }
    for (let turn = 0; turn < TURNS; turn++) {
      for (const s of turn % 2 === 0 ? sides : [...sides].reverse()) {
        const before = await here.cpuSnapshot(s.system!.launcherPid)
        const run = await s.support.runCheckout(s.system!.base, s.tokens, ORDERS, 0)
        const cpu = here.cpuBetween(before, await here.cpuSnapshot(s.system!.launcherPid))
        const total = [...cpu.values()].reduce((a, b) => a + b, 0)
        for (const [name, seconds] of cpu) s.byProcess.set(name, (s.byProcess.get(name) ?? 0) + seconds)
        s.perOrder.push((total * 1000) / ORDERS)
        s.rates.push(run.ordersPerSecond)
        console.log(
          `| ${label} | ${turn + 1} | ${s.name} | ${((total * 1000) / ORDERS).toFixed(1)} | ${run.ordersPerSecond.toFixed(1)} | ${run.failures.length} |`,
        )
      }
    }
  } finally {
    for (const s of sides) {
      await s.system?.stop()
      s.system = undefined
    }
  }
}

try {
  console.log(`checkout, this checkout against ${BASE}, side by side (${here.machine()})`)
  console.log(`${BUYERS} buyers, ${ORDERS} orders a turn after ${WARMUP} to warm up, ${TURNS} turns a round`)
  console.log('| round (booted first) | turn | system | CPU ms / order | orders/s | refused |')
  console.log('|---|---|---|---|---|---|')
  const [first, second] = baseFirst ? [...sides].reverse() : sides
  await round([first!, second!], `1 (${first!.name})`)
  if (ROUNDS > 1) await round([second!, first!], `2 (${second!.name})`)
  const [mine, theirs] = sides as [Side, Side]
  console.log('')
  console.log('| figure | this | base | this / base |')
  console.log('|---|---|---|---|')
  const row = (figure: string, a: number, b: number) =>
    console.log(`| ${figure} | ${a.toFixed(1)} | ${b.toFixed(1)} | ${(a / b).toFixed(2)}× |`)
  row('CPU per confirmed order, median of the turns (ms)', median(mine.perOrder), median(theirs.perOrder))
  row('orders/s confirmed, median of the turns', median(mine.rates), median(theirs.rates))
  // the two sides of a turn ran one right after the other: their ratio leaves out most of the machine's drift,
  // which moved whole turns by 30 % here; the interval says how far the turns' median ratio could be from noise
  const paired = mine.perOrder.map((cpu, i) => cpu / theirs.perOrder[i]!)
  const [ratio, low, high] = medianInterval(paired)
  const cheaper = paired.filter((r) => r < 1).length
  console.log(
    `| CPU per confirmed order, this / base within each turn: median of ${paired.length} turns, 90 % bootstrap interval | | | ${ratio.toFixed(2)}× (${low.toFixed(2)}–${high.toFixed(2)}×), this cheaper in ${cheaper} |`,
  )
  const perOrder = (s: Side, name: string) =>
    ((s.byProcess.get(name) ?? 0) * 1000) / (ORDERS * TURNS * ROUNDS)
  const names = [...theirs.byProcess].sort((a, b) => b[1] - a[1]).map(([name]) => name)
  for (const name of names.filter((n) => perOrder(theirs, n) >= 0.5 || perOrder(mine, n) >= 0.5))
    row(`${name}, CPU ms / order (all turns)`, perOrder(mine, name), perOrder(theirs, name))
} finally {
  for (const s of sides) await s.system?.stop()
}
