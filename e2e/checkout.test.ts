import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { withConnection } from '@microshop/chassis/internal'
import { eventually, waitFor } from '@microshop/chassis/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { freePort } from '../test-support/net.js'
import { audit, type Launcher, launch } from './launcher.js'
import { ADMIN, CARDS, cardOf, type OrderDetail, PAID, shopAt, TERMINAL } from './shop.js'

// The checkout saga on the whole system as `microshop up` runs it, faults included; `microshop audit` closes it.

let dataDir: string
let port: number
let launcher: Launcher
let admin: string

const state = async () =>
  JSON.parse(await readFile(join(dataDir, 'state.json'), 'utf8')) as {
    pgPort: number
    instances: { id: string; service: string; pid: number; status: string; httpPort: number }[]
  }
/** The payments instance as the launcher knows it now. */
const paymentsInstance = async () => (await state()).instances.find((i) => i.service === 'payments')!

const { call, buyer, orderPaidWith, order, detail, orderOnce, available } = shopAt(
  () => `http://127.0.0.1:${port}`,
)

/** n buyers, signed up a few at a time: sign-up hashes a password on purpose, and the race under test is the orders'. */
async function buyers(n: number): Promise<string[]> {
  const tokens: string[] = []
  while (tokens.length < n)
    tokens.push(...(await Promise.all(Array.from({ length: Math.min(4, n - tokens.length) }, () => buyer()))))
  return tokens
}

/** Tokenises a card for the buyer, as a payment page does before the order is placed. */
async function tokenise(token: string, card: string): Promise<string> {
  const res = await call<{ token: string; brand: string; last4: string }>('/api/payments/tokens', {
    method: 'POST',
    token,
    json: { card: cardOf(card) },
  })
  expect(res.status, JSON.stringify(res.body)).toBe(201)
  expect(res.body.last4).toBe(card.slice(-4))
  return res.body.token
}

const decided = (o: OrderDetail) => o.status !== 'PENDING_PAYMENT'

/** Every accepted order decided: paid and captured, or cancelled because payments came back after its reservation. */
function expectDecided(o: OrderDetail) {
  if (PAID.includes(o.status)) expect(o.payment?.status).toBe('CAPTURED')
  else expect(o).toMatchObject({ status: 'CANCELLED', cancelReason: 'reservation_expired' })
}

/** SIGKILLs payments; resolves once the launcher has seen it exit (the witness that it is down). */
async function killPayments() {
  const victim = await paymentsInstance()
  const exits = () => launcher.output.match(/payments-1 exited .*SIGKILL/g)?.length ?? 0
  const before = exits()
  process.kill(victim.pid, 'SIGKILL')
  await waitFor(() => exits() > before, { what: 'the launcher saw payments exit' })
  return victim
}

/** Resolves once the launcher runs payments again, in a new process. */
const paymentsRestarted = (victim: { pid: number }) =>
  waitFor(
    async () => {
      const now = await paymentsInstance()
      return now.pid !== victim.pid && now.status === 'ready'
    },
    { what: 'payments restarted', timeoutMs: 60_000, everyMs: 100 },
  )

async function setStock(productId: string, quantity: number) {
  expect(
    (await call(`/api/admin/stock/${productId}`, { method: 'PUT', token: admin, json: { quantity } })).status,
  ).toBe(200)
}

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'microshop-checkout-'))
  await chmod(dataDir, 0o755)
  port = await freePort()
  launcher = await launch(dataDir, port, {
    env: {
      LOG_LEVEL: 'warn',
      // a whole order life in seconds: carrier 10x faster, a short reservation, a slow card slower than it
      SHIPPING_TIME_SCALE: '0.1',
      ORDERS_RESERVATION_TTL_SECONDS: '6',
      PAYMENTS_SLOW_CARD_DELAY_MS: '9000',
      PAYMENTS_FRAUD_BREAKER_HALF_OPEN_MS: '2000',
      GATEWAY_RATE_LIMIT_LOGIN: '1000',
    },
  })
  await launcher.ready()
  const login = await call<{ accessToken: string }>('/api/auth/login', { method: 'POST', json: ADMIN })
  admin = login.body.accessToken
  // inventory seeds its stock from the catalog in the background
  await waitFor(async () => ((await available('enamel-camp-mug')) ?? 0) > 0, {
    what: 'stock seeded',
    timeoutMs: 30_000,
    everyMs: 150,
  })
}, 180_000)

