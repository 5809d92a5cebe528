import { randomUUID } from 'node:crypto'
import * as grpc from '@grpc/grpc-js'
import * as protoLoader from '@grpc/proto-loader'
import { ReflectionService } from '@grpc/reflection'
import { type Attributes, context } from '@opentelemetry/api'
import { HealthImplementation } from 'grpc-health-check'
import { AuthErrors, bearerToken, type Principal, type TokenVerifier } from './auth.js'
import { requestIn } from './context.js'
import { AppError, isAppError } from './errors.js'
import { toGrpcError } from './grpc-errors.js'
import type { CallContext, Handlers, ServiceDefinition } from './grpc-types.js'
import type { Logger } from './logger.js'
import type { Metrics } from './metrics.js'
import { linkedForReflection } from './reflection.js'
import { recordFailure, SpanKind, type Telemetry } from './telemetry.js'
import { certificateIdentity, serverCredentials, type TlsMaterial } from './tls.js'

/** Whether the service a certificate names may call the RPC at `path`: the system's call policy. */
export type CallPolicy = (caller: string, path: string) => boolean

export interface GrpcBinding<D extends ServiceDefinition = ServiceDefinition> {
  definition: D
  handlers: Handlers<D>
}

/** A gRPC binding, checked against its definition. */
export const bindGrpc = <D extends ServiceDefinition>(definition: D, handlers: Handlers<D>): GrpcBinding =>
  ({ definition, handlers }) as unknown as GrpcBinding

export interface GrpcServer {
  /** Binds and starts serving; resolves to the bound port. */
  listen(host: string, port: number): Promise<number>
  setServing(serving: boolean): void
  /** Stops accepting, lets in-flight calls finish for up to timeoutMs, then cuts the rest. */
  shutdown(timeoutMs: number): Promise<void>
}

/** What every served call needs, whatever its transport. */
export interface AdaptDeps {
  log: Logger
  metrics: Metrics
  telemetry: Telemetry
  verifier?: TokenVerifier | undefined
  /** Mutual TLS: every call's certificate names its service, which the policy must allow. */
  tls?: TlsMaterial | undefined
  policy?: CallPolicy | undefined
}

const RPC = 'grpc'

export const PeerErrors = {
  unauthenticated: () =>
    new AppError('unauthenticated', 'PEER_UNAUTHENTICATED', 'the caller presented no service certificate'),
  forbidden: (caller: string, path: string) =>
    new AppError('permission_denied', 'PEER_FORBIDDEN', `${caller} may not call ${path}`),
}

/** One call as a transport hands it over: from gRPC's metadata and deadline, or from a caller in this process. */
export interface IncomingCall {
  request: unknown
  traceparent: string | undefined
  requestId: string | undefined
  authorization: string | undefined
  /** The calling service as the transport identifies it (its certificate, or the in-process caller); read under mTLS only. */
  peerIdentity(): string | undefined
  /** When the caller gives up, in ms since the epoch (Infinity when it set no deadline). */
  deadlineAt: number
  cancelled(): boolean
  /** What the transport adds to the server span (`network.transport`). */
  attributes?: Attributes
}

/** A call's outcome: the response, or the gRPC status an error maps to. */
export type CallOutcome = { response: unknown } | { status: Partial<grpc.ServiceError> }

/** A handler behind the chassis' checks, tracing and metrics, for any transport. */
export type ServedMethod = (call: IncomingCall) => Promise<CallOutcome>

/**
 * The calling service, checked before any handler runs: named by its client certificate (mTLS) and allowed
 * by the policy; undefined on plaintext (GRPC_INSECURE, development only), where no caller is known.
 */
function authorizePeer(call: IncomingCall, path: string, deps: AdaptDeps) {
  if (!deps.tls) return undefined
  const identity = call.peerIdentity()
  if (!identity) throw PeerErrors.unauthenticated()
  if (!deps.policy?.(identity, path)) throw PeerErrors.forbidden(identity, path)
  return identity
}

