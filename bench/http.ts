// npm run bench:http — the gateway's paths under wrk (one thread, 50 connections) against a bare Fastify route
// started in the same run on the same machine: the ratio is what the gateway's own work costs per request.
// Beside req/s, the CPU each request took in the server's process (the gateway's; the bench's own for bare):
// wrk and the other processes share the two cores, so req/s moves with them, and CPU per request less.
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Fastify from 'fastify'
import { bootSystem, call, cpuBetween, cpuSnapshot, machine, PRODUCT, wrk } from './support.js'

const SECONDS = Number(process.env.BENCH_WRK_SECONDS ?? 10)

interface Run {
  rps: number
  requests: number
  /** CPU µs per request of the server's process, and of every process of the system (the gateway's runs). */
  cpuUs: number
  systemCpuUs?: number
}

/** wrk's req/s and requests; errors (but the 404's, which is the answer) make rps NaN. */
async function load(url: string, script?: string): Promise<{ rps: number; requests: number }> {
  const { rps, requests, non2xx } = await wrk(url, SECONDS, script)
  return { rps: url.includes('/api/nope') || non2xx === 0 ? rps : Number.NaN, requests }
}

/** The bare route, served by this process: its own CPU. */
async function wrkBare(url: string): Promise<Run> {
  const before = process.cpuUsage()
  const got = await load(url)
  const used = process.cpuUsage(before)
  return { ...got, cpuUs: (used.user + used.system) / got.requests }
}

/** A gateway path: the gateway's CPU and every process' CPU, per request. */
async function wrkSystem(launcherPid: number, url: string, script?: string): Promise<Run> {
  const before = await cpuSnapshot(launcherPid)
  const got = await load(url, script)
  const used = cpuBetween(before, await cpuSnapshot(launcherPid))
  const all = [...used.values()].reduce((a, b) => a + b, 0)
  const perRequest = (seconds: number) => (seconds * 1e6) / got.requests
  return { ...got, cpuUs: perRequest(used.get('gateway') ?? 0), systemCpuUs: perRequest(all) }
}

const bare = Fastify()
bare.get('/hello', async () => ({ hello: 'world' }))
await bare.listen({ host: '127.0.0.1', port: 0 })
const bareUrl = `http://127.0.0.1:${(bare.server.address() as { port: number }).port}/hello`

const scratch = await mkdtemp(join(tmpdir(), 'microshop-bench-http-'))
const randomSearch = join(scratch, 'search.lua')
await writeFile(
  randomSearch,
  'request = function() return wrk.format("GET", "/api/search?q=mug" .. math.random(1, 1000000000)) end\n',
)

const system = await bootSystem()
try {
  const { base } = system
  // warm the caches and the channels the paths use
  await call(base, '/api/products?pageSize=20')
  await call(base, `/api/products/${PRODUCT}`)
  await call(base, '/.well-known/jwks.json')
  const { launcherPid } = system
  const baseline = await wrkBare(bareUrl)
  const rows: Array<[string, Run]> = [
    ['GET /api/nope (404 problem+json)', await wrkSystem(launcherPid, `${base}/api/nope`)],
    [
      'GET /api/products?pageSize=20 (cached)',
      await wrkSystem(launcherPid, `${base}/api/products?pageSize=20`),
    ],
    ['GET /api/products/:id (aggregated)', await wrkSystem(launcherPid, `${base}/api/products/${PRODUCT}`)],
    ['GET /.well-known/jwks.json', await wrkSystem(launcherPid, `${base}/.well-known/jwks.json`)],
    ['GET /api/search?q=<random> (uncached)', await wrkSystem(launcherPid, `${base}/`, randomSearch)],
  ]
  const baselineAfter = await wrkBare(bareUrl)
  const same = (baseline.rps + baselineAfter.rps) / 2
  const sameCpu = (baseline.cpuUs + baselineAfter.cpuUs) / 2
  console.log(`http benchmark (${machine()}), wrk -t1 -c50 ${SECONDS} s per path`)
  console.log(
    `bare Fastify GET /hello: ${baseline.rps.toFixed(0)} req/s before, ${baselineAfter.rps.toFixed(0)} after; ` +
      `${baseline.cpuUs.toFixed(0)} and ${baselineAfter.cpuUs.toFixed(0)} µs of CPU a request`,
  )
  console.log(
    '| path | req/s | vs bare Fastify (mean of before and after) | gateway CPU a request | vs bare, by CPU | every process, CPU a request |',
  )
  console.log('|---|---|---|---|---|---|')
  for (const [path, r] of rows)
    console.log(
      `| ${path} | ${Number.isNaN(r.rps) ? 'errors' : r.rps.toFixed(0)} | ${(r.rps / same).toFixed(2)}× | ` +
        `${r.cpuUs.toFixed(0)} µs | ${(sameCpu / r.cpuUs).toFixed(2)}× | ${r.systemCpuUs?.toFixed(0)} µs |`,
    )
} finally {
  await system.stop()
  await bare.close()
  await rm(scratch, { recursive: true, force: true })
}
