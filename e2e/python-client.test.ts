import { execFile } from 'node:child_process'
import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { waitFor } from '@microshop/chassis/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { freePort } from '../test-support/net.js'
import { jsonCall } from './http.js'
import { type Launcher, launch } from './launcher.js'
import { shopAt } from './shop.js'

// The polyglot promise: a Python client made from packages/contracts/proto alone (Debian's grpcio and
// grpc_tools, under /usr/bin/python3: a pyenv python on PATH lacks them) drives the launched system's gRPC.
const PYTHON = '/usr/bin/python3'
const CLIENT = join(import.meta.dirname, '..', 'clients', 'python', 'microshop_client.py')
const run = promisify(execFile)
let dataDir: string
let port: number
let launcher: Launcher

const grpcAddress = async (service: string) => {
  const state = JSON.parse(await readFile(join(dataDir, 'state.json'), 'utf8')) as {
    instances: Array<{ service: string; grpcPort?: number }>
  }
  const instance = state.instances.find((i) => i.service === service && i.grpcPort)
  if (!instance) throw new Error(`no ${service} instance with a gRPC port`)
  return `127.0.0.1:${instance.grpcPort}`
}

type Line = { event: string; [field: string]: unknown }

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'microshop-python-'))
  await chmod(dataDir, 0o755)
  port = await freePort()
  launcher = await launch(dataDir, port, { env: { LOG_LEVEL: 'warn' } })
  await launcher.ready()
  // inventory seeds its stock from the catalog's events after ready; the client orders the first product
  const shop = shopAt(() => `http://127.0.0.1:${port}`)
  const firsts = await Promise.all(
    ['name', 'newest'].map(async (sort) => {
      const page = await shop.call<{ items: Array<{ id: string }> }>(`/api/products?pageSize=1&sort=${sort}`)
      return page.body.items[0]!.id
    }),
  )
  await waitFor(
    async () => (await Promise.all(firsts.map((id) => shop.available(id)))).every((n) => (n ?? 0) > 0),
    {
      what: 'stock seeded',
      timeoutMs: 60_000,
      everyMs: 150,
    },
  )
}, 180_000)

afterAll(async () => {
  await launcher?.stop()
  await rm(dataDir, { recursive: true, force: true })
}, 60_000)

describe('the Python client', () => {
  it('when it runs against the system, then it lists products, places an order and sees it CONFIRMED', async () => {
    const email = `python-${Date.now()}@example.com`
    const password = 'a-long-enough-pass-py3'
    const { stdout } = await run(
      PYTHON,
      [
        CLIENT,
        ...['--tls-dir', join(dataDir, 'tls', 'gateway')],
        ...['--catalog', await grpcAddress('catalog')],
        ...['--identity', await grpcAddress('identity')],
        ...['--orders', await grpcAddress('orders')],
        ...['--email', email, '--password', password],
      ],
      { timeout: 90_000 },
    ).catch((err: { stdout: string; stderr: string }) => {
      throw new Error(`the client failed:\n${err.stdout}\n${err.stderr}`)
    })
    const lines = stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Line)
    expect(lines.map((l) => l.event)).toEqual(['products', 'signed_in', 'order_placed', 'order_settled'])
    const [products, , placed, settled] = lines as [Line, Line, Line, Line]
    const items = products.items as Array<{ id: string; name: string; price: { amount: number } }>
    expect(items).toHaveLength(5)
    expect(items.map((p) => p.price.amount)).toEqual(items.map((p) => p.price.amount).sort((a, b) => a - b))
    expect(placed).toMatchObject({ status: 'ORDER_STATUS_PENDING_PAYMENT', productId: items[0]!.id })
    expect(placed.orderId).toMatch(/\S{8,}/)
    expect(settled).toMatchObject({ orderId: placed.orderId, status: 'ORDER_STATUS_CONFIRMED' })

    // a witness the client did not write: the same buyer sees the order through the public API
    const base = `http://127.0.0.1:${port}`
    const login = await jsonCall<{ accessToken: string }>(base, '/api/auth/login', {
      method: 'POST',
      json: { email, password },
    })
    expect(login.status).toBe(200)
    const order = await jsonCall<{ id: string; status: string; lines: Array<{ productId: string }> }>(
      base,
      `/api/orders/${placed.orderId}`,
      { token: login.body.accessToken },
    )
    expect(order.status).toBe(200)
    expect(['CONFIRMED', 'SHIPPED', 'DELIVERED']).toContain(order.body.status)
    expect(order.body.lines.map((l) => l.productId)).toEqual([items[0]!.id])
  }, 120_000)
})
