import { setTimeout as sleep } from 'node:timers/promises'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { metricValue, rejectionOf, silentLogger, staticDiscovery } from '../../../test-support/grpc.js'
import { freePort } from '../../../test-support/net.js'
import type { AppError, BreakerOptions, Metrics } from '../src/index.js'
import { createMetrics, createServiceClient } from '../src/internal.js'
import { waitFor } from '../src/testing.js'
import { type Echo, type EchoCall, EchoService, startEcho } from './echo-service.js'

/** Calls until one is not refused by the open circuit: that is the probe. Answers how it failed, if it did. */
const untilLetThrough = (call: () => Promise<unknown>) =>
  waitFor(
    async () => {
      const outcome = await call().then(
        () => ({ code: 'OK' }) as AppError,
        (err: AppError) => err,
      )
      return outcome.code === 'CIRCUIT_OPEN' ? undefined : outcome
    },
    { what: 'a call let through by the breaker' },
  )

describe('service client with a circuit breaker', () => {
  const calls: EchoCall[] = []
  let echo: Echo
  let deadTarget: string
  let targets: string[]
  let resolves = 0
  const discovery = staticDiscovery(() => {
    resolves++
    return targets
  })
  const clients: Array<{ close(): void }> = []

  const breakerClient = (breaker: BreakerOptions, metrics?: Metrics) => {
    const client = createServiceClient({
      service: 'echo',
      definition: EchoService,
      discovery,
      log: silentLogger,
      deadlineMs: 1_000,
      breaker,
      ...(metrics ? { metrics } : {}),
    })
    clients.push(client)
    return client
  }

  beforeAll(async () => {
    echo = await startEcho({ instanceId: 'echo-breaker', calls })
    deadTarget = `127.0.0.1:${await freePort()}`
  })
  afterEach(() => {
    calls.length = 0
    resolves = 0
  })
  afterAll(async () => {
    for (const c of clients) c.close()
    await echo?.stop()
  })

  it('when calls fail as unreachable in a row, then the circuit opens and the next call fails fast without any I/O', async () => {
    targets = [deadTarget]
    const client = breakerClient({ consecutiveFailures: 3, halfOpenAfterMs: 60_000 })
    for (let i = 0; i < 3; i++) {
      expect(client.breakerState()).toBe('closed')
      expect((await rejectionOf<AppError>(client.call('whoAmI', {}))).code).toBe('UPSTREAM_UNAVAILABLE')
    }
    expect(client.breakerState()).toBe('open')
    resolves = 0
    targets = [echo.target]
    const started = Date.now()
    const err = await rejectionOf<AppError>(client.call('whoAmI', {}))
    expect(Date.now() - started).toBeLessThan(50)
    expect(err.name).toBe('AppError')
    expect(err.kind).toBe('unavailable')
    expect(err.code).toBe('CIRCUIT_OPEN')
    expect(err.retryable).toBe(true)
    expect(err.retryAfterMs).toBeGreaterThan(50_000)
    // not even discovery was asked, and the live instance saw nothing
    expect(resolves).toBe(0)
    expect(calls).toHaveLength(0)
  })

  it('when no instance is listed, then each call counts as a failure', async () => {
    targets = []
    const client = breakerClient({ consecutiveFailures: 2, halfOpenAfterMs: 60_000 })
    await rejectionOf(client.call('whoAmI', {}))
    await rejectionOf(client.call('whoAmI', {}))
    expect(client.breakerState()).toBe('open')
  })

  it('when calls run past their deadline, then they count as failures', async () => {
    targets = [echo.target]
    const client = breakerClient({ consecutiveFailures: 2, halfOpenAfterMs: 60_000 })
    for (let i = 0; i < 2; i++)
      expect((await rejectionOf<AppError>(client.call('sleep', { ms: 300 }, { deadlineMs: 50 }))).kind).toBe(
        'deadline_exceeded',
      )
    expect(client.breakerState()).toBe('open')
  })

  it('when the server answers with errors of its own, even UNAVAILABLE ones, then the circuit stays closed', async () => {
    targets = [echo.target]
    const client = breakerClient({ consecutiveFailures: 2, halfOpenAfterMs: 60_000 })
    const answers = [
      { kind: 'failed_precondition' as const, code: 'TEST_OUT_OF_STOCK', message: 'none left' },
      { kind: 'unavailable' as const, code: 'TEST_BUSY', message: 'a peer of mine is down' },
      { kind: 'unavailable' as const, code: 'UPSTREAM_UNAVAILABLE', message: 'relayed' },
      { message: 'plain failure' },
    ]
    // not retried, so that the server's count shows each answer reached it
    for (const answer of answers) await rejectionOf(client.call('fail', answer, { retry: false }))
    expect(client.breakerState()).toBe('closed')
    expect(calls).toHaveLength(4)
  })

  it('when a success comes between failures, then the count starts again', async () => {
    const client = breakerClient({ consecutiveFailures: 2, halfOpenAfterMs: 60_000 })
    targets = [deadTarget]
    await rejectionOf(client.call('whoAmI', {}))
    targets = [echo.target]
    await client.call('whoAmI', {})
    targets = [deadTarget]
    await rejectionOf(client.call('whoAmI', {}))
    expect(client.breakerState()).toBe('closed')
  })

  it('when the open time has passed, then one probe goes through, the others fail fast, and its success closes the circuit', async () => {
    targets = []
    const client = breakerClient({ consecutiveFailures: 1, halfOpenAfterMs: 200 })
    await rejectionOf(client.call('whoAmI', {}))
    expect(client.breakerState()).toBe('open')
    targets = [echo.target]
    // the breaker shows no sign of the open time being over until a call goes through, which would be the
    // probe: this test's probe must be the slow call below, so it waits the time out
    await sleep(250)
    const probe = client.call('sleep', { ms: 1_000 }, { deadlineMs: 10_000 })
    await waitFor(() => calls.length > 0, { what: 'the probe reached the server' })
    expect(client.breakerState()).toBe('half-open')
    const others = await Promise.all([
      rejectionOf<AppError>(client.call('whoAmI', {})),
      rejectionOf<AppError>(client.call('whoAmI', {})),
    ])
    expect(others.map((e) => e.code)).toEqual(['CIRCUIT_OPEN', 'CIRCUIT_OPEN'])
    expect(await probe).toEqual({ sleptMs: 1_000 })
    expect(client.breakerState()).toBe('closed')
    expect(calls.map((c) => c.method)).toEqual(['sleep'])
    expect((await client.call('whoAmI', {})).instanceId).toBe('echo-breaker')
  })

  it('when the probe fails, then the circuit opens again for another period', async () => {
    targets = []
    const client = breakerClient({ consecutiveFailures: 1, halfOpenAfterMs: 150 })
    await rejectionOf(client.call('whoAmI', {}))
    // calls fail fast until the open time is over; the first one let through is the probe
    await untilLetThrough(() => client.call('whoAmI', {}))
    expect(client.breakerState()).toBe('open')
    targets = [echo.target]
    expect((await rejectionOf<AppError>(client.call('whoAmI', {}))).code).toBe('CIRCUIT_OPEN')
  })

  it('when the probe gets an answer that is an error, then the peer is up and the circuit closes', async () => {
    targets = []
    const client = breakerClient({ consecutiveFailures: 1, halfOpenAfterMs: 100 })
    await rejectionOf(client.call('whoAmI', {}))
    targets = [echo.target]
    const err = await untilLetThrough(() =>
      client.call('fail', { kind: 'not_found', code: 'TEST_NOT_FOUND', message: 'no such thing' }),
    )
    expect(err.code).toBe('TEST_NOT_FOUND')
    expect(client.breakerState()).toBe('closed')
  })

  it('when most calls fail within the window, then a ratio breaker opens', async () => {
    targets = [deadTarget]
    const client = breakerClient({
      failureRatio: 0.5,
      windowMs: 1_000,
      minimumRps: 1,
      halfOpenAfterMs: 60_000,
    })
    for (let i = 0; i < 6 && client.breakerState() === 'closed'; i++)
      await rejectionOf(client.call('whoAmI', {}))
    expect(client.breakerState()).toBe('open')
  })

  it('when the circuit changes state, then the gauge of the peer shows it', async () => {
    const metrics = createMetrics({ service: 'test', instance: 'test-breaker' })
    const gauge = async () =>
      metricValue(await metrics.registry.metrics(), 'rpc_client_breaker_state', { peer_service: 'echo' })
    targets = []
    const client = breakerClient({ consecutiveFailures: 1, halfOpenAfterMs: 100 }, metrics)
    // a second client with the same registry shares the gauge instead of failing to register it
    breakerClient({ consecutiveFailures: 1, halfOpenAfterMs: 100 }, metrics)
    expect(await gauge()).toBe(0)
    await rejectionOf(client.call('whoAmI', {}))
    expect(await gauge()).toBe(1)
    targets = [echo.target]
    await untilLetThrough(() => client.call('whoAmI', {}))
    expect(await gauge()).toBe(0)
  })

  it('when a client has no breaker, then it never opens', async () => {
    targets = []
    const client = createServiceClient({
      service: 'echo',
      definition: EchoService,
      discovery,
      log: silentLogger,
    })
    clients.push(client)
    for (let i = 0; i < 10; i++)
      expect((await rejectionOf<AppError>(client.call('whoAmI', {}))).code).toBe('UPSTREAM_UNAVAILABLE')
    expect(client.breakerState()).toBe('closed')
  })
})
