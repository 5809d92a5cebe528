import * as grpc from '@grpc/grpc-js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { rejectionOf, silentLogger, staticDiscovery } from '../../../test-support/grpc.js'
import { testTls } from '../../../test-support/tls.js'
import { AppError, bindGrpc, defineService, type Handlers, readConfig } from '../src/index.js'
import {
  createGrpcServer,
  createInProcessRegistry,
  createInProcessServer,
  createMetrics,
  createServiceClient,
  createTelemetry,
  createTokenVerifier,
  IN_PROCESS,
  inProcessTransport,
} from '../src/internal.js'
import { spanCollector, waitFor } from '../src/testing.js'
import { EchoService, type FailRequest } from './echo-service.js'

// The same handlers served over gRPC and in-process: what a caller sees must not depend on the transport.
const ran: Array<{ method: string; peer: string | undefined; cancelled?: boolean }> = []
const kept = { instanceId: 'catalog-1', requestId: '' }
const handlers: Handlers<typeof EchoService> = {
  async whoAmI(_req, ctx) {
    await ctx.caller()
    ran.push({ method: 'whoAmI', peer: ctx.peerService })
    kept.requestId = ctx.requestId
    return kept
  },
  async sleep(req, ctx) {
    // held until the call is cancelled: only the caller's deadline can end it
    await waitFor(() => ctx.cancelled() || undefined, { what: 'the call to be cancelled' })
    ran.push({ method: 'sleep', peer: ctx.peerService, cancelled: ctx.cancelled() })
    return { sleptMs: req.ms }
  },
  async fail(req) {
    // a handler that scribbles on its request must not reach the caller's object
    const asked = { ...req }
    req.message = 'scribbled'
    ran.push({ method: 'fail', peer: undefined })
    throw asked.kind && asked.code
      ? new AppError(asked.kind, asked.code, asked.message, {
          fields: asked.fields,
          retryable: asked.retryable,
          retryAfterMs: asked.retryAfterMs,
        })
      : new Error(asked.message)
  },
  async flaky() {
    return { call: 1 }
  },
}

const serverSpans = spanCollector()
const clientSpans = spanCollector()
const deps = {
  bindings: [bindGrpc(EchoService, handlers)],
  log: silentLogger,
  metrics: createMetrics({ service: 'catalog', instance: 'catalog-1' }),
  telemetry: createTelemetry({ service: 'catalog', instance: 'catalog-1', exporter: serverSpans.exporter }),
  // no keys: any token is refused, on either transport
  verifier: createTokenVerifier({ keys: async () => ({ keys: [] }), log: silentLogger }),
}
const clientTelemetry = createTelemetry({
  service: 'gateway',
  instance: 'gateway-1',
  exporter: clientSpans.exporter,
})

let grpcServer: ReturnType<typeof createGrpcServer>
let overGrpc: ReturnType<typeof createServiceClient<typeof EchoService>>
const registry = createInProcessRegistry()
const inProcess = (caller = 'gateway', deadlineMs = 3_000) =>
  createServiceClient({
    service: 'catalog',
    definition: EchoService,
    transport: inProcessTransport(registry, 'catalog', caller),
    log: silentLogger,
    telemetry: clientTelemetry,
    deadlineMs,
    retries: 0,
  })

beforeAll(async () => {
  grpcServer = createGrpcServer({ ...deps, protoRoot: '', protoFiles: [] })
  const target = `127.0.0.1:${await grpcServer.listen('127.0.0.1', 0)}`
  grpcServer.setServing(true)
  overGrpc = createServiceClient({
    service: 'catalog',
    definition: EchoService,
    discovery: staticDiscovery([target]),
    log: silentLogger,
    deadlineMs: 3_000,
    retries: 0,
  })
  registry.add('catalog', 'catalog-1', createInProcessServer(deps).dispatch)
})
afterAll(async () => {
  overGrpc?.close()
  await grpcServer?.shutdown(1_000)
})

