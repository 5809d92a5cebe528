// npm run bench:http — the gateway's paths under wrk (one thread, 50 connections) against a bare Fastify route
// started in the same run on the same machine: the ratio is what the gateway's own work costs per request.
import { execFile } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import Fastify from 'fastify'
import { bootSystem, call, machine, PRODUCT } from './support.js'

const run = promisify(execFile)
const SECONDS = Number(process.env.BENCH_WRK_SECONDS ?? 10)

/** Requests per second wrk gets (one thread, 50 connections), optionally with a Lua script. */
async function wrk(url: string, script?: string): Promise<number> {
  const args = ['-t1', '-c50', `-d${SECONDS}s`, ...(script ? ['-s', script] : []), url]
  const { stdout } = await run('wrk', args).catch((err) => {
    throw new Error(`wrk failed (apt-get install wrk): ${(err as Error).message}`)
  })
  const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(stdout)?.[1] ?? 0)
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(stdout)?.[1] ?? Number.NaN)
  return url.includes('/api/nope') || non2xx === 0 ? rps : Number.NaN
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
  const baseline = await wrk(bareUrl)
  const rows: Array<[string, number]> = [
    ['GET /api/nope (404 problem+json)', await wrk(`${base}/api/nope`)],
    ['GET /api/products?pageSize=20 (cached)', await wrk(`${base}/api/products?pageSize=20`)],
    ['GET /api/products/:id (aggregated)', await wrk(`${base}/api/products/${PRODUCT}`)],
    ['GET /.well-known/jwks.json', await wrk(`${base}/.well-known/jwks.json`)],
    ['GET /api/search?q=<random> (uncached)', await wrk(`${base}/`, randomSearch)],
  ]
  const baselineAfter = await wrk(bareUrl)
  const same = (baseline + baselineAfter) / 2
  console.log(`http benchmark (${machine()}), wrk -t1 -c50 ${SECONDS} s per path`)
  console.log(
    `bare Fastify GET /hello: ${baseline.toFixed(0)} req/s before, ${baselineAfter.toFixed(0)} after`,
  )
  console.log('| path | req/s | vs bare Fastify (mean of before and after) |')
  console.log('|---|---|---|')
  for (const [path, rps] of rows)
    console.log(
      `| ${path} | ${Number.isNaN(rps) ? 'errors' : rps.toFixed(0)} | ${(rps / same).toFixed(2)}× |`,
    )
} finally {
  await system.stop()
  await bare.close()
  await rm(scratch, { recursive: true, force: true })
}
