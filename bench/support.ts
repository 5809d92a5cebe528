// What the benchmarks share: a system booted by the launcher on free ports, buyers, orders, percentiles.
import { execFile, spawn } from 'node:child_process'
import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises'
import { cpus, tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { waitFor } from '@microshop/chassis/testing'
import { freePort } from '../test-support/net.js'
import { processTree } from '../test-support/processes.js'

const CLI = join(import.meta.dirname, '..', 'packages', 'cli', 'bin', 'microshop.js')
export const PRODUCT = 'enamel-camp-mug'

export interface System {
  base: string
  dataDir: string
  launcherPid: number
  stop(): Promise<void>
}

/**
 * `microshop up` on free ports in a fresh data directory, with the environment and the flags given. A port
 * found free can be taken by another process before the launcher binds it: a boot that fails with
 * EADDRINUSE (or that the launcher's own check found it in use) is tried again on other ports.
 */
export async function bootSystem(env: Record<string, string> = {}, args: string[] = []): Promise<System> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await bootOnce(env, args)
    } catch (err) {
      if (attempt >= 3 || !/EADDRINUSE|already in use/.test(String((err as Error).message))) throw err
      console.warn(`a port was taken before the launcher bound it; booting again (attempt ${attempt + 1})`)
    }
  }
}

async function bootOnce(env: Record<string, string>, args: string[]): Promise<System> {
  const dataDir = await mkdtemp(join(tmpdir(), 'microshop-bench-'))
  await chmod(dataDir, 0o755)
  const [port, consolePort] = [await freePort(), await freePort()]
  let log = ''
  const launcher = spawn(
    process.execPath,
    [
      CLI,
      'up',
      '--data-dir',
      dataDir,
      '--port',
      String(port),
      '--console-port',
      String(consolePort),
      ...args,
    ],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        LOG_LEVEL: 'warn',
        GATEWAY_RATE_LIMIT_ANONYMOUS: '100000000',
        GATEWAY_RATE_LIMIT_USER: '100000000',
        GATEWAY_RATE_LIMIT_LOGIN: '100000',
        ...env,
      },
    },
  )
  launcher.stdout.on('data', (d) => {
    log += d
  })
  launcher.stderr.on('data', (d) => {
    log += d
  })
  const stop = async () => {
    if (launcher.exitCode === null) {
      const exited = new Promise((r) => launcher.once('exit', r))
      launcher.kill('SIGINT')
      await exited
    }
    await rm(dataDir, { recursive: true, force: true })
  }
  const outcome = await waitFor(
    () => (launcher.exitCode !== null ? 'exited' : log.includes('Ctrl-C to stop') && 'ready'),
    { what: 'microshop up', timeoutMs: 180_000, everyMs: 250 },
  )
  if (outcome === 'exited') {
    await stop()
    throw new Error(`launcher exited:\n${log.slice(-2000)}`)
  }
  return { base: `http://127.0.0.1:${port}`, dataDir, launcherPid: launcher.pid!, stop }
}

