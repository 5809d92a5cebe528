// npm run bench:memory — the memory (PSS) of the whole process tree (services, console, PostgreSQL and its
// backends, the launcher) after a checkout load, as `microshop up` runs it, against the same system with V8's
// and PostgreSQL's own sizing (the baseline, in the same run: young generation, old-generation headroom,
// shared buffers). BENCH_MEMORY_MINUTES (default 5) long each,
// 8 buyers; tracing on at 100 %.
import { bootSystem, machine, prepareBuyers, pssByName, runCheckout } from './support.js'

const MINUTES = Number(process.env.BENCH_MEMORY_MINUTES ?? 5)
const BUYERS = Number(process.env.BENCH_BUYERS ?? 8)

interface Figures {
  orders: number
  ordersPerSecond: number
  byName: Map<string, number>
}

async function measure(env: Record<string, string>): Promise<Figures> {
  const system = await bootSystem(env)
  try {
    const tokens = await prepareBuyers(system.base, BUYERS)
    const started = performance.now()
    const until = Date.now() + MINUTES * 60_000
    let orders = 0
    while (Date.now() < until) {
      await runCheckout(system.base, tokens, 50, 0)
      orders += 50
    }
    const ordersPerSecond = orders / ((performance.now() - started) / 1000)
    return { orders, ordersPerSecond, byName: await pssByName(system.launcherPid) }
  } finally {
    await system.stop()
  }
}

// the defaults: a later --max-semi-space-size wins over the launcher's, a given --heap-growing-percent over the
// chassis', a later -c shared_buffers over the launcher's
const baseline = await measure({
  MICROSHOP_NODE_ARGS: '--max-semi-space-size=16 --heap-growing-percent=0',
  MICROSHOP_POSTGRES_ARGS: '-c shared_buffers=128MB',
})
const shipped = await measure({})

const mb = (kb: number) => (kb / 1024).toFixed(0)
const total = (f: Figures) => [...f.byName.values()].reduce((a, b) => a + b, 0)
const postgres = (f: Figures) =>
  [...f.byName].filter(([n]) => n.startsWith('postgres')).reduce((a, [, kb]) => a + kb, 0)
console.log(
  `memory benchmark (${machine()}), ${MINUTES} min of checkouts at ${BUYERS} buyers each, tracing on`,
)
console.log('| | V8 and PostgreSQL defaults (baseline) | as shipped |')
console.log('|---|---|---|')
console.log(`| orders placed | ${baseline.orders} | ${shipped.orders} |`)
console.log(`| orders/s | ${baseline.ordersPerSecond.toFixed(1)} | ${shipped.ordersPerSecond.toFixed(1)} |`)
console.log(`| **PSS, whole tree, MB** | **${mb(total(baseline))}** | **${mb(total(shipped))}** |`)
console.log(`| PostgreSQL and its backends, MB | ${mb(postgres(baseline))} | ${mb(postgres(shipped))} |`)
const names = [...shipped.byName.keys()].filter((n) => !n.startsWith('postgres'))
for (const name of names.sort((a, b) => (shipped.byName.get(b) ?? 0) - (shipped.byName.get(a) ?? 0)))
  console.log(
    `| ${name}, MB | ${mb(baseline.byName.get(name) ?? 0)} | ${mb(shipped.byName.get(name) ?? 0)} |`,
  )
