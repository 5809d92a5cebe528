import { type ChildProcess, execFile, spawn } from 'node:child_process'
import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { freePort } from '../test-support/net.js'

// The checkout saga on the whole system as `microshop up` runs it, faults included; `microshop audit` closes it.
const CLI = join(import.meta.dirname, '..', 'packages', 'cli', 'bin', 'microshop.js')
const run = promisify(execFile)
const ADMIN = { email: 'admin@microshop.local', password: 'microshop-admin-2026' }
const CARDS = {
  ok: '4242424242424242',
  declined: '4000000000000002',
  fraud: '4100000000000019',
  slow: '4000000000000077',
}
const TERMINAL = ['DELIVERED', 'CANCELLED']
const ADDRESS = {
  name: 'Sam Buyer',
  line1: '1 Main St',
  city: 'Springfield',
  postalCode: '12345',
  country: 'US',
}

let dataDir: string
let port: number
let launcher: ChildProcess
let output = ''
let admin: string

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const state = async () =>
  JSON.parse(await readFile(join(dataDir, 'state.json'), 'utf8')) as {
    instances: { id: string; service: string; pid: number; status: string }[]
  }

async function call<T = Record<string, unknown>>(
  path: string,
  init: { method?: string; token?: string; json?: unknown; headers?: Record<string, string> } = {},
): Promise<{ status: number; body: T; headers: Headers }> {
  const res = await fetch(`http://127.0.0.1:${port}${path}`, {
    method: init.method ?? 'GET',
    headers: {
      ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
      ...(init.json !== undefined ? { 'content-type': 'application/json' } : {}),
      ...init.headers,
    },
    body: init.json !== undefined ? JSON.stringify(init.json) : undefined,
    signal: AbortSignal.timeout(15_000),
  })
  const text = await res.text()
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T, headers: res.headers }
}

let users = 0
async function buyer() {
  const email = `buyer${++users}-${Date.now()}@example.com`
  const password = 'a-long-enough-pass-7'
  expect(
    (await call('/api/auth/register', { method: 'POST', json: { email, password, name: `Buyer ${users}` } }))
      .status,
  ).toBe(201)
  const login = await call<{ accessToken: string }>('/api/auth/login', {
    method: 'POST',
    json: { email, password },
  })
  expect(login.status).toBe(200)
  return login.body.accessToken
}

const order = (token: string, productId: string, card: string, key = `key-${Math.random()}`, quantity = 1) =>
  call<{ orderId: string; status: string; code?: string }>('/api/orders', {
    method: 'POST',
    token,
    headers: { 'idempotency-key': key },
    json: {
      lines: [{ productId, quantity }],
      shippingAddress: ADDRESS,
      payment: { card: { number: card, expMonth: 12, expYear: 2035, cvc: '123' } },
    },
  })

interface OrderDetail {
  status: string
  cancelReason?: string
  payment: { status: string; amount: { amount: number }; refunded?: { amount: number } } | null
  shipment: { status: string; trackingNumber: string } | null
}
const detail = async (token: string, id: string) =>
  (await call<OrderDetail>(`/api/orders/${id}`, { token })).body

async function until<T>(
  what: string,
  probe: () => Promise<T>,
  done: (v: T) => boolean,
  ms = 30_000,
): Promise<T> {
  const started = Date.now()
  let last = await probe()
  while (!done(last)) {
    if (Date.now() - started > ms)
      throw new Error(`${what}: still ${JSON.stringify(last).slice(0, 300)} after ${ms} ms`)
    await sleep(150)
    last = await probe()
  }
  return last
}

const available = async (productId: string) =>
  (await call<{ availability: { available: number } | null }>(`/api/products/${productId}`)).body.availability
    ?.available

