import { setTimeout as sleep } from 'node:timers/promises'
import type { UnaryMethod } from '../src/grpc-types.js'
import {
  AppError,
  bindGrpc,
  defineService,
  type ErrorKind,
  type FieldError,
  type Handlers,
  readConfig,
} from '../src/index.js'
import { currentRequest } from '../src/internal.js'
import type { SpanExporter } from '../src/telemetry.js'

const toJson = (value: unknown) => Buffer.from(JSON.stringify(value))
const fromJson = (buffer: Buffer) => JSON.parse(buffer.toString())

const method = <Req, Res>(name: string): UnaryMethod<Req, Res> => ({
  path: `/test.echo.v1.EchoService/${name}`,
  requestStream: false,
  responseStream: false,
  requestSerialize: toJson,
  requestDeserialize: fromJson,
  responseSerialize: toJson,
  responseDeserialize: fromJson,
})

export interface FailRequest {
  kind?: ErrorKind
  code?: string
  message: string
  fields?: FieldError[]
  retryable?: boolean
  retryAfterMs?: number
}

/** Fails its first `failures` calls of `key` with `error`, then answers which call of the key it was. */
export interface FlakyRequest {
  key: string
  failures: number
  error: FailRequest
}

/** A hand-written gRPC service (JSON on the wire) for exercising the chassis over real gRPC. */
export const EchoService = {
  whoAmI: method<Record<string, never>, { instanceId: string; requestId: string }>('WhoAmI'),
  sleep: method<{ ms: number }, { sleptMs: number }>('Sleep'),
  fail: method<FailRequest, Record<string, never>>('Fail'),
  flaky: method<FlakyRequest, { call: number }>('Flaky'),
}

export interface EchoCall {
  instanceId: string
  method: string
  requestId: string
  remainingMs: number
  /** The key of a flaky call. */
  key?: string
}

/** An echo service started the one way every service starts, on free loopback ports. */
// shared by the instances of this process: a key's calls are counted across all of them
const flakyCalls = new Map<string, number>()

export async function startEcho(opts: {
  instanceId: string
  registryUrl?: string
  calls?: EchoCall[]
  spanExporter?: SpanExporter
}) {
  const toAppError = (req: FailRequest) =>
    req.kind && req.code
      ? new AppError(req.kind, req.code, req.message, {
          fields: req.fields,
          retryable: req.retryable,
          retryAfterMs: req.retryAfterMs,
        })
      : new Error(req.message)
  const config = readConfig(
    'echo',
    {},
    {
      INSTANCE_ID: opts.instanceId,
      HOST: '127.0.0.1',
      GRPC_PORT: '0',
      GRPC_INSECURE: 'true',
      HTTP_PORT: '0',
      LOG_LEVEL: 'silent',
      SHUTDOWN_TIMEOUT_MS: '1000',
      REGISTRY_URL: opts.registryUrl,
    },
  )
  const handlers: Handlers<typeof EchoService> = {
    async whoAmI(_req, ctx) {
      opts.calls?.push({
        instanceId: config.instanceId,
        method: 'whoAmI',
        requestId: ctx.requestId,
        remainingMs: ctx.remainingMs(),
      })
      return { instanceId: config.instanceId, requestId: currentRequest()?.requestId ?? '' }
    },
    async sleep(req, ctx) {
      opts.calls?.push({
        instanceId: config.instanceId,
        method: 'sleep',
        requestId: ctx.requestId,
        remainingMs: ctx.remainingMs(),
      })
      await sleep(req.ms)
      return { sleptMs: req.ms }
    },
    async fail(req, ctx) {
      opts.calls?.push({
        instanceId: config.instanceId,
        method: 'fail',
        requestId: ctx.requestId,
        remainingMs: ctx.remainingMs(),
      })
      throw toAppError(req)
    },
    async flaky(req, ctx) {
      opts.calls?.push({
        instanceId: config.instanceId,
        method: 'flaky',
        requestId: ctx.requestId,
        remainingMs: ctx.remainingMs(),
        key: req.key,
      })
      const call = (flakyCalls.get(req.key) ?? 0) + 1
      flakyCalls.set(req.key, call)
      if (call <= req.failures) throw toAppError(req.error)
      return { call }
    },
  }
  const start = defineService({
    name: 'echo',
    module: import.meta.url,
    config: () => config,
    setup: () => ({ grpc: [bindGrpc(EchoService, handlers)] }),
  })
  const service = await start(
    {},
    { handleSignals: false, ...(opts.spanExporter ? { spanExporter: opts.spanExporter } : {}) },
  )
  return { ...service, target: `127.0.0.1:${service.grpcPort}` }
}

export type Echo = Awaited<ReturnType<typeof startEcho>>