afterAll(async () => {
  await launcher?.stop()
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
      { signal: AbortSignal.timeout(25_000) },
    )
    expect(res.headers.get('content-type')).toMatch(/text\/event-stream/)
    const seen: string[] = []
    const decoder = new TextDecoder()
    // the stream closes after a terminal status
    try {
      for await (const chunk of res.body!) {
        for (const m of decoder.decode(chunk as Uint8Array).matchAll(/"status":"([A-Z_]+)"/g))
          seen.push(m[1]!)
      }
    } catch (err) {
      const now = await detail(token, placed.body.orderId)
      throw new Error(`the stream did not end: it showed ${seen.join(' → ')}; the order is ${now.status}`, {
        cause: err,
      })
    }
    expect(seen.at(-1)).toBe('DELIVERED')
    expect(seen).toEqual(expect.arrayContaining(['CONFIRMED', 'SHIPPED', 'DELIVERED']))

    const order_ = await detail(token, placed.body.orderId)
    expect(order_.payment?.status).toBe('CAPTURED')
    expect(order_.shipment?.status).toBe('DELIVERED')
    const messages = await eventually(
      async () => {
        const { items } = (
          await call<{ items: { subject: string; channel: string }[] }>('/api/messages', { token })
        ).body
        expect(items.filter((m) => m.channel === 'email').length).toBeGreaterThanOrEqual(4)
        return items
      },
      { what: 'four emails', timeoutMs: 30_000, everyMs: 150 },
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
    const done = await orderOnce(token, placed.body.orderId, (o) => TERMINAL.includes(o.status))
    expect(done.status).toBe('CANCELLED')
    expect(done.payment?.status).toBe('FAILED')
    await eventually(async () => expect(await available('brass-fountain-pen')).toBe(before), {
      what: 'stock back',
      timeoutMs: 30_000,
      everyMs: 150,
    })
    const messages = await waitFor(
      async () => {
        const { items } = (await call<{ items: { subject: string }[] }>('/api/messages', { token })).body
        return items.some((m) => /payment failed/i.test(m.subject)) ? items : undefined
      },
      { what: 'the failure email', timeoutMs: 30_000, everyMs: 150 },
    )
    expect(messages.some((m) => /cancelled/i.test(m.subject))).toBe(true)
  })

  it('when the card is on the fraud list, then the payment is blocked and the order CANCELLED', async () => {
    const token = await buyer()
    const placed = await order(token, 'walnut-cutting-board', CARDS.fraud)
    const done = await orderOnce(token, placed.body.orderId, (o) => TERMINAL.includes(o.status))
    expect(done.status).toBe('CANCELLED')
  })

  it('when the reservation expires before a slow payment, then the order is CANCELLED and the late capture refunded', async () => {
    const token = await buyer()
    const placed = await order(token, 'linen-tea-towels-set-3', CARDS.slow)
    const cancelled = await orderOnce(token, placed.body.orderId, (o) => o.status === 'CANCELLED', 20_000)
    expect(cancelled.status).toBe('CANCELLED')
    const refunded = await orderOnce(
      token,
      placed.body.orderId,
      (o) => o.payment?.status === 'REFUNDED' || o.payment?.status === 'FAILED',
      20_000,
    )
    expect(['REFUNDED', 'FAILED']).toContain(refunded.payment?.status)
  })

  it('when a paid order is cancelled before dispatch, then it is refunded exactly once', async () => {
    const token = await buyer()
    const placed = await order(token, 'ceramic-table-lamp', CARDS.ok)
    await orderOnce(token, placed.body.orderId, (o) => o.status === 'CONFIRMED')
    const cancel = await call(`/api/orders/${placed.body.orderId}/cancel`, { method: 'POST', token })
    expect(cancel.status).toBe(200)
    const again = await call(`/api/orders/${placed.body.orderId}/cancel`, { method: 'POST', token })
    expect([200, 422]).toContain(again.status)
    const refunded = await orderOnce(token, placed.body.orderId, (o) => o.payment?.status === 'REFUNDED')
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
    const tokens = await buyers(20)
    const results = await Promise.all(tokens.map((t) => order(t, 'stoneware-planter', CARDS.ok)))
    const accepted = results.filter((r) => r.status === 202)
    expect(accepted).toHaveLength(3)
    expect(results.filter((r) => r.status !== 202).every((r) => r.status === 422)).toBe(true)
    const finals = await Promise.all(
      accepted.map((r) => orderOnce(tokens[results.indexOf(r)]!, r.body.orderId, decided)),
    )
    expect(finals.filter((o) => PAID.includes(o.status))).toHaveLength(3)
    expect(await available('stoneware-planter')).toBe(0)
  })

  it('when fraud is frozen, then the breaker opens and the fallback rule decides; when it thaws, fraud decides again', async () => {
    const { instances } = await state()
    const fraud = instances.find((i) => i.service === 'fraud')!
    const payments = instances.find((i) => i.service === 'payments')!
    const breaker = async () => {
      const text = await (await fetch(`http://127.0.0.1:${payments.httpPort}/metrics`)).text()
      return Number(/^rpc_client_breaker_state\{[^}]*peer_service="fraud"[^}]*\} (\d)/m.exec(text)?.[1] ?? -1)
    }
    expect(await breaker()).toBe(0)
    process.kill(fraud.pid, 'SIGSTOP')
    try {
      const token = await buyer()
      const placed = await Promise.all(
        Array.from({ length: 7 }, () => order(token, 'organic-cotton-tee', CARDS.ok)),
      )
      const finals = await Promise.all(placed.map((p) => orderOnce(token, p.body.orderId, decided, 40_000)))
      // a small order is approved by the fallback rule while fraud cannot answer
      expect(finals.every((o) => PAID.includes(o.status))).toBe(true)
      expect(await breaker()).not.toBe(0)
    } finally {
      process.kill(fraud.pid, 'SIGCONT')
    }
    // orders keep coming; once half-open, one of them probes fraud, and its answer closes the circuit
    const token = await buyer()
    await waitFor(
      async () => {
        const p = await order(token, 'organic-cotton-tee', CARDS.ok)
        await orderOnce(token, p.body.orderId, decided)
        return (await breaker()) === 0
      },
      { what: 'the breaker closed', timeoutMs: 40_000, everyMs: 150 },
    )
    const p = await order(token, 'organic-cotton-tee', CARDS.fraud)
    const blocked = await orderOnce(token, p.body.orderId, decided)
    expect(blocked.status).toBe('CANCELLED')
  })

  it('when payments is down, then a burst of orders paid with tokens made before is accepted, and every order ends decided once it is back, none charged twice', async () => {
    const paying = await Promise.all(
      (await buyers(5)).map(async (token) => ({ token, card: await tokenise(token, CARDS.ok) })),
    )
    const victim = await killPayments()
    // orders needs no call to payments to accept an order whose card is a token: every one is accepted
    const placed = await Promise.all(
      paying.flatMap((b) => [
        orderPaidWith(b.token, 'enamel-camp-mug', { token: b.card }),
        orderPaidWith(b.token, 'waxed-canvas-tote', { token: b.card }),
      ]),
    )
    expect(placed.map((p) => p.status)).toEqual(placed.map(() => 202))
    await paymentsRestarted(victim)
    for (const [i, p] of placed.entries())
      expectDecided(await orderOnce(paying[Math.floor(i / 2)]!.token, p.body.orderId, decided, 40_000))
  })

  it('when payments is killed right after a burst of orders was accepted, then every order ends decided after it restarts, none charged twice', async () => {
    const tokens = await buyers(5)
    const placed = await Promise.all(
      tokens.flatMap((t) => [order(t, 'enamel-camp-mug', CARDS.ok), order(t, 'waxed-canvas-tote', CARDS.ok)]),
    )
    expect(placed.map((p) => p.status)).toEqual(placed.map(() => 202))
    // payments is charging them (or about to): the kill interrupts whatever it is doing
    const victim = await killPayments()
    await paymentsRestarted(victim)
    for (const [i, p] of placed.entries())
      expectDecided(await orderOnce(tokens[Math.floor(i / 2)]!, p.body.orderId, decided, 40_000))
  })

  it('when everything has settled, then microshop audit finds no violation; a planted one is named', async () => {
    // the carrier finishes the last shipments and notifications sends the last emails: until then it fails
    await eventually(
      async () => {
        const result = await audit(dataDir)
        expect(result.text).toContain('audit passed')
        expect(result.code).toBe(0)
      },
      { what: 'the audit', timeoutMs: 60_000, everyMs: 500 },
    )

    // an order stuck in PENDING_PAYMENT for an hour, written behind the services' backs
    const secrets = JSON.parse(await readFile(join(dataDir, 'secrets.json'), 'utf8')) as { superuser: string }
    const { pgPort } = await state()
    const stuck = '00000000-0000-4000-8000-00000000dead'
    await withConnection(
      `postgres://postgres:${encodeURIComponent(secrets.superuser)}@127.0.0.1:${pgPort}/orders`,
      (db) =>
        db.query(
          `insert into order_summaries (order_id, user_id, status, total_amount, currency, item_count, created_at, updated_at, version)
           values ($1, 'nobody', 'PENDING_PAYMENT', 100, 'USD', 1, now() - interval '1 hour', now() - interval '1 hour', 1)`,
          [stuck],
        ),
    )
    const failed = await audit(dataDir)
    expect(failed.code).toBe(1)
    expect(failed.text).toContain(stuck)
    expect(failed.text).toMatch(/audit failed/)
  }, 90_000)
})