async function setStock(productId: string, quantity: number) {
  expect(
    (await call(`/api/admin/stock/${productId}`, { method: 'PUT', token: admin, json: { quantity } })).status,
  ).toBe(200)
}

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'microshop-checkout-'))
  await chmod(dataDir, 0o755)
  port = await freePort()
  launcher = spawn(process.execPath, [CLI, 'up', '--data-dir', dataDir, '--port', String(port)], {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      LOG_LEVEL: 'warn',
      // a whole order life in seconds: carrier 10x faster, a short reservation, a slow card slower than it
      SHIPPING_TIME_SCALE: '0.1',
      ORDERS_RESERVATION_TTL_SECONDS: '6',
      PAYMENTS_SLOW_CARD_DELAY_MS: '9000',
      PAYMENTS_FRAUD_BREAKER_HALF_OPEN_MS: '2000',
      GATEWAY_RATE_LIMIT_LOGIN: '1000',
    },
  })
  launcher.stdout!.on('data', (d) => {
    output += d
  })
  launcher.stderr!.on('data', (d) => {
    output += d
  })
  for (let i = 0; i < 480 && !output.includes('Ctrl-C to stop'); i++) {
    if (launcher.exitCode !== null) throw new Error(`launcher exited:\n${output.slice(-3000)}`)
    await sleep(250)
  }
  expect(output).toContain('Ctrl-C to stop')
  const login = await call<{ accessToken: string }>('/api/auth/login', { method: 'POST', json: ADMIN })
  admin = login.body.accessToken
  // inventory seeds its stock from the catalog in the background
  await until(
    'stock seeded',
    () => available('enamel-camp-mug'),
    (v) => (v ?? 0) > 0,
  )
}, 180_000)

afterAll(async () => {
  if (launcher && launcher.exitCode === null) {
    const exited = new Promise((r) => launcher.once('exit', r))
    launcher.kill('SIGINT')
    await Promise.race([exited, sleep(30_000)])
    if (launcher.exitCode === null) launcher.kill('SIGKILL')
  }
  await rm(dataDir, { recursive: true, force: true })
}, 60_000)