function serveMethod(
  handler: (req: unknown, ctx: CallContext) => Promise<unknown>,
  path: string,
  deps: AdaptDeps,
): ServedMethod {
  const { log, metrics, telemetry } = deps
  const [rpcService = '', rpcMethod = ''] = path.slice(1).split('/')
  return (call) => {
    const started = process.hrtime.bigint()
    // a caller's traceparent continues its trace; a call without one starts a new trace
    const { span, context: active } = telemetry.startSpan(`${rpcService}/${rpcMethod}`, {
      kind: SpanKind.SERVER,
      parent: call.traceparent || undefined,
      attributes: {
        'rpc.system': RPC,
        'rpc.service': rpcService,
        'rpc.method': rpcMethod,
        ...call.attributes,
      },
    })
    const requestId = call.requestId || randomUUID()
    const authorization = call.authorization || undefined
    let principal: Promise<Principal | undefined> | undefined
    const caller = () => {
      principal ??= (async () => {
        if (!authorization) return undefined
        const token = bearerToken(authorization)
        if (!token || !deps.verifier) throw AuthErrors.invalid()
        return deps.verifier.verify(token)
      })()
      return principal
    }
    const { deadlineAt } = call
    let peerService: string | undefined
    let refused: unknown
    try {
      peerService = authorizePeer(call, path, deps)
    } catch (err) {
      refused = err
    }
    const ctx: CallContext = {
      requestId,
      peerService,
      caller,
      requireCaller: async () => {
        const found = await caller()
        if (!found) throw AuthErrors.missing()
        return found
      },
      remainingMs: () => (Number.isFinite(deadlineAt) ? deadlineAt - Date.now() : Number.POSITIVE_INFINITY),
      cancelled: () => call.cancelled(),
      annotate: (attributes) => void span.setAttributes(attributes),
    }
    const finish = (code: grpc.status) => {
      span.setAttribute('rpc.grpc.status_code', code)
      span.end()
      metrics.rpcServer.observe(
        { rpc_system: RPC, rpc_service: rpcService, rpc_method: rpcMethod, rpc_grpc_status_code: code },
        Number(process.hrtime.bigint() - started) / 1e9,
      )
    }
    return context.with(requestIn(active, { requestId, authorization }), () =>
      (refused === undefined ? handler(call.request, ctx) : Promise.reject(refused)).then(
        (response): CallOutcome => {
          finish(grpc.status.OK)
          return { response }
        },
        (err: unknown): CallOutcome => {
          const status = toGrpcError(err)
          if (!isAppError(err) || err.kind === 'internal') log.error({ err, method: path }, 'call failed')
          else log.debug({ code: err.code, method: path }, 'call rejected')
          recordFailure(span, err)
          finish(status.code ?? grpc.status.INTERNAL)
          return { status }
        },
      ),
    )
  }
}

/** Every method of the bindings, served: by method name within each definition, for one transport to expose. */
export function serveBindings(bindings: GrpcBinding[], deps: AdaptDeps) {
  return bindings.map(({ definition, handlers }) => {
    const methods = new Map<string, { path: string; serve: ServedMethod }>()
    for (const [name, method] of Object.entries(definition)) {
      const handler = (handlers as Record<string, (req: unknown, ctx: CallContext) => Promise<unknown>>)[name]
      if (!handler) throw new Error(`no handler for ${method.path}`)
      methods.set(name, { path: method.path, serve: serveMethod(handler.bind(handlers), method.path, deps) })
    }
    return { definition, methods }
  })
}

// The calling service of each connection, read once. grpc-js parses the peer's certificate anew on every call
// (getPeerCertificate: the X.509 into an object, three fingerprints): 1.4 % of the system's JavaScript CPU in
// a checkout's CPU profiles, ~2 ms an order. A connection's certificate is the one its handshake verified (HTTP/2
// over TLS allows no renegotiation, and one would need another valid certificate anyway), so its identity is
// kept with the HTTP/2 session, which grpc-js reaches only through its call's internals: should a version of
// grpc-js move them, each call reads the certificate again, as before (mtls.test.ts notices).
const connectionIdentities = new WeakMap<object, string | undefined>()

