import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Stack, startStack } from '../test-support/stack.js'
import { testTlsDir } from '../test-support/tls.js'

// The stock client a newcomer reaches for: buf curl, with nothing but server reflection (no --schema).
const BUF = fileURLToPath(new URL('../node_modules/.bin/buf', import.meta.url))
const run = promisify(execFile)
let stack: Stack

/** buf curl against `service` over mutual TLS, presenting the certificate of `as`. */
async function bufCurl(as: string, service: 'catalog' | 'identity', args: string[]) {
  const tls = await testTlsDir(as)
  const port = stack.services[service]?.grpcPort
  const flags = ['--protocol', 'grpc', '--servername', service, '--cacert', `${tls}/ca.crt`]
  flags.push('--cert', `${tls}/tls.crt`, '--key', `${tls}/tls.key`)
  const result = await run(
    BUF,
    ['curl', ...flags, ...args.map((a) => a.replace('URL', `https://127.0.0.1:${port}`))],
    {
      timeout: 30_000,
    },
  ).catch((err: { stdout: string; stderr: string; code: number }) => err)
  return { stdout: result.stdout, stderr: result.stderr, code: 'code' in result ? result.code : 0 }
}

beforeAll(async () => {
  stack = await startStack(['catalog', 'identity'], {}, { tls: true })
})
afterAll(async () => {
  await stack?.close()
})

describe('server reflection for stock clients', () => {
  it('when buf curl lists the catalog by reflection, then it finds the service and its methods', async () => {
    const services = await bufCurl('gateway', 'catalog', ['--list-services', 'URL'])
    expect(services.stderr).toBe('')
    expect(services.stdout.split('\n')).toContain('microshop.catalog.v1.CatalogService')
    const methods = await bufCurl('gateway', 'catalog', ['--list-methods', 'URL'])
    expect(methods.stdout.split('\n')).toContain('microshop.catalog.v1.CatalogService/ListProducts')
  })

  it('when buf curl calls ListProducts with the schema from reflection alone, then it gets a page of products', async () => {
    const res = await bufCurl('gateway', 'catalog', [
      '--data',
      '{"page": {"pageSize": 3}, "sort": "PRODUCT_SORT_PRICE_ASC"}',
      'URL/microshop.catalog.v1.CatalogService/ListProducts',
    ])
    expect(res.stderr).toBe('')
    const body = JSON.parse(res.stdout) as {
      products: Array<{ id: string; price: { amount: string; currency: string } }>
      nextPageToken: string
    }
    expect(body.products).toHaveLength(3)
    const prices = body.products.map((p) => Number(p.price.amount))
    expect(prices).toEqual([...prices].sort((a, b) => a - b))
    expect(body.nextPageToken).not.toBe('')
  })

  it('when buf curl signs in on identity by reflection, then the message types of every file resolve', async () => {
    const res = await bufCurl('gateway', 'identity', [
      '--data',
      '{"email": "admin@microshop.local", "password": "microshop-admin-2026"}',
      'URL/microshop.identity.v1.IdentityService/Login',
    ])
    expect(res.stderr).toBe('')
    expect(JSON.parse(res.stdout)).toMatchObject({ tokens: { accessToken: expect.any(String) } })
  })

  it('when a service the policy does not admit calls through buf curl, then reflection works but the call is refused', async () => {
    const res = await bufCurl('cart', 'catalog', [
      '--data',
      '{}',
      'URL/microshop.catalog.v1.CatalogService/ListProducts',
    ])
    expect(res.code).not.toBe(0)
    expect(res.stderr).toMatch(/permission[_ ]denied/i)
    expect(res.stderr).toContain('cart may not call')
  })
})