export async function call<T>(
  base: string,
  path: string,
  init: { method?: string; token?: string; json?: unknown; key?: string } = {},
): Promise<T> {
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

/** Signed-in buyers, and stock enough for every order. */
export async function prepareBuyers(base: string, count: number): Promise<string[]> {
  const admin = await call<{ accessToken: string }>(base, '/api/auth/login', {
    method: 'POST',
    json: { email: 'admin@microshop.local', password: 'microshop-admin-2026' },
  })
  // inventory seeds in the background: wait for it, then make room for every order
  await waitFor(
    async () => {
      const p = await call<{ availability: { available: number } | null }>(base, `/api/products/${PRODUCT}`)
      return (p.availability?.available ?? 0) > 0
    },
    { what: 'stock seeded', timeoutMs: 60_000, everyMs: 200 },
  )
  await call(base, `/api/admin/stock/${PRODUCT}`, {
    method: 'PUT',
    token: admin.accessToken,
    json: { quantity: 1_000_000 },
  })
  const tokens: string[] = []
  for (let i = 0; i < count; i++) {
    const email = `bench-${i}-${Date.now()}@example.com`
    const password = 'a-long-enough-pass-7'
    await call(base, '/api/auth/register', { method: 'POST', json: { email, password, name: `Bench ${i}` } })
    const login = await call<{ accessToken: string }>(base, '/api/auth/login', {
      method: 'POST',
      json: { email, password },
    })
    tokens.push(login.accessToken)
  }
  return tokens
}

/** Resolves when the order's SSE stream reports `status` (the first event is the current status). */
export async function statusReached(base: string, token: string, orderId: string, status: string) {
  const res = await fetch(`${base}/api/orders/${orderId}/events?access_token=${token}`)
  const decoder = new TextDecoder()
  let last = `${res.status}`
  for await (const chunk of res.body!) {
    last = decoder.decode(chunk as Uint8Array)
    if (last.includes(`"status":"${status}"`)) {
      const at = performance.now()
      await res.body!.cancel().catch(() => undefined)
      return at
    }
  }
  throw new Error(`order ${orderId} never reached ${status}; last: ${last.slice(0, 300)}`)
}

const ORDER_BODY = {
  lines: [{ productId: PRODUCT, quantity: 1 }],
  shippingAddress: {
    name: 'Bench',
    line1: '1 Main St',
    city: 'Springfield',
    postalCode: '12345',
    country: 'US',
  },
  payment: { card: { number: '4242424242424242', expMonth: 12, expYear: 2035, cvc: '123' } },
}

/** One order of the bench's body, with a fresh idempotency key. */
export const placeOrder = (base: string, token: string, key: string) =>
  call<{ orderId: string }>(base, '/api/orders', {
    method: 'POST',
    token,
    key: `bench-${key}-${Date.now()}-${Math.random()}`,
    json: ORDER_BODY,
  })

/** Places orders, one buyer a lane, each waiting for CONFIRMED over SSE; times the 202 and the CONFIRMED. */
export async function runCheckout(base: string, tokens: string[], orders: number, warmup = 10) {
  const accepted: number[] = []
  const confirmed: number[] = []
  const failures: string[] = []
  let next = 0
  let measuredFrom = 0
  await Promise.all(
    tokens.map(async (token) => {
      while (next < orders + warmup) {
        const n = next++
        if (n === warmup) measuredFrom = performance.now()
        const t0 = performance.now()
        const placed = await placeOrder(base, token, String(n)).catch((err: unknown) => {
          // an order refused under load is a figure of the run, not its end
          failures.push((err as Error).message.slice(0, 200))
          return undefined
        })
        if (!placed) continue
        const t202 = performance.now()
        const tConfirmed = await statusReached(base, token, placed.orderId, 'CONFIRMED').catch(
          (err: unknown) => {
            failures.push((err as Error).message.slice(0, 300))
            return undefined
          },
        )
        if (tConfirmed === undefined) continue
        if (n >= warmup) {
          accepted.push(t202 - t0)
          confirmed.push(tConfirmed - t0)
        }
      }
    }),
  )
  const seconds = (performance.now() - measuredFrom) / 1000
  return {
    accepted: accepted.sort((a, b) => a - b),
    confirmed: confirmed.sort((a, b) => a - b),
    ordersPerSecond: confirmed.length / seconds,
    /** The refused orders' errors (a 503 when a peer did not answer in time). */
    failures,
  }
}

export const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN

/** The machine, for the head of every table. */
export const machine = () => `${cpus().length} cores, Node ${process.version}`

/** What a process is, for a memory table: the service it runs, postgres, or its command. */
function processName(cmdline: string): string {
  const service = /services\/([\w-]+)\/(dist|src)\/main\.[jt]s/.exec(cmdline)?.[1]
  if (service) return service
  // a backend's title names its database: `postgres: orders orders 127.0.0.1(5432) idle`
  const backend = /^postgres: (?:\S+) (\S+) /.exec(cmdline)?.[1]
  if (backend) return `postgres ${backend}`
  if (/postgres/.test(cmdline)) return 'postgres'
  if (/microshop(\.js)? up.* --in-process/.test(cmdline)) return 'launcher with every service (in-process)'
  if (/microshop(\.js)? up/.test(cmdline)) return 'launcher'
  // a process that ended between its stat and its cmdline leaves an empty cmdline
  return cmdline.split(' ')[0]?.split('/').at(-1) || '(ended while measured)'
}

const TICKS_PER_SECOND = 100 // USER_HZ on Linux

/** CPU seconds (user + system) a process has used; 0 for one that has ended. */
export async function cpuSecondsOf(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '')
  if (!stat) return 0
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  // fields[11], [12] are utime, stime (fields 14, 15 of stat(5), counted after the command's name)
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND
}

/** CPU seconds (user + system) each process under root has used, by pid, with what each process is. */
export async function cpuSnapshot(root: number): Promise<Map<number, { name: string; seconds: number }>> {
  const snapshot = new Map<number, { name: string; seconds: number }>()
  for (const pid of await processTree(root)) {
    const seconds = await cpuSecondsOf(pid)
    const cmdline = (await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')).replaceAll('\0', ' ')
    snapshot.set(pid, { name: processName(cmdline.trim()), seconds })
  }
  return snapshot
}

/** CPU seconds used between two snapshots, by what each process is (a process new in `after` counts from zero). */
export function cpuBetween(
  before: Map<number, { name: string; seconds: number }>,
  after: Map<number, { name: string; seconds: number }>,
): Map<string, number> {
  const byName = new Map<string, number>()
  for (const [pid, { name, seconds }] of after) {
    const used = seconds - (before.get(pid)?.seconds ?? 0)
    byName.set(name, (byName.get(name) ?? 0) + used)
  }
  return byName
}

/** The proportional set size (kB) of a process and all its descendants, by what each process is: shared pages counted once. */
export async function pssByName(root: number): Promise<Map<string, number>> {
  const byName = new Map<string, number>()
  for (const pid of await processTree(root)) {
    const rollup = await readFile(`/proc/${pid}/smaps_rollup`, 'utf8').catch(() => '')
    const cmdline = (await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')).replaceAll('\0', ' ')
    const name = processName(cmdline)
    byName.set(name, (byName.get(name) ?? 0) + Number(/^Pss:\s+(\d+) kB/m.exec(rollup)?.[1] ?? 0))
  }
  return byName
}

/**
 * What wrk gets loading `url` (one thread, 50 connections), optionally with a Lua script: req/s, the requests
 * made, and the answers that were not 2xx or 3xx.
 */
export async function wrk(url: string, seconds: number, script?: string) {
  const args = ['-t1', '-c50', `-d${seconds}s`, ...(script ? ['-s', script] : []), url]
  const { stdout } = await promisify(execFile)('wrk', args).catch((err) => {
    throw new Error(`wrk failed (apt-get install wrk): ${(err as Error).message}`)
  })
  return {
    rps: Number(/Requests\/sec:\s+([\d.]+)/.exec(stdout)?.[1] ?? Number.NaN),
    requests: Number(/(\d+) requests in/.exec(stdout)?.[1] ?? Number.NaN),
    non2xx: Number(/Non-2xx or 3xx responses: (\d+)/.exec(stdout)?.[1] ?? 0),
  }
}
