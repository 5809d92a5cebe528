import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { createTestDatabase, type TestDatabase } from '../../../test-support/db.js'
import { rejectionOf, silentLogger, staticDiscovery } from '../../../test-support/grpc.js'
import { freePort } from '../../../test-support/net.js'
import {
  type AppError,
  createRegistryDiscovery,
  createServiceClient,
  type Discovery,
  type ServiceClient,
  withRequest,
} from '../src/index.js'
import { type Echo, type EchoCall, EchoService, startEcho } from './echo-service.js'

const clientFor = (discovery: Discovery, deadlineMs = 3_000) =>
  createServiceClient({ service: 'echo', definition: EchoService, discovery, log: silentLogger, deadlineMs })

const timed = async <T>(fn: () => Promise<T>) => {
  const started = Date.now()
  const result = await fn()
  return { result, ms: Date.now() - started }
}

describe('service client with registry discovery', () => {
  let registry: TestDatabase
  let a: Echo
  let b: Echo
  let discovery: Discovery
  let client: ServiceClient<typeof EchoService>

  beforeAll(async () => {
    registry = await createTestDatabase('registry')
    ;[a, b] = await Promise.all([
      startEcho({ instanceId: 'echo-a', registryUrl: registry.url }),
      startEcho({ instanceId: 'echo-b', registryUrl: registry.url }),
    ])
    discovery = createRegistryDiscovery(registry.url, silentLogger)
    client = clientFor(discovery)
  })
  afterAll(async () => {
    client?.close()
    await discovery?.close()
    await Promise.all([a?.stop(), b?.stop()])
    await registry?.drop()
  })

  it('when two instances are registered, then calls reach both', async () => {
    const seen: string[] = []
    for (let i = 0; i < 20; i++) seen.push((await client.call('whoAmI', {})).instanceId)
    expect(seen.filter((id) => id === 'echo-a').length).toBeGreaterThanOrEqual(5)
    expect(seen.filter((id) => id === 'echo-b').length).toBeGreaterThanOrEqual(5)
    expect(new Set(seen)).toEqual(new Set(['echo-a', 'echo-b']))
  })

  it('when the caller has a request id, then the server handles the call under that id', async () => {
    const res = await withRequest({ requestId: 'req-123' }, () => client.call('whoAmI', {}))
    expect(res.requestId).toBe('req-123')
  })

  it('when one instance stops, then the client still succeeds on the other', async () => {
    await a.stop()
    // right after the stop the discovery cache may still hold the stopped instance: the retry covers it
    for (let i = 0; i < 10; i++) expect((await client.call('whoAmI', {})).instanceId).toBe('echo-b')
  })

  it('when no instance is registered, then the call fails as unavailable at once, not at the deadline', async () => {
    await b.stop()
    discovery.invalidate('echo')
    const { result: err, ms } = await timed(() =>
      rejectionOf<AppError>(client.call('whoAmI', {}, { deadlineMs: 2_000 })),
    )
    expect(err.kind).toBe('unavailable')
    expect(err.code).toBe('UPSTREAM_UNAVAILABLE')
    expect(err.retryable).toBe(true)
    expect(ms).toBeLessThan(1_000)
  })
})

