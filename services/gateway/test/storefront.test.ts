import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Stack, startStack } from '../../../test-support/stack.js'
import { type GatewayEdge, gatewayEdge, type ProblemBody } from './support.js'

// The built storefront at `/`, from a folder the test writes: its files, index.html for client-side routes,
// and the API's own 404s untouched.
const INDEX = '<!doctype html><html lang="en"><title>microshop</title><div id="root"></div></html>'
const SCRIPT = 'console.log("shop")'
let stack: Stack
let edge: GatewayEdge
let dir: string

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'microshop-storefront-'))
  stack = await startStack(['catalog', 'identity', 'gateway'], {
    // a small anonymous limit: the shop's files must not count against it
    gateway: { GATEWAY_STOREFRONT_DIR: dir, GATEWAY_RATE_LIMIT_ANONYMOUS: '12' },
  })
  edge = await gatewayEdge(stack)
})

afterAll(async () => {
  await stack?.close()
  await rm(dir, { recursive: true, force: true })
})

describe('the storefront at /', () => {
  it('when it was not built, then / answers 503 STOREFRONT_NOT_BUILT saying how to build it', async () => {
    const res = await edge.inject('/')
    expect(res.statusCode).toBe(503)
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/)
    const problem = res.json() as ProblemBody
    expect(problem.code).toBe('STOREFRONT_NOT_BUILT')
    expect(problem.detail).toContain('npm run build')
  })

  describe('once built', () => {
    beforeAll(async () => {
      await mkdir(join(dir, 'assets'), { recursive: true })
      await writeFile(join(dir, 'index.html'), INDEX)
      await writeFile(join(dir, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>')
      await writeFile(join(dir, 'assets', 'index-a1b2c3.js'), SCRIPT)
      await writeFile(join(dir, 'assets', 'index-a1b2c3.js.gz'), gzipSync(SCRIPT))
    })

    it('when / or a client-side route is asked, then index.html comes, never cached stale, with a CSP for the shop', async () => {
      for (const path of ['/', '/products/enamel-camp-mug', '/orders/123?live=1', '/account']) {
        const res = await edge.inject(path)
        expect(res.statusCode, path).toBe(200)
        expect(res.headers['content-type']).toBe('text/html; charset=utf-8')
        expect(res.headers['cache-control']).toBe('no-cache')
        expect(res.body).toBe(INDEX)
        expect(res.headers['content-security-policy']).toContain("script-src 'self'")
        expect(res.headers['content-security-policy']).toContain("frame-ancestors 'none'")
      }
    })

    it('when a hashed asset is asked, then it is kept for a year, gzipped for clients that take it', async () => {
      const plain = await edge.inject('/assets/index-a1b2c3.js')
      expect(plain.statusCode).toBe(200)
      expect(plain.headers).toMatchObject({
        'content-type': 'text/javascript; charset=utf-8',
        'cache-control': 'public, max-age=31536000, immutable',
      })
      expect(plain.body).toBe(SCRIPT)
      const zipped = await edge.inject('/assets/index-a1b2c3.js', {
        headers: { 'accept-encoding': 'gzip, br' },
      })
      expect(zipped.headers['content-encoding']).toBe('gzip')
      expect(zipped.headers.vary).toMatch(/accept-encoding/)
      expect(zipped.rawPayload).toEqual(gzipSync(SCRIPT))
    })

    it('when a file is asked again with its ETag, then 304', async () => {
      const first = await edge.inject('/favicon.svg')
      expect(first.headers['content-type']).toBe('image/svg+xml')
      const again = await edge.inject('/favicon.svg', {
        headers: { 'if-none-match': String(first.headers.etag) },
      })
      expect(again.statusCode).toBe(304)
    })

    it('when a file is missing, or a path tries to leave the folder, then 404 and never a page', async () => {
      for (const path of ['/assets/nope-123.js', '/%2e%2e/%2e%2e/package.json', '/..%2F..%2Fpackage.json']) {
        const res = await edge.inject(path)
        expect(res.statusCode, path).toBe(404)
        expect((res.json() as ProblemBody).code).toBe('ROUTE_NOT_FOUND')
      }
    })

    it('when an unknown API path is asked, then it is the API’s 404, not the shop; the API and its docs still answer', async () => {
      const res = await edge.inject('/api/no-such-thing')
      expect(res.statusCode).toBe(404)
      expect((res.json() as ProblemBody).code).toBe('ROUTE_NOT_FOUND')
      expect((await edge.inject('/images/products/nope.svg')).statusCode).toBe(404)
      expect((await edge.inject('/api/categories')).statusCode).toBe(200)
      expect((await edge.inject('/api/docs/')).statusCode).toBe(200)
      expect((await edge.inject('/api/openapi.json')).statusCode).toBe(200)
    })

    it('when a browser asks for the shop’s files by the dozen, then they do not count against the API’s limit', async () => {
      for (let i = 0; i < 30; i++) {
        for (const path of ['/', '/assets/index-a1b2c3.js', '/favicon.svg']) {
          const res = await edge.inject(path)
          expect(res.statusCode, path).toBe(200)
          expect(res.headers['ratelimit-remaining']).toBeUndefined()
        }
      }
      // the API keeps its limit: 12 a window for one address, some already spent above
      const statuses: number[] = []
      for (let i = 0; i < 13; i++) statuses.push((await edge.inject('/api/categories')).statusCode)
      expect(statuses).toContain(429)
      expect(statuses.filter((s) => s === 200).length).toBeLessThanOrEqual(12)
    })
  })
})
