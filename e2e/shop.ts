import { eventually } from '@microshop/chassis/testing'
import { expect } from 'vitest'
import { type JsonCall, jsonCall } from './http.js'

/** A buyer's side of the shop through the gateway's REST API: sign-up, orders, their detail. */

/** The first admin, as the README's local defaults make it. */
export const ADMIN = { email: 'admin@microshop.local', password: 'microshop-admin-2026' }
/** Stripe's test numbers, as the simulated provider and fraud read them. */
export const CARDS = {
  ok: '4242424242424242',
  declined: '4000000000000002',
  fraud: '4100000000000019',
  slow: '4000000000000077',
}
export const TERMINAL = ['DELIVERED', 'CANCELLED']
export const PAID = ['CONFIRMED', 'SHIPPED', 'DELIVERED']
export const ADDRESS = {
  name: 'Sam Buyer',
  line1: '1 Main St',
  city: 'Springfield',
  postalCode: '12345',
  country: 'US',
}

export const cardOf = (number: string) => ({ number, expMonth: 12, expYear: 2035, cvc: '123' })
export type Payment = { card: ReturnType<typeof cardOf> } | { token: string }

export interface OrderDetail {
  status: string
  cancelReason?: string
  payment: { status: string; amount: { amount: number }; refunded?: { amount: number } } | null
  shipment: { status: string; trackingNumber: string } | null
}

/** The shop at the gateway whose base URL `base()` gives (read at each call: tests pick the port later). */
export function shopAt(base: () => string) {
  const call = <T = Record<string, unknown>>(path: string, init?: JsonCall) => jsonCall<T>(base(), path, init)

  let users = 0
  /** A new buyer, signed up and logged in: its access token. */
  async function buyer() {
    const email = `buyer${++users}-${Date.now()}@example.com`
    const password = 'a-long-enough-pass-7'
    const registered = await call('/api/auth/register', {
      method: 'POST',
      json: { email, password, name: `Buyer ${users}` },
    })
    expect(registered.status, JSON.stringify(registered.body)).toBe(201)
    const login = await call<{ accessToken: string }>('/api/auth/login', {
      method: 'POST',
      json: { email, password },
    })
    expect(login.status, JSON.stringify(login.body)).toBe(200)
    return login.body.accessToken
  }

  const orderPaidWith = (
    token: string,
    productId: string,
    payment: Payment,
    key = `key-${Math.random()}`,
    quantity = 1,
  ) =>
    call<{ orderId: string; status: string; code?: string }>('/api/orders', {
      method: 'POST',
      token,
      headers: { 'idempotency-key': key },
      json: { lines: [{ productId, quantity }], shippingAddress: ADDRESS, payment },
    })

  const order = (token: string, productId: string, card: string, key?: string, quantity?: number) =>
    orderPaidWith(token, productId, { card: cardOf(card) }, key, quantity)

  const detail = async (token: string, id: string) =>
    (await call<OrderDetail>(`/api/orders/${id}`, { token })).body

  /** The order once `reached` holds for it; fails with its last detail. Polls gently: the buyer has a rate limit. */
  const orderOnce = (token: string, id: string, reached: (o: OrderDetail) => boolean, timeoutMs = 30_000) =>
    eventually(
      async () => {
        const o = await detail(token, id)
        if (!reached(o)) throw new Error(`order ${id} is still ${JSON.stringify(o).slice(0, 300)}`)
        return o
      },
      { timeoutMs, everyMs: 150 },
    )

  /** How many of a product can be ordered now, as its page says. */
  const available = async (productId: string) =>
    (await call<{ availability: { available: number } | null }>(`/api/products/${productId}`)).body
      .availability?.available

  return { call, buyer, orderPaidWith, order, detail, orderOnce, available }
}
