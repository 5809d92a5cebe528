// npm run bench:checkout — time from POST /api/orders to CONFIRMED over the whole system, as `microshop up` runs it.
// Baseline in the same run: the time to the 202 answer. Prints p50/p99 of both and their ratio.
import { spawn } from 'node:child_process'
import { chmod, mkdtemp, rm } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { waitFor } from '@microshop/chassis/testing'

const ORDERS = Number(process.env.BENCH_ORDERS ?? 200)
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 8)
const WARMUP = 10
const CLI = join(import.meta.dirname, '..', 'packages', 'cli', 'bin', 'microshop.js')
const PRODUCT = 'enamel-camp-mug'

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number }
      s.close(() => resolve(port))
    })
  })

const dataDir = await mkdtemp(join(tmpdir(), 'microshop-bench-'))
await chmod(dataDir, 0o755)
const port = await freePort()
const base = `http://127.0.0.1:${port}`
let log = ''
const launcher = spawn(process.execPath, [CLI, 'up', '--data-dir', dataDir, '--port', String(port)], {
  stdio: ['ignore', 'pipe', 'pipe'],
  env: {
    ...process.env,
    LOG_LEVEL: 'warn',
    GATEWAY_RATE_LIMIT_USER: '100000',
    GATEWAY_RATE_LIMIT_LOGIN: '1000',
  },
})
launcher.stdout.on('data', (d) => {
  log += d
})
launcher.stderr.on('data', (d) => {
  log += d
})

async function call<T>(
  path: string,
  init: { method?: string; token?: string; json?: unknown; key?: string } = {},
) {
  const res = await fetch(`${base}${path}`, {
    method: init.method ?? 'GET',
    headers: {
      ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
      ...(init.json !== undefined ? { 'content-type': 'application/json' } : {}),
      ...(init.key ? { 'idempotency-key': init.key } : {}),
    },
    body: init.json === undefined ? undefined : JSON.stringify(init.json),
  })
  const text = await res.text()
  if (!res.ok) throw new Error(`${init.method ?? 'GET'} ${path}: ${res.status} ${text}`)
  return (text ? JSON.parse(text) : undefined) as T
}

/** Resolves when the order's SSE stream reports `status` (the first event is the current status). */
async function statusReached(token: string, orderId: string, status: string): Promise<number> {
  const res = await fetch(`${base}/api/orders/${orderId}/events?access_token=${token}`)
  const decoder = new TextDecoder()
  for await (const chunk of res.body!) {
    if (decoder.decode(chunk as Uint8Array).includes(`"status":"${status}"`)) {
      const at = performance.now()
      await res.body!.cancel().catch(() => undefined)
      return at
    }
  }
  throw new Error(`order ${orderId} never reached ${status}`)
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!

try {
  const outcome = await waitFor(
    () => (launcher.exitCode !== null ? 'exited' : log.includes('Ctrl-C to stop') && 'ready'),
    { what: 'microshop up', timeoutMs: 120_000, everyMs: 250 },
  )
  if (outcome === 'exited') throw new Error(`launcher exited:\n${log.slice(-2000)}`)
  const admin = await call<{ accessToken: string }>('/api/auth/login', {
    method: 'POST',
    json: { email: 'admin@microshop.local', password: 'microshop-admin-2026' },
  })
  // inventory seeds in the background: wait for it, then make room for every order
  await waitFor(
    async () => {
      const p = await call<{ availability: { available: number } | null }>(`/api/products/${PRODUCT}`)
      return (p.availability?.available ?? 0) > 0
    },
    { what: 'stock seeded', timeoutMs: 30_000, everyMs: 200 },
  )
  await call(`/api/admin/stock/${PRODUCT}`, {
    method: 'PUT',
    token: admin.accessToken,
    json: { quantity: 100_000 },
  })
  const tokens: string[] = []
  for (let i = 0; i < CONCURRENCY; i++) {
    const email = `bench-${i}-${Date.now()}@example.com`
    const password = 'a-long-enough-pass-7'
    await call('/api/auth/register', { method: 'POST', json: { email, password, name: `Bench ${i}` } })
    tokens.push(
      (await call<{ accessToken: string }>('/api/auth/login', { method: 'POST', json: { email, password } }))
        .accessToken,
    )
  }

  const accepted: number[] = []
  const confirmed: number[] = []
  let next = 0
  const started = performance.now()
  await Promise.all(
    tokens.map(async (token) => {
      while (next < ORDERS + WARMUP) {
        const n = next++
        const t0 = performance.now()
        const placed = await call<{ orderId: string }>('/api/orders', {
          method: 'POST',
          token,
          key: `bench-${n}-${Date.now()}`,
          json: {
            lines: [{ productId: PRODUCT, quantity: 1 }],
            shippingAddress: {
              name: 'Bench',
              line1: '1 Main St',
              city: 'Springfield',
              postalCode: '12345',
              country: 'US',
            },
            payment: { card: { number: '4242424242424242', expMonth: 12, expYear: 2035, cvc: '123' } },
          },
        })
        const t202 = performance.now()
        const tConfirmed = await statusReached(token, placed.orderId, 'CONFIRMED')
        if (n >= WARMUP) {
          accepted.push(t202 - t0)
          confirmed.push(tConfirmed - t0)
        }
      }
    }),
  )
  const seconds = (performance.now() - started) / 1000
  accepted.sort((a, b) => a - b)
  confirmed.sort((a, b) => a - b)
  const row = (name: string, xs: number[]) =>
    `${name.padEnd(28)} p50 ${percentile(xs, 50).toFixed(1).padStart(7)} ms   p99 ${percentile(xs, 99).toFixed(1).padStart(7)} ms`
  console.log(
    `checkout benchmark: ${ORDERS} orders (+${WARMUP} warm-up), ${CONCURRENCY} buyers at once, 1 replica each`,
  )
  console.log(row('POST → 202 (baseline)', accepted))
  console.log(row('POST → CONFIRMED (SSE)', confirmed))
  console.log(
    `ratio CONFIRMED / 202: p50 ${(percentile(confirmed, 50) / percentile(accepted, 50)).toFixed(2)}×, p99 ${(percentile(confirmed, 99) / percentile(accepted, 99)).toFixed(2)}×`,
  )
  console.log(`throughput ${((ORDERS + WARMUP) / seconds).toFixed(1)} orders/s confirmed end to end`)
} finally {
  const exited = new Promise((r) => launcher.once('exit', r))
  launcher.kill('SIGINT')
  await exited
  await rm(dataDir, { recursive: true, force: true })
}
