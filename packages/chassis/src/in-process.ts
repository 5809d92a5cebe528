import { AsyncResource } from 'node:async_hooks'
import * as grpc from '@grpc/grpc-js'
import type { ClientTransport } from './grpc-client.js'
import {
  type AdaptDeps,
  type CallOutcome,
  type GrpcBinding,
  type IncomingCall,
  serveBindings,
} from './grpc-server.js'

/** `network.transport` of the spans of a call that stayed in the process. */
export const IN_PROCESS = 'inproc'

/** Hands one call to a served method by its path (`/pkg.Service/Method`). */
export type Dispatch = (path: string, call: IncomingCall) => Promise<CallOutcome>

/**
 * The services running in this process, by name: where an in-process client finds its peer's handlers.
 * One per system (a launcher, a test), passed to each service it starts: nothing is global.
 */
export interface InProcessRegistry {
  /** Serves calls to `service` as the instance `instanceId` until the returned function is called. */
  add(service: string, instanceId: string, dispatch: Dispatch): () => void
  /** The instances of `service` that take calls now. */
  instances(service: string): string[]
  find(service: string, instanceId: string): Dispatch | undefined
}

export function createInProcessRegistry(): InProcessRegistry {
  const services = new Map<string, Map<string, Dispatch>>()
  return {
    add(service, instanceId, dispatch) {
      const instances = services.get(service) ?? new Map<string, Dispatch>()
      services.set(service, instances)
      instances.set(instanceId, dispatch)
      return () => {
        if (instances.get(instanceId) === dispatch) instances.delete(instanceId)
      }
    },
    instances: (service) => [...(services.get(service)?.keys() ?? [])],
    find: (service, instanceId) => services.get(service)?.get(instanceId),
  }
}

/** A service's handlers served to callers in this process, with the same checks, spans and metrics as over gRPC. */
export interface InProcessServer {
  dispatch: Dispatch
  /** Waits for the calls in flight, up to timeoutMs (new ones find the instance gone once it left the registry). */
  drain(timeoutMs: number): Promise<void>
}

const status = (code: grpc.status, details: string): Partial<grpc.ServiceError> => ({
  code,
  details,
  metadata: new grpc.Metadata(),
})

export function createInProcessServer(opts: AdaptDeps & { bindings: GrpcBinding[] }): InProcessServer {
  const byPath = new Map<string, (call: IncomingCall) => Promise<CallOutcome>>()
  for (const { methods } of serveBindings(opts.bindings, opts))
    for (const { path, serve } of methods.values()) byPath.set(path, serve)
  let inFlight = 0
  let idle: (() => void) | undefined
  return {
    async dispatch(path, call) {
      const serve = byPath.get(path)
      if (!serve) return { status: status(grpc.status.UNIMPLEMENTED, `no method ${path}`) }
      inFlight++
      try {
        return await serve(call)
      } finally {
        if (--inFlight === 0) idle?.()
      }
    },
    async drain(timeoutMs) {
      if (inFlight === 0) return
      let timer: NodeJS.Timeout | undefined
      await Promise.race([
        new Promise<void>((resolve) => {
          idle = resolve
        }),
        new Promise<void>((resolve) => {
          timer = setTimeout(resolve, timeoutMs)
        }),
      ])
      clearTimeout(timer)
    },
  }
}

// made while this module loads, outside any request: a call runs in the callee without the caller's async
// context (its request, its span), as a call that arrived over the network would
const detached = new AsyncResource('microshop.in-process-call')

const failure = (outcome: Partial<grpc.ServiceError>): grpc.ServiceError =>
  Object.assign(
    new Error(`${outcome.code} ${grpc.status[outcome.code ?? grpc.status.UNKNOWN]}: ${outcome.details}`),
    {
      code: outcome.code ?? grpc.status.UNKNOWN,
      details: outcome.details ?? '',
      metadata: outcome.metadata ?? new grpc.Metadata(),
    },
  )

/**
 * A client transport to the instances of `service` in this process, calling as `caller` (the identity the
 * callee's call policy checks). Messages go through the protobuf codec both ways, as over the wire: the
 * callee gets its own copy, with the defaults and types a decoded message has, and cannot touch the caller's.
 */
export function inProcessTransport(
  registry: InProcessRegistry,
  service: string,
  caller: string,
): ClientTransport {
  return {
    kind: IN_PROCESS,
    targets: async () => registry.instances(service),
    invalidate: () => undefined,
    invoke: (target, _method, definition, request, headers, deadlineMs) =>
      new Promise<unknown>((resolve, reject) => {
        const dispatch = registry.find(service, target)
        if (!dispatch) return reject(failure(status(grpc.status.UNAVAILABLE, `${target} has stopped`)))
        let settled = false
        const settle = (fn: () => void) => {
          if (settled) return
          settled = true
          clearTimeout(timer)
          fn()
        }
        const timer = setTimeout(
          () => settle(() => reject(failure(status(grpc.status.DEADLINE_EXCEEDED, 'Deadline exceeded')))),
          deadlineMs,
        )
        let copy: unknown
        try {
          copy = definition.requestDeserialize(definition.requestSerialize(request))
        } catch (err) {
          const message = `request serialization failure: ${(err as Error).message}`
          return settle(() => reject(failure(status(grpc.status.INTERNAL, message))))
        }
        const call: IncomingCall = {
          request: copy,
          requestId: headers.requestId,
          authorization: headers.authorization,
          traceparent: headers.traceparent,
          peerIdentity: () => caller,
          deadlineAt: Date.now() + deadlineMs,
          cancelled: () => settled,
          attributes: { 'network.transport': IN_PROCESS },
        }
        detached
          .runInAsyncScope(() => dispatch(definition.path, call))
          .then(
            (outcome) =>
              settle(() => {
                if ('status' in outcome) return reject(failure(outcome.status))
                try {
                  resolve(definition.responseDeserialize(definition.responseSerialize(outcome.response)))
                } catch (err) {
                  const message = `response serialization failure: ${(err as Error).message}`
                  reject(failure(status(grpc.status.INTERNAL, message)))
                }
              }),
            (err: unknown) =>
              settle(() => reject(failure(status(grpc.status.INTERNAL, String((err as Error)?.message))))),
          )
      }),
    close: () => undefined,
  }
}