const failures: Array<[string, FailRequest, string?]> = [
  [
    'an AppError with fields, retryable and a retry-after',
    {
      kind: 'invalid_argument',
      code: 'CATALOG_BAD_SKU',
      message: 'bad sku',
      fields: [{ field: 'sku', message: 'too short' }],
      retryAfterMs: 250,
    },
  ],
  [
    'a retryable unavailable answer',
    { kind: 'unavailable', code: 'CATALOG_BUSY', message: 'busy', retryable: true },
  ],
  ['an error that is not an AppError', { message: 'the database password is hunter2' }],
]

describe('the in-process transport', () => {
  it.each(failures)(
    'when a handler throws %s, then the caller gets the same AppError as over gRPC',
    async (_what, request) => {
      const client = inProcess()
      const mine = { ...request }
      const [viaGrpc, viaProcess] = await Promise.all([
        rejectionOf<AppError>(overGrpc.call('fail', request)),
        rejectionOf<AppError>(client.call('fail', mine)),
      ])
      const shape = (e: AppError) => ({
        name: e.constructor.name,
        kind: e.kind,
        code: e.code,
        message: e.message,
        fields: e.fields,
        retryable: e.retryable,
        retryAfterMs: e.retryAfterMs,
        status: (e.cause as grpc.ServiceError | undefined)?.code,
      })
      expect(shape(viaProcess)).toEqual(shape(viaGrpc))
      expect(viaProcess.message).not.toContain('hunter2')
      // the callee scribbled on its own copy
      expect(mine).toEqual(request)
    },
  )

  it('when the caller sends a token that is not valid, then it is refused as over gRPC', async () => {
    const client = inProcess()
    const authorization = 'Bearer not-a-token'
    const [viaGrpc, viaProcess] = await Promise.all([
      rejectionOf<AppError>(overGrpc.call('whoAmI', {}, { authorization })),
      rejectionOf<AppError>(client.call('whoAmI', {}, { authorization })),
    ])
    expect(viaProcess.code).toBe('AUTH_TOKEN_INVALID')
    expect([viaProcess.kind, viaProcess.code]).toEqual([viaGrpc.kind, viaGrpc.code])
  })

  it('when a call succeeds, then the caller gets its own copy of the answer and both spans name the transport', async () => {
    const client = inProcess()
    const first = await client.call('whoAmI', {})
    expect(first).toEqual(kept)
    expect(first).not.toBe(kept)
    first.instanceId = 'changed by the caller'
    expect((await client.call('whoAmI', {})).instanceId).toBe('catalog-1')
    await clientTelemetry.shutdown(1_000)
    await deps.telemetry.shutdown(1_000)
    const clientSpan = clientSpans.named('test.echo.v1.EchoService/WhoAmI').at(-1)
    const serverSpan = serverSpans.trace(clientSpan!.spanContext().traceId).find((s) => s.kind === 1)
    expect(clientSpan?.attributes['network.transport']).toBe(IN_PROCESS)
    expect(serverSpan?.attributes['network.transport']).toBe(IN_PROCESS)
    // the server span continues the caller's trace, as over gRPC
    expect(serverSpan?.parentSpanContext?.spanId).toBe(clientSpan?.spanContext().spanId)
  })

  it('when the handler outlasts the deadline, then the caller gives up at the deadline with UPSTREAM_TIMEOUT and the handler sees it cancelled', async () => {
    const client = inProcess('gateway', 150)
    const err = await rejectionOf<AppError>(client.call('sleep', { ms: 600 }))
    expect(err.code).toBe('UPSTREAM_TIMEOUT')
    expect((err.cause as grpc.ServiceError).code).toBe(grpc.status.DEADLINE_EXCEEDED)
    const done = await waitFor(() => ran.find((r) => r.method === 'sleep'), { what: 'the handler to finish' })
    expect(done.cancelled).toBe(true)
  })

  it('when the instance has left the registry, then the call fails UPSTREAM_UNAVAILABLE without a handler running', async () => {
    const empty = createInProcessRegistry()
    const client = createServiceClient({
      service: 'catalog',
      definition: EchoService,
      transport: inProcessTransport(empty, 'catalog', 'gateway'),
      log: silentLogger,
      retries: 0,
    })
    const leave = empty.add('catalog', 'catalog-1', createInProcessServer(deps).dispatch)
    expect((await client.call('whoAmI', {})).instanceId).toBe('catalog-1')
    leave()
    expect((await rejectionOf<AppError>(client.call('whoAmI', {}))).code).toBe('UPSTREAM_UNAVAILABLE')
  })
})

