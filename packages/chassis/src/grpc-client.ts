import * as grpc from '@grpc/grpc-js'
import {
  BrokenCircuitError,
  type CircuitBreakerPolicy,
  CircuitState,
  ConsecutiveBreaker,
  circuitBreaker,
  handleWhen,
  SamplingBreaker,
} from 'cockatiel'
import client from 'prom-client'
import { currentRequest } from './context.js'
import type { Discovery } from './discovery.js'
import { AppError, CommonErrors, fromGrpcError } from './errors.js'
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

export type BreakerState = 'closed' | 'open' | 'half-open'

/**
 * A circuit breaker over a client's calls: only transport failures and deadlines count, never an answer.
 * Give `consecutiveFailures`, or `failureRatio` over `windowMs`; while open, calls fail fast with CIRCUIT_OPEN.
 */
export interface BreakerOptions {
  /** Open after this many failed calls in a row (the default, 5, when no ratio is given). */
  consecutiveFailures?: number
  /** Open when this share (0–1) of the calls in the last `windowMs` failed. */
  failureRatio?: number
  /** The sampling window of `failureRatio`. Default 10 s. */
  windowMs?: number
  /** Calls per second needed before `failureRatio` may open the circuit. Default 1. */
  minimumRps?: number
  /** Time the circuit stays open before one probe call is let through. */
  halfOpenAfterMs: number
}

/** A typed client for one service: each call has a deadline and goes to the next healthy instance. */
export interface ServiceClient<D extends ServiceDefinition> {
  call<K extends keyof D & string>(
    method: K,
    request: RequestOf<D[K]>,
    opts?: CallOptions,
  ): Promise<ResponseOf<D[K]>>
  /** The circuit's state; always 'closed' for a client made without a breaker. */
  breakerState(): BreakerState
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
  /** A circuit breaker around every call (retries included); none by default. */
  breaker?: BreakerOptions
}

const CHANNEL_OPTIONS: grpc.ChannelOptions = {
  'grpc.service_config': JSON.stringify({ loadBalancingConfig: [{ round_robin: {} }] }),
  // a restarted peer comes back on a new port; do not wait long on the old one
  'grpc.initial_reconnect_backoff_ms': 200,
  'grpc.max_reconnect_backoff_ms': 2_000,
}
const SUSPECT_MS = 3_000

const STATES: Record<CircuitState, BreakerState> = {
  [CircuitState.Closed]: 'closed',
  [CircuitState.Open]: 'open',
  [CircuitState.HalfOpen]: 'half-open',
  [CircuitState.Isolated]: 'open',
}
const STATE_VALUES: Record<BreakerState, number> = { closed: 0, open: 1, 'half-open': 2 }

// errors that say the peer did not answer (unreachable, no instance, out of time); an error the server chose is an answer
const transportFailures = new WeakSet<object>()
const transportFailure = <E extends object>(err: E): E => {
  transportFailures.add(err)
  return err
}
const NO_ANSWER = new Set([grpc.status.UNAVAILABLE, grpc.status.DEADLINE_EXCEEDED, grpc.status.CANCELLED])

const circuitOpen = (service: string, retryAfterMs: number) =>
  new AppError('unavailable', 'CIRCUIT_OPEN', `${service} is failing; calls to it are paused for a moment`, {
    retryAfterMs,
  })

// one gauge per registry, shared by every client made with it (labelled by peer)
function breakerGauge(metrics: Metrics | undefined) {
  if (!metrics) return undefined
  const name = 'rpc_client_breaker_state'
  const existing = metrics.registry.getSingleMetric(name)
  if (existing) return existing as client.Gauge<'peer'>
  return new client.Gauge({
    name,
    help: 'Circuit breaker state per peer service: 0 closed, 1 open, 2 half-open',
    labelNames: ['peer'],
    registers: [metrics.registry],
  })
}

function createBreaker(opts: BreakerOptions, service: string, log: Logger, metrics: Metrics | undefined) {
  const breaker: CircuitBreakerPolicy = circuitBreaker(
    handleWhen((err) => transportFailures.has(err)),
    {
      halfOpenAfter: opts.halfOpenAfterMs,
      breaker:
        opts.failureRatio !== undefined
          ? new SamplingBreaker({
              threshold: opts.failureRatio,
              duration: opts.windowMs ?? 10_000,
              minimumRps: opts.minimumRps ?? 1,
            })
          : new ConsecutiveBreaker(opts.consecutiveFailures ?? 5),
    },
  )
  const gauge = breakerGauge(metrics)
  gauge?.set({ peer: service }, 0)
  let openedAt = 0
  breaker.onStateChange((state) => {
    const name = STATES[state]
    if (name === 'open') openedAt = Date.now()
    gauge?.set({ peer: service }, STATE_VALUES[name])
    const level = name === 'open' ? 'warn' : 'info'
    log[level]({ peer: service, breaker: name }, `circuit to ${service} is ${name}`)
  })
  return {
    state: () => STATES[breaker.state],
    async execute<T>(fn: () => Promise<T>): Promise<T> {
      const retryAfter = () => Math.max(0, openedAt + opts.halfOpenAfterMs - Date.now())
      // while the probe runs, the others fail fast instead of queueing behind it
      if (breaker.state === CircuitState.HalfOpen) throw circuitOpen(service, retryAfter())
      try {
        return await breaker.execute(fn)
      } catch (err) {
        if (err instanceof BrokenCircuitError) throw circuitOpen(service, retryAfter())
        throw err
      }
    },
  }
}

export function createServiceClient<D extends ServiceDefinition>(
  opts: ServiceClientOptions<D>,
): ServiceClient<D> {
  const Client = grpc.makeGenericClientConstructor(opts.definition as grpc.ServiceDefinition, opts.service)
  const breaker = opts.breaker ? createBreaker(opts.breaker, opts.service, opts.log, opts.metrics) : undefined
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

  const callOnce = async <K extends keyof D & string>(
    method: K,
    request: RequestOf<D[K]>,
    callOpts: CallOptions,
  ): Promise<ResponseOf<D[K]>> => {
    const def = opts.definition[method]!
    const deadlineMs = callOpts.deadlineMs ?? opts.deadlineMs ?? 2_000
    const giveUpAt = Date.now() + deadlineMs
    const attempts = 1 + (callOpts.retry === false ? 0 : (opts.retries ?? 2))
    const tried = new Set<string>()
    let lastError: unknown = transportFailure(CommonErrors.unavailable(opts.service))
    for (let attempt = 0; attempt < attempts; attempt++) {
      const remaining = giveUpAt - Date.now()
      if (remaining <= 0) break
      let target: string | undefined
      try {
        target = await pick(tried)
      } catch (err) {
        throw transportFailure(CommonErrors.unavailable(opts.service, err))
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
        if (!answeredByServer && NO_ANSWER.has(failure.code)) transportFailure(lastError as AppError)
        if (failure.code !== grpc.status.UNAVAILABLE || answeredByServer) break
        suspects.set(target, Date.now() + SUSPECT_MS)
        opts.discovery.invalidate(opts.service)
        opts.log.debug({ peer: opts.service, target }, 'instance unreachable, trying another')
      }
    }
    throw lastError
  }

  return {
    async call(method, request, callOpts = {}) {
      if (!opts.definition[method]) throw new Error(`${opts.service} has no method ${method}`)
      return breaker
        ? breaker.execute(() => callOnce(method, request, callOpts))
        : callOnce(method, request, callOpts)
    },
    breakerState: () => breaker?.state() ?? 'closed',
    close() {
      for (const channel of channels.values()) channel.close()
      channels.clear()
    },
  }
}
