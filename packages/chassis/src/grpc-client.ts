import * as grpc from '@grpc/grpc-js'
import { currentRequest } from './context.js'
import type { Discovery } from './discovery.js'
import { CommonErrors, fromGrpcError } from './errors.js'
import type { RequestOf, ResponseOf, ServiceDefinition } from './grpc-types.js'
import type { Logger } from './logger.js'
import type { Metrics } from './metrics.js'

export interface CallOptions {
  /** Deadline for this call; the client default otherwise. */
  deadlineMs?: number
  /** Retry on another instance when one is unreachable; off for calls that must not repeat. */
  retry?: boolean
  /** Act as this `authorization` value instead of the current request's caller. */
  authorization?: string
}

/** A typed client for one service: each call has a deadline and goes to the next healthy instance. */
export interface ServiceClient<D extends ServiceDefinition> {
  call<K extends keyof D & string>(
    method: K,
    request: RequestOf<D[K]>,
    opts?: CallOptions,
  ): Promise<ResponseOf<D[K]>>
  close(): void
}

export interface ServiceClientOptions<D extends ServiceDefinition> {
  service: string
  definition: D
  discovery: Discovery
  log: Logger
  metrics?: Metrics
  deadlineMs?: number
  /** Attempts beyond the first, each on another instance when there is one. */
  retries?: number
}

const CHANNEL_OPTIONS: grpc.ChannelOptions = {
  'grpc.service_config': JSON.stringify({ loadBalancingConfig: [{ round_robin: {} }] }),
  // a restarted peer comes back on a new port; do not wait long on the old one
  'grpc.initial_reconnect_backoff_ms': 200,
  'grpc.max_reconnect_backoff_ms': 2_000,
}
const SUSPECT_MS = 3_000

export function createServiceClient<D extends ServiceDefinition>(
  opts: ServiceClientOptions<D>,
): ServiceClient<D> {
  const Client = grpc.makeGenericClientConstructor(opts.definition as grpc.ServiceDefinition, opts.service)
  const channels = new Map<string, grpc.Client>()
  const suspects = new Map<string, number>()
  let turn = 0

  const channelFor = (target: string) => {
    let channel = channels.get(target)
    if (!channel) {
      channel = new Client(target, grpc.credentials.createInsecure(), CHANNEL_OPTIONS)
      channels.set(target, channel)
    }
    return channel
  }

  const pick = async (avoid: Set<string>) => {
    const targets = await opts.discovery.resolve(opts.service)
    for (const [target, until] of suspects) if (until < Date.now()) suspects.delete(target)
    for (const target of channels.keys())
      if (!targets.includes(target)) {
        channels.get(target)?.close()
        channels.delete(target)
      }
    const fresh = targets.filter((t) => !avoid.has(t) && !suspects.has(t))
    const pool = fresh.length > 0 ? fresh : targets.filter((t) => !avoid.has(t))
    if (pool.length === 0) return undefined
    turn = (turn + 1) % pool.length
    return pool[turn]
  }

  const invoke = (
    target: string,
    path: string,
    method: string,
    request: unknown,
    deadlineMs: number,
    callOpts: CallOptions,
  ) =>
    new Promise<unknown>((resolve, reject) => {
      const metadata = new grpc.Metadata()
      const context = currentRequest()
      if (context?.requestId) metadata.set('x-request-id', context.requestId)
      const authorization = callOpts.authorization ?? context?.authorization
      if (authorization) metadata.set('authorization', authorization)
      const started = process.hrtime.bigint()
      type UnaryStub = (
        request: unknown,
        metadata: grpc.Metadata,
        options: grpc.CallOptions,
        callback: grpc.requestCallback<unknown>,
      ) => grpc.ClientUnaryCall
      const channel = channelFor(target) as unknown as Record<string, UnaryStub>
      channel[method]!.call(
        channel,
        request,
        metadata,
        { deadline: Date.now() + deadlineMs },
        (err: grpc.ServiceError | null, response: unknown) => {
          opts.metrics?.rpcClient.observe(
            {
              peer: opts.service,
              method: path.slice(path.lastIndexOf('/') + 1),
              code: grpc.status[err?.code ?? 0],
            },
            Number(process.hrtime.bigint() - started) / 1e9,
          )
          if (err) reject(err)
          else resolve(response)
        },
      )
    })

  return {
    async call(method, request, callOpts = {}) {
      const def = opts.definition[method]
      if (!def) throw new Error(`${opts.service} has no method ${method}`)
      const deadlineMs = callOpts.deadlineMs ?? opts.deadlineMs ?? 2_000
      const giveUpAt = Date.now() + deadlineMs
      const attempts = 1 + (callOpts.retry === false ? 0 : (opts.retries ?? 2))
      const tried = new Set<string>()
      let lastError: unknown = CommonErrors.unavailable(opts.service)
      for (let attempt = 0; attempt < attempts; attempt++) {
        const remaining = giveUpAt - Date.now()
        if (remaining <= 0) break
        let target: string | undefined
        try {
          target = await pick(tried)
        } catch (err) {
          throw CommonErrors.unavailable(opts.service, err)
        }
        if (!target) break
        tried.add(target)
        try {
          return (await invoke(target, def.path, method, request, remaining, callOpts)) as ResponseOf<
            D[typeof method]
          >
        } catch (err) {
          const failure = err as grpc.ServiceError
          lastError = fromGrpcError(failure, opts.service)
          // only a transport failure says the instance is gone; an UNAVAILABLE the server chose
          // (it carries our error code: a peer of its own is down) is an answer, not a dead instance
          const answeredByServer = failure.metadata?.get('x-error-code').length > 0
          if (failure.code !== grpc.status.UNAVAILABLE || answeredByServer) break
          suspects.set(target, Date.now() + SUSPECT_MS)
          opts.discovery.invalidate(opts.service)
          opts.log.debug({ peer: opts.service, target }, 'instance unreachable, trying another')
        }
      }
      throw lastError
    },
    close() {
      for (const channel of channels.values()) channel.close()
      channels.clear()
    },
  }
}
