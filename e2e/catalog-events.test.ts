import { eventually } from '@microshop/chassis/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Stack, startStack } from '../test-support/stack.js'

// Catalog changes travel as events through the outbox and the log, and the gateway's cache listens.
let stack: Stack
const ADMIN = { email: 'admin@microshop.local', password: 'microshop-admin-2026' }

const call = (path: string, init: { method?: string; token?: string; json?: unknown } = {}) =>
  fetch(`${stack.base}${path}`, {
    method: init.method ?? 'GET',
    headers: {
      ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
      ...(init.json !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    body: init.json !== undefined ? JSON.stringify(init.json) : undefined,
    signal: AbortSignal.timeout(10_000),
  })

beforeAll(async () => {
  // a long TTL: only the event can make the gateway forget the cached product
  stack = await startStack(['catalog', 'identity', 'gateway'], {
    gateway: { GATEWAY_CACHE_TTL_MS: '600000' },
  })
})

afterAll(async () => {
  await stack?.close()
})

describe('catalog events reach the gateway cache', () => {
  it('when an admin changes a price, then cached reads show the new price without waiting for the TTL', async () => {
    const before = (await (await call('/api/products/walnut-cutting-board')).json()) as {
      name: string
      description: string
      price: { amount: number; currency: string }
      category: string
    }
    expect((await call('/api/products/walnut-cutting-board')).headers.get('x-cache')).toBe('fresh')

    const login = (await (await call('/api/auth/login', { method: 'POST', json: ADMIN })).json()) as {
      accessToken: string
    }
    const newPrice = before.price.amount + 1_00
    const put = await call('/api/admin/products/walnut-cutting-board', {
      method: 'PUT',
      token: login.accessToken,
      json: {
        name: before.name,
        description: before.description,
        category: before.category,
        price: { ...before.price, amount: newPrice },
      },
    })
    expect(put.status).toBe(200)

    // far below the TTL: only the event can have made the gateway forget the cached product
    await eventually(
      async () => {
        const seen = (await (await call('/api/products/walnut-cutting-board')).json()) as {
          price: { amount: number }
        }
        expect(seen.price.amount).toBe(newPrice)
      },
      { what: 'the new price', timeoutMs: 10_000, everyMs: 100 },
    )
  })
})
