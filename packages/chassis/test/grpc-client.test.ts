import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { createTestDatabase, type TestDatabase } from '../../../test-support/db.js'
import { metricValue, rejectionOf, silentLogger, staticDiscovery } from '../../../test-support/grpc.js'
import { freePort } from '../../../test-support/net.js'
import { type AppError, type ServiceClient, withRequest } from '../src/index.js'
import {
  createMetrics,
  createRegistryDiscovery,
  createServiceClient,
  type Discovery,
} from '../src/internal.js'
import { type Echo, type EchoCall, EchoService, type FailRequest, startEcho } from './echo-service.js'

const clientFor = (discovery: Discovery, deadlineMs = 3_000) =>
  createServiceClient({ service: 'echo', definition: EchoService, discovery, log: silentLogger, deadlineMs })

const upstreamDown = {
  kind: 'unavailable' as const,
  code: 'UPSTREAM_UNAVAILABLE',
  message: 'inventory is unavailable, try again shortly',
}
const outOfStock = { kind: 'failed_precondition' as const, code: 'TEST_OUT_OF_STOCK', message: 'none left' }

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

  it('when no instance is registered, then the call fails as unavailable at once, not at the deadline', {
    timeout: 15_000,
  }, async () => {
    await b.stop()
    discovery.invalidate('echo')
    // a deadline the test's own timeout would not outlast
    const err = await rejectionOf<AppError>(client.call('whoAmI', {}, { deadlineMs: 60_000 }))
    expect(err.kind).toBe('unavailable')
    expect(err.code).toBe('UPSTREAM_UNAVAILABLE')
    expect(err.retryable).toBe(true)
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
  /** How often the server was called with this flaky key: the witness of the attempts. */
  const flakyCalls = (key: string) => calls.filter((c) => c.key === key).length

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

  it('when the only instance is unreachable, then the call fails as unavailable, not at the deadline', {
    timeout: 15_000,
  }, async () => {
    const client = track(clientFor(staticDiscovery([deadTarget])))
    const err = await rejectionOf<AppError>(client.call('whoAmI', {}, { deadlineMs: 60_000 }))
    expect(err.kind).toBe('unavailable')
  })

  it('when discovery lists nothing, then the call fails as unavailable at once', {
    timeout: 15_000,
  }, async () => {
    const client = track(clientFor(staticDiscovery([])))
    const err = await rejectionOf<AppError>(client.call('whoAmI', {}, { deadlineMs: 60_000 }))
    expect(err.kind).toBe('unavailable')
  })

  it('when the handler is slower than the deadline, then the call fails as deadline_exceeded, once, the deadline passed on', async () => {
    const client = track(clientFor(staticDiscovery([echo.target])))
    // had the client not given up at the deadline, the handler's answer would have come and succeeded
    const err = await rejectionOf<AppError>(client.call('sleep', { ms: 1_500 }, { deadlineMs: 200 }))
    expect(err.kind).toBe('deadline_exceeded')
    expect(err.code).toBe('UPSTREAM_TIMEOUT')
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

  it('when an instance answers UNAVAILABLE (a peer of its own is down), then the call is retried without marking that instance suspect', async () => {
    const client = track(clientFor(staticDiscovery([echo.target, other.target])))
    const res = await client.call('flaky', { key: 'peer-down', failures: 1, error: upstreamDown })
    expect(res).toEqual({ call: 2 })
    expect(calls.map((c) => c.method)).toEqual(['flaky', 'flaky'])
    // both instances still get calls: the one that relayed its upstream's outage was not set aside
    await client.call('whoAmI', {})
    await client.call('whoAmI', {})
    expect(new Set(calls.slice(2).map((c) => c.instanceId)).size).toBe(2)
  })

  it.each<[string, FailRequest]>([
    ['UPSTREAM_UNAVAILABLE from its own peer', upstreamDown],
    ['RESOURCE_EXHAUSTED', { kind: 'resource_exhausted', code: 'TEST_SHEDDING', message: 'busy' }],
    ['an error of a final kind marked retryable', { ...outOfStock, retryable: true }],
  ])('when the only instance answers %s once, then the second attempt succeeds', async (_, error) => {
    const client = track(clientFor(staticDiscovery([echo.target])))
    const key = `once-${error.code}-${String(error.retryable)}`
    expect(await client.call('flaky', { key, failures: 1, error })).toEqual({ call: 2 })
    expect(flakyCalls(key)).toBe(2)
  })

  it.each<[string, FailRequest]>([
    ['a final error', outOfStock],
    ['an UNAVAILABLE marked not retryable', { ...upstreamDown, retryable: false }],
    ['a plain Error (INTERNAL)', { message: 'boom' }],
  ])('when an instance answers %s, then the call is tried exactly once', async (_, error) => {
    const client = track(clientFor(staticDiscovery([echo.target, other.target])))
    const key = `final-${error.message}-${String(error.retryable)}`
    await rejectionOf(client.call('flaky', { key, failures: 1, error }))
    expect(flakyCalls(key)).toBe(1)
  })

  it('when retry is off, then a retryable answer is not retried', async () => {
    const client = track(clientFor(staticDiscovery([echo.target, other.target])))
    const err = await rejectionOf<AppError>(
      client.call('flaky', { key: 'no-retry', failures: 1, error: upstreamDown }, { retry: false }),
    )
    expect(err.code).toBe('UPSTREAM_UNAVAILABLE')
    expect(err.retryable).toBe(true)
    expect(flakyCalls('no-retry')).toBe(1)
  })

  it('when the server asks for a wait longer than the deadline leaves, then the call fails at once, not retried', {
    timeout: 15_000,
  }, async () => {
    const client = track(clientFor(staticDiscovery([echo.target])))
    // waiting out a minute would outlive the test's own timeout
    const error = { ...upstreamDown, retryAfterMs: 60_000 }
    const err = await rejectionOf<AppError>(
      client.call('flaky', { key: 'pushback', failures: 1, error }, { deadlineMs: 30_000 }),
    )
    expect(err.code).toBe('UPSTREAM_UNAVAILABLE')
    expect(err.retryAfterMs).toBe(60_000)
    expect(flakyCalls('pushback')).toBe(1)
  })

  it('when the retry budget is spent, then a retryable failure is tried once, until successes earn retries back', async () => {
    const metrics = createMetrics({ service: 'test', instance: 'test-budget' })
    const client = track(
      createServiceClient({
        service: 'echo',
        definition: EchoService,
        discovery: staticDiscovery([echo.target]),
        log: silentLogger,
        metrics,
      }),
    )
    const retries = async (outcome: string) =>
      metricValue(await metrics.registry.metrics(), 'rpc_client_retries_total', {
        peer_service: 'echo',
        outcome,
      })
    const attemptsOfAFailingCall = async (key: string) => {
      await rejectionOf(client.call('flaky', { key, failures: 99, error: upstreamDown }))
      return flakyCalls(key)
    }
    // 10 tokens, each failed attempt takes one, retries only while more than 5 are left
    const attempts: number[] = []
    for (let i = 0; i < 4; i++) attempts.push(await attemptsOfAFailingCall(`budget-${i}`))
    expect(attempts).toEqual([3, 2, 1, 1])
    expect(await retries('retried')).toBe(3)
    expect(await retries('budget_exhausted')).toBe(3)

    // each success gives a tenth of a token back: 40 of them lift 3 tokens to 7, enough for one retry
    for (let i = 0; i < 40; i++) await client.call('whoAmI', {})
    expect(await attemptsOfAFailingCall('budget-earned')).toBe(2)
    expect(await retries('retried')).toBe(4)
  })

  it('when a method is not in the definition, then the call is refused before any I/O', async () => {
    const client = track(clientFor(staticDiscovery([echo.target])))
    await expect(client.call('nope' as 'whoAmI', {})).rejects.toThrow(/no method nope/)
  })
})