describe('service client with static targets', () => {
  const calls: EchoCall[] = []
  let echo: Echo
  let other: Echo
  let deadTarget: string
  const clients: Array<{ close(): void }> = []
  const track = <C extends { close(): void }>(client: C) => {
    clients.push(client)
    return client
  }

  beforeAll(async () => {
    ;[echo, other] = await Promise.all([
      startEcho({ instanceId: 'echo-static', calls }),
      startEcho({ instanceId: 'echo-other', calls }),
    ])
    deadTarget = `127.0.0.1:${await freePort()}`
  })
  afterEach(() => {
    calls.length = 0
  })
  afterAll(async () => {
    for (const c of clients) c.close()
    await Promise.all([echo?.stop(), other?.stop()])
  })

  it('when one listed instance is unreachable, then every call is retried on the live one', async () => {
    const client = track(clientFor(staticDiscovery([deadTarget, echo.target])))
    for (let i = 0; i < 10; i++) expect((await client.call('whoAmI', {})).instanceId).toBe('echo-static')
    expect(calls).toHaveLength(10)
  })

  it('when the only instance is unreachable, then the call fails as unavailable within the deadline', async () => {
    const client = track(clientFor(staticDiscovery([deadTarget])))
    const { result: err, ms } = await timed(() =>
      rejectionOf<AppError>(client.call('whoAmI', {}, { deadlineMs: 1_500 })),
    )
    expect(err.kind).toBe('unavailable')
    expect(ms).toBeLessThan(1_500 + 500)
  })

  it('when discovery lists nothing, then the call fails as unavailable at once', async () => {
    const client = track(clientFor(staticDiscovery([])))
    const { result: err, ms } = await timed(() => rejectionOf<AppError>(client.call('whoAmI', {})))
    expect(err.kind).toBe('unavailable')
    expect(ms).toBeLessThan(500)
  })

  it('when the handler is slower than the deadline, then the call fails as deadline_exceeded, once, on time', async () => {
    const client = track(clientFor(staticDiscovery([echo.target])))
    const { result: err, ms } = await timed(() =>
      rejectionOf<AppError>(client.call('sleep', { ms: 1_500 }, { deadlineMs: 200 })),
    )
    expect(err.kind).toBe('deadline_exceeded')
    expect(err.code).toBe('UPSTREAM_TIMEOUT')
    expect(ms).toBeGreaterThanOrEqual(150)
    expect(ms).toBeLessThan(1_000)
    // a timeout is not retried: the server saw exactly one call, with the caller's deadline
    expect(calls.filter((c) => c.method === 'sleep')).toHaveLength(1)
    expect(calls[0]!.remainingMs).toBeGreaterThan(0)
    expect(calls[0]!.remainingMs).toBeLessThanOrEqual(200)
  })

  it('when the handler is faster than the deadline, then the call succeeds', async () => {
    const client = track(clientFor(staticDiscovery([echo.target])))
    expect(await client.call('sleep', { ms: 50 }, { deadlineMs: 2_000 })).toEqual({ sleptMs: 50 })
  })

  it('when the server throws an AppError, then the client gets it with code, kind, fields and retryable', async () => {
    const client = track(clientFor(staticDiscovery([echo.target])))
    const fields = [{ field: 'quantity', message: 'at least 1' }]
    const err = await rejectionOf<AppError>(
      client.call('fail', {
        kind: 'failed_precondition',
        code: 'TEST_OUT_OF_STOCK',
        message: 'only 2 left',
        fields,
      }),
    )
    expect(err.name).toBe('AppError')
    expect(err.kind).toBe('failed_precondition')
    expect(err.code).toBe('TEST_OUT_OF_STOCK')
    expect(err.message).toBe('only 2 left')
    expect(err.fields).toEqual(fields)
    expect(err.retryable).toBe(false)
    // not UNAVAILABLE: the server was asked once, never again
    expect(calls.map((c) => c.method)).toEqual(['fail'])
  })

  it('when the server fails with a plain Error, then the client gets INTERNAL without the message', async () => {
    const client = track(clientFor(staticDiscovery([echo.target])))
    const err = await rejectionOf<AppError>(
      client.call('fail', { message: 'password=hunter2 in /srv/app.ts:12' }),
    )
    expect(err.kind).toBe('internal')
    expect(err.code).toBe('INTERNAL')
    expect(err.message).not.toContain('hunter2')
  })

  it('when an instance itself answers UNAVAILABLE (a peer of its own is down), then that answer is final', async () => {
    const client = track(clientFor(staticDiscovery([echo.target, other.target])))
    const err = await rejectionOf<AppError>(
      client.call('fail', { kind: 'unavailable', code: 'TEST_BUSY', message: 'busy' }),
    )
    expect(err.code).toBe('TEST_BUSY')
    expect(err.retryable).toBe(true)
    // a healthy instance must not be marked suspect for its upstream's outage
    expect(calls).toHaveLength(1)
    await client.call('whoAmI', {})
    await client.call('whoAmI', {})
    expect(new Set(calls.slice(1).map((c) => c.instanceId)).size).toBe(2)
  })

  it('when retry is off, then an UNAVAILABLE answer is not retried', async () => {
    const client = track(clientFor(staticDiscovery([echo.target, other.target])))
    const err = await rejectionOf<AppError>(
      client.call('fail', { kind: 'unavailable', code: 'TEST_BUSY', message: 'busy' }, { retry: false }),
    )
    expect(err.code).toBe('TEST_BUSY')
    expect(calls).toHaveLength(1)
  })

  it('when a method is not in the definition, then the call is refused before any I/O', async () => {
    const client = track(clientFor(staticDiscovery([echo.target])))
    await expect(client.call('nope' as 'whoAmI', {})).rejects.toThrow(/no method nope/)
  })
})
