import { setTimeout as sleep } from 'node:timers/promises'
import type { UnaryMethod } from '../src/grpc-types.js'
import {
  AppError,
  bindGrpc,
  currentRequest,
  type ErrorKind,
  type FieldError,
  type Handlers,
  readConfig,
  startService,
} from '../src/index.js'

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
}

/** A hand-written gRPC service (JSON on the wire) for exercising the chassis over real gRPC. */
export const EchoService = {
  whoAmI: method<Record<string, never>, { instanceId: string; requestId: string }>('WhoAmI'),
  sleep: method<{ ms: number }, { sleptMs: number }>('Sleep'),
  fail: method<FailRequest, Record<string, never>>('Fail'),
}

export interface EchoCall {
  instanceId: string
  method: string
  requestId: string
  remainingMs: number
}

/** An echo service started the one way every service starts, on free loopback ports. */
export async function startEcho(opts: { instanceId: string; registryUrl?: string; calls?: EchoCall[] }) {
  const config = readConfig(
    'echo',
    {},
    {
      INSTANCE_ID: opts.instanceId,
      HOST: '127.0.0.1',
      GRPC_PORT: '0',
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
      if (!req.kind || !req.code) throw new Error(req.message)
      throw new AppError(req.kind, req.code, req.message, { fields: req.fields, retryable: req.retryable })
    },
  }
  const service = await startService({
    name: 'echo',
    config,
    handleSignals: false,
    setup: () => ({ grpc: [bindGrpc(EchoService, handlers)] }),
  })
  return { ...service, target: `127.0.0.1:${service.grpcPort}` }
}

export type Echo = Awaited<ReturnType<typeof startEcho>>