/** The HTTP/2 session a grpc-js call came in on, if grpc-js still keeps it where 1.14 does. */
function sessionOf(call: object): object | undefined {
  let layer = (call as { call?: unknown }).call
  for (let depth = 0; depth < 4 && typeof layer === 'object' && layer !== null; depth++) {
    const session = (layer as { stream?: { session?: unknown } }).stream?.session
    if (typeof session === 'object' && session !== null) return session
    layer = (layer as { nextCall?: unknown }).nextCall
  }
  return undefined
}

function peerIdentityOf(call: grpc.ServerUnaryCall<unknown, unknown>): string | undefined {
  const session = sessionOf(call)
  if (session && connectionIdentities.has(session)) return connectionIdentities.get(session)
  const identity = certificateIdentity(call.getAuthContext().sslPeerCertificate)
  if (session) connectionIdentities.set(session, identity)
  return identity
}

/** A served method as grpc-js calls it. */
function overGrpc(serve: ServedMethod) {
  return (call: grpc.ServerUnaryCall<unknown, unknown>, callback: grpc.sendUnaryData<unknown>) => {
    const deadline = call.getDeadline()
    const first = (key: string) => String(call.metadata.get(key)[0] ?? '') || undefined
    void serve({
      request: call.request,
      traceparent: first('traceparent'),
      requestId: first('x-request-id'),
      authorization: first('authorization'),
      peerIdentity: () => peerIdentityOf(call),
      deadlineAt: deadline instanceof Date ? deadline.getTime() : Number(deadline),
      cancelled: () => call.cancelled,
    }).then((outcome) =>
      'response' in outcome ? callback(null, outcome.response) : callback(outcome.status),
    )
  }
}

export function createGrpcServer(opts: {
  bindings: GrpcBinding[]
  protoRoot: string
  protoFiles: string[]
  log: Logger
  metrics: Metrics
  telemetry: Telemetry
  verifier?: TokenVerifier
  /** Serve mutual TLS with this certificate; plaintext without (GRPC_INSECURE). */
  tls?: TlsMaterial
  /** Checked on every call under mTLS; without one, every call of a TLS server is refused. */
  policy?: CallPolicy
}): GrpcServer {
  const server = new grpc.Server({ 'grpc.max_receive_message_length': 4 * 1024 * 1024 })
  const serviceNames: string[] = []
  for (const { definition, methods } of serveBindings(opts.bindings, opts)) {
    const impl: grpc.UntypedServiceImplementation = {}
    for (const [name, { serve }] of methods) impl[name] = overGrpc(serve)
    server.addService(definition as unknown as grpc.ServiceDefinition, impl)
    const first = Object.values(definition)[0]
    if (first) serviceNames.push(first.path.split('/')[1]!)
  }

  const health = new HealthImplementation({ '': 'NOT_SERVING' })
  health.addToServer(server)
  if (opts.protoFiles.length > 0) {
    const pkg = protoLoader.loadSync(opts.protoFiles, { includeDirs: [opts.protoRoot] })
    new ReflectionService(linkedForReflection(pkg)).addToServer(server)
  }

  return {
    listen: (host, port) =>
      new Promise((resolve, reject) => {
        server.bindAsync(`${host}:${port}`, serverCredentials(opts.tls), (err, bound) =>
          err ? reject(err) : resolve(bound),
        )
      }),
    setServing(serving) {
      const status = serving ? 'SERVING' : 'NOT_SERVING'
      health.setStatus('', status)
      for (const name of serviceNames) health.setStatus(name, status)
    },
    shutdown: (timeoutMs) =>
      new Promise<void>((resolve) => {
        const force = setTimeout(() => {
          server.forceShutdown()
          resolve()
        }, timeoutMs)
        server.tryShutdown(() => {
          clearTimeout(force)
          resolve()
        })
      }),
  }
}