describe('checkout saga, whole system', () => {
  it('when a buyer pays with a good card, then the order goes to DELIVERED live over SSE, with one email per step', async () => {
    const token = await buyer()
    const placed = await order(token, 'enamel-camp-mug', CARDS.ok)
    expect(placed.status).toBe(202)
    expect(placed.headers.get('location')).toBe(`/api/orders/${placed.body.orderId}`)

    const res = await fetch(
      `http://127.0.0.1:${port}/api/orders/${placed.body.orderId}/events?access_token=${token}`,
      {
        signal: AbortSignal.timeout(30_000),
      },
    )
    expect(res.headers.get('content-type')).toMatch(/text\/event-stream/)
    const seen: string[] = []
    const decoder = new TextDecoder()
    // the stream closes after a terminal status
    for await (const chunk of res.body!) {
      for (const m of decoder.decode(chunk as Uint8Array).matchAll(/"status":"([A-Z_]+)"/g)) seen.push(m[1]!)
    }
    expect(seen.at(-1)).toBe('DELIVERED')
    expect(seen).toEqual(expect.arrayContaining(['CONFIRMED', 'SHIPPED', 'DELIVERED']))

    const order_ = await detail(token, placed.body.orderId)
    expect(order_.payment?.status).toBe('CAPTURED')
    expect(order_.shipment?.status).toBe('DELIVERED')
    const messages = await until(
      'emails',
      async () =>
        (await call<{ items: { subject: string; channel: string }[] }>('/api/messages', { token })).body
          .items,
      (items) => items.filter((m) => m.channel === 'email').length >= 4,
    )
    const subjects = messages.map((m) => m.subject).join(' | ')
    expect(subjects).toMatch(/confirmed/i)
    expect(subjects).toMatch(/shipped/i)
    expect(subjects).toMatch(/delivered/i)
    expect(subjects).toMatch(/welcome/i)
  })

  it('when the card is declined, then the order is CANCELLED, the stock comes back and the buyer is told', async () => {
    const token = await buyer()
    const before = await available('brass-fountain-pen')
    const placed = await order(token, 'brass-fountain-pen', CARDS.declined)
    expect(placed.status).toBe(202)
    const done = await until(
      'declined order',
      () => detail(token, placed.body.orderId),
      (o) => TERMINAL.includes(o.status),
    )
    expect(done.status).toBe('CANCELLED')
    expect(done.payment?.status).toBe('FAILED')
    await until(
      'stock back',
      () => available('brass-fountain-pen'),
      (v) => v === before,
    )
    const messages = await until(
      'failure email',
      async () => (await call<{ items: { subject: string }[] }>('/api/messages', { token })).body.items,
      (items) => items.some((m) => /payment failed/i.test(m.subject)),
    )
    expect(messages.some((m) => /cancelled/i.test(m.subject))).toBe(true)
  })

  it('when the card is on the fraud list, then the payment is blocked and the order CANCELLED', async () => {
    const token = await buyer()
    const placed = await order(token, 'walnut-cutting-board', CARDS.fraud)
    const done = await until(
      'fraud order',
      () => detail(token, placed.body.orderId),
      (o) => TERMINAL.includes(o.status),
    )
    expect(done.status).toBe('CANCELLED')
  })

  it('when the reservation expires before a slow payment, then the order is CANCELLED and the late capture refunded', async () => {
    const token = await buyer()
    const placed = await order(token, 'linen-tea-towels-set-3', CARDS.slow)
    const cancelled = await until(
      'expiry',
      () => detail(token, placed.body.orderId),
      (o) => o.status === 'CANCELLED',
      20_000,
    )
    expect(cancelled.status).toBe('CANCELLED')
    const refunded = await until(
      'late capture refunded',
      () => detail(token, placed.body.orderId),
      (o) => o.payment?.status === 'REFUNDED' || o.payment?.status === 'FAILED',
      20_000,
    )
    expect(['REFUNDED', 'FAILED']).toContain(refunded.payment?.status)
  })

  it('when a paid order is cancelled before dispatch, then it is refunded exactly once', async () => {
    const token = await buyer()
    const placed = await order(token, 'ceramic-table-lamp', CARDS.ok)
    await until(
      'confirmed',
      () => detail(token, placed.body.orderId),
      (o) => o.status === 'CONFIRMED',
    )
    const cancel = await call(`/api/orders/${placed.body.orderId}/cancel`, { method: 'POST', token })
    expect(cancel.status).toBe(200)
    const again = await call(`/api/orders/${placed.body.orderId}/cancel`, { method: 'POST', token })
    expect([200, 422]).toContain(again.status)
    const refunded = await until(
      'refund',
      () => detail(token, placed.body.orderId),
      (o) => o.payment?.status === 'REFUNDED',
    )
    expect(refunded.payment?.refunded?.amount).toBe(refunded.payment?.amount.amount)
    expect(refunded.shipment?.status ?? 'CANCELLED').not.toBe('DISPATCHED')
  })

  it('when the same Idempotency-Key is sent twice and concurrently, then one order is placed', async () => {
    const token = await buyer()
    const first = await order(token, 'enamel-camp-mug', CARDS.ok, 'same-key-1')
    const second = await order(token, 'enamel-camp-mug', CARDS.ok, 'same-key-1')
    expect(second.status).toBe(202)
    expect(second.body.orderId).toBe(first.body.orderId)
    const other = await order(token, 'enamel-camp-mug', CARDS.ok, 'same-key-1', 2)
    expect(other.status).toBe(422)

    const burst = await Promise.all(
      Array.from({ length: 5 }, () => order(token, 'oak-wall-clock', CARDS.ok, 'same-key-2')),
    )
    const ids = new Set(burst.filter((r) => r.status === 202).map((r) => r.body.orderId))
    expect(ids.size).toBe(1)
    expect(burst.every((r) => r.status === 202 || r.status === 409)).toBe(true)
    const list = await call<{ items: { id: string }[] }>('/api/orders?pageSize=50', { token })
    expect(list.body.items).toHaveLength(2)
  })

  it('when 20 buyers race for the last 3 units, then exactly 3 orders are confirmed', async () => {
    await setStock('stoneware-planter', 3)
    const tokens = await Promise.all(Array.from({ length: 20 }, () => buyer()))
    const results = await Promise.all(tokens.map((t) => order(t, 'stoneware-planter', CARDS.ok)))
    const accepted = results.filter((r) => r.status === 202)
    expect(accepted).toHaveLength(3)
    expect(results.filter((r) => r.status !== 202).every((r) => r.status === 422)).toBe(true)
    const finals = await Promise.all(
      accepted.map((r) =>
        until(
          'race order',
          () => detail(tokens[results.indexOf(r)]!, r.body.orderId),
          (o) => o.status !== 'PENDING_PAYMENT',
        ),
      ),
    )
    expect(finals.filter((o) => ['CONFIRMED', 'SHIPPED', 'DELIVERED'].includes(o.status))).toHaveLength(3)
    expect(await available('stoneware-planter')).toBe(0)
  })

  it('when fraud is frozen, then the breaker opens and the fallback rule decides; when it thaws, fraud decides again', async () => {
    const { instances } = await state()
    const fraud = instances.find((i) => i.service === 'fraud')!
    const payments = instances.find((i) => i.service === 'payments')! as unknown as { httpPort: number }
    const breaker = async () => {
      const text = await (await fetch(`http://127.0.0.1:${payments.httpPort}/metrics`)).text()
      return Number(/^rpc_client_breaker_state\{[^}]*peer="fraud"[^}]*\} (\d)/m.exec(text)?.[1] ?? -1)
    }
    expect(await breaker()).toBe(0)
    process.kill(fraud.pid, 'SIGSTOP')
    try {
      const token = await buyer()
      const placed = await Promise.all(
        Array.from({ length: 7 }, () => order(token, 'organic-cotton-tee', CARDS.ok)),
      )
      const finals = await Promise.all(
        placed.map((p) =>
          until(
            'fallback',
            () => detail(token, p.body.orderId),
            (o) => o.status !== 'PENDING_PAYMENT',
            40_000,
          ),
        ),
      )
      // a small order is approved by the fallback rule while fraud cannot answer
      expect(finals.every((o) => ['CONFIRMED', 'SHIPPED', 'DELIVERED'].includes(o.status))).toBe(true)
      expect(await breaker()).not.toBe(0)
    } finally {
      process.kill(fraud.pid, 'SIGCONT')
    }
    // orders keep coming; once half-open, one of them probes fraud, and its answer closes the circuit
    const token = await buyer()
    await until(
      'breaker closed',
      async () => {
        const p = await order(token, 'organic-cotton-tee', CARDS.ok)
        await until(
          'order decided',
          () => detail(token, p.body.orderId),
          (o) => o.status !== 'PENDING_PAYMENT',
        )
        return breaker()
      },
      (v) => v === 0,
      40_000,
    )
    const p = await order(token, 'organic-cotton-tee', CARDS.fraud)
    const blocked = await until(
      'fraud order',
      () => detail(token, p.body.orderId),
      (o) => o.status !== 'PENDING_PAYMENT',
    )
    expect(blocked.status).toBe('CANCELLED')
  })

  it('when payments is killed during a burst of orders, then every order still ends decided after it restarts, none charged twice', async () => {
    const tokens = await Promise.all(Array.from({ length: 5 }, () => buyer()))
    const placing = tokens.flatMap((t) => [
      order(t, 'enamel-camp-mug', CARDS.ok),
      order(t, 'waxed-canvas-tote', CARDS.ok),
    ])
    await sleep(150)
    const payments = (await state()).instances.find((i) => i.service === 'payments')!
    process.kill(payments.pid, 'SIGKILL')
    const placed = await Promise.all(placing)
    const accepted = placed.filter((p) => p.status === 202)
    expect(accepted.length).toBeGreaterThan(0)
    for (const [i, p] of placed.entries()) {
      if (p.status !== 202) continue
      const final = await until(
        'after restart',
        () => detail(tokens[Math.floor(i / 2)]!, p.body.orderId),
        (o) => o.status !== 'PENDING_PAYMENT',
        40_000,
      )
      expect(['CONFIRMED', 'SHIPPED', 'DELIVERED', 'CANCELLED']).toContain(final.status)
    }
    expect(output).toMatch(/payments-1 exited .*SIGKILL/)
  })

  it('when everything has settled, then microshop audit finds no violation; a planted one is named', async () => {
    // the carrier finishes the last shipments; notifications sends the last emails
    await sleep(4_000)
    const audit = () =>
      run(process.execPath, [CLI, 'audit', '--data-dir', dataDir, '--saga-limit-seconds', '30']).then(
        ({ stdout }) => ({ code: 0, text: stdout }),
        (err: { code: number; stdout: string }) => ({ code: err.code, text: err.stdout }),
      )
    let result = { code: 1, text: '' }
    for (let attempt = 0; attempt < 10 && result.code !== 0; attempt++) {
      result = await audit()
      if (result.code !== 0) await sleep(2_000)
    }
    expect(result.text).toContain('audit passed')
    expect(result.code).toBe(0)

    // an order stuck in PENDING_PAYMENT for an hour, written behind the services' backs
    const secrets = JSON.parse(await readFile(join(dataDir, 'secrets.json'), 'utf8')) as { superuser: string }
    const { pgPort } = JSON.parse(await readFile(join(dataDir, 'state.json'), 'utf8')) as { pgPort: number }
    const db = new pg.Client({
      host: '127.0.0.1',
      port: pgPort,
      user: 'postgres',
      password: secrets.superuser,
      database: 'orders',
    })
    await db.connect()
    const stuck = '00000000-0000-4000-8000-00000000dead'
    await db.query(
      `insert into order_summaries (order_id, user_id, status, total_amount, currency, item_count, created_at, updated_at, version)
       values ($1, 'nobody', 'PENDING_PAYMENT', 100, 'USD', 1, now() - interval '1 hour', now() - interval '1 hour', 1)`,
      [stuck],
    )
    await db.end()
    const failed = await audit()
    expect(failed.code).toBe(1)
    expect(failed.text).toContain(stuck)
    expect(failed.text).toMatch(/audit failed/)
  }, 90_000)
})