describe('the call policy in-process', () => {
  const policed = createInProcessRegistry()
  const policy = (caller: string, path: string) => caller === 'gateway' && path.endsWith('/WhoAmI')
  beforeAll(async () => {
    const server = createInProcessServer({ ...deps, tls: await testTls('catalog'), policy })
    policed.add('catalog', 'catalog-1', server.dispatch)
  })
  const as = (caller: string) =>
    createServiceClient({
      service: 'catalog',
      definition: EchoService,
      transport: inProcessTransport(policed, 'catalog', caller),
      log: silentLogger,
      retries: 0,
    })

  it('when an allowed service calls, then the handler runs and knows the caller', async () => {
    await as('gateway').call('whoAmI', {})
    expect(ran.at(-1)).toEqual({ method: 'whoAmI', peer: 'gateway' })
  })

  it('when a service the policy does not name calls, then PEER_FORBIDDEN (PERMISSION_DENIED) and the handler never runs', async () => {
    const before = ran.length
    const err = await rejectionOf<AppError>(as('fraud').call('whoAmI', {}))
    expect(err.code).toBe('PEER_FORBIDDEN')
    expect((err.cause as grpc.ServiceError).code).toBe(grpc.status.PERMISSION_DENIED)
    const denied = await rejectionOf<AppError>(as('gateway').call('fail', { message: 'x' }))
    expect(denied.code).toBe('PEER_FORBIDDEN')
    expect(ran.length).toBe(before)
  })
})

describe('services started in-process', () => {
  const env = (name: string) => ({
    INSTANCE_ID: `${name}-1`,
    HOST: '127.0.0.1',
    GRPC_PORT: '0',
    GRPC_INSECURE: 'true',
    HTTP_PORT: '0',
    LOG_LEVEL: 'silent',
    SHUTDOWN_TIMEOUT_MS: '1000',
  })

  it('when a service calls its peer, then the call reaches the peer in this process, which listens on no gRPC port', async () => {
    const system = createInProcessRegistry()
    const startCatalog = defineService({
      name: 'catalog',
      module: import.meta.url,
      config: (e) => readConfig('catalog', {}, e),
      setup: () => ({ grpc: [bindGrpc(EchoService, handlers)] }),
    })
    let peers: { catalog: ReturnType<typeof createServiceClient<typeof EchoService>> } | undefined
    const startGateway = defineService({
      name: 'gateway',
      module: import.meta.url,
      config: (e) => readConfig('gateway', {}, e),
      peers: { catalog: EchoService },
      setup: (ctx) => {
        peers = ctx.peers
        return {}
      },
    })
    const catalog = await startCatalog(env('catalog'), { handleSignals: false, inProcess: system })
    const gateway = await startGateway(env('gateway'), { handleSignals: false, inProcess: system })
    try {
      expect(catalog.grpcPort).toBeUndefined()
      expect(system.instances('catalog')).toEqual(['catalog-1'])
      expect((await peers!.catalog.call('whoAmI', {})).instanceId).toBe('catalog-1')
      await catalog.stop()
      expect(system.instances('catalog')).toEqual([])
      const err = await rejectionOf<AppError>(peers!.catalog.call('whoAmI', {}, { retry: false }))
      expect(err.code).toBe('UPSTREAM_UNAVAILABLE')
    } finally {
      await catalog.stop()
      await gateway.stop()
    }
  })
})
