import * as grpc from '@grpc/grpc-js'
import { createServiceClient } from '@microshop/chassis/internal'
import { silentLogger, staticDiscovery } from '@microshop/chassis/testing'
import { CatalogServiceService } from '@microshop/contracts/catalog/v1/catalog'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { rejectionOf } from '../test-support/grpc.js'
import { type Stack, startStack } from '../test-support/stack.js'
import { testTls } from '../test-support/tls.js'

// The in-process stack as launched: each service its own certificate from the test CA, the call policy on.
let stack: Stack
const ADMIN = { email: 'admin@microshop.local', password: 'microshop-admin-2026' }

const call = async <T>(path: string, init: { method?: string; token?: string; json?: unknown } = {}) => {
  const res = await fetch(`${stack.base}${path}`, {
    method: init.method ?? 'GET',
    headers: {
      ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
      ...(init.json !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    body: init.json !== undefined ? JSON.stringify(init.json) : undefined,
    signal: AbortSignal.timeout(10_000),
  })
  const text = await res.text()
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T }
}

type Product = {
  name: string
  description: string
  category: string
  price: { amount: number; currency: string }
}

beforeAll(async () => {
  stack = await startStack(['catalog', 'identity', 'gateway'], {}, { tls: true })
})
afterAll(async () => {
  await stack?.close()
})

describe('the stack over mutual TLS', () => {
  it('when an admin changes a price through the gateway, then it goes through mTLS and the policy, and another service certificate is refused', async () => {
    const login = await call<{ accessToken: string }>('/api/auth/login', { method: 'POST', json: ADMIN })
    expect(login.status).toBe(200)
    const before = await call<Product>('/api/products/walnut-cutting-board')
    expect(before.status).toBe(200)
    const edit = (price: number) => ({
      name: before.body.name,
      description: before.body.description,
      category: before.body.category,
      price: { ...before.body.price, amount: price },
    })
    const put = await call('/api/admin/products/walnut-cutting-board', {
      method: 'PUT',
      token: login.body.accessToken,
      json: edit(before.body.price.amount + 100),
    })
    expect(put.status).toBe(200)

    // another service's certificate, straight to the catalog: refused before the handler, price kept
    const cart = createServiceClient({
      service: 'catalog',
      definition: CatalogServiceService,
      discovery: staticDiscovery([`127.0.0.1:${stack.services.catalog?.grpcPort}`]),
      log: silentLogger,
      retries: 0,
      tls: await testTls('cart'),
    })
    try {
      const err = await rejectionOf<{ cause?: { code?: number } }>(
        cart.call(
          'upsertProduct',
          {
            product: {
              id: 'walnut-cutting-board',
              ...edit(1),
              imageUrl: '',
              weightGrams: 900,
              updatedAt: '',
            },
            createOnly: false,
          },
          { authorization: `Bearer ${login.body.accessToken}` },
        ),
      )
      expect(err.cause?.code).toBe(grpc.status.PERMISSION_DENIED)
    } finally {
      cart.close()
    }
    const { body } = await call<Product>('/api/products/walnut-cutting-board')
    expect(body.price.amount).toBe(before.body.price.amount + 100)
  })
})
