import { AsyncLocalStorage } from 'node:async_hooks'
import { randomUUID } from 'node:crypto'

/** What travels with one request through a process: set at the edge or by the gRPC server. */
export interface RequestContext {
  requestId: string
  /** The caller's `authorization` value, forwarded on every call made while serving the request. */
  authorization?: string
}

const storage = new AsyncLocalStorage<RequestContext>()

export const currentRequest = (): RequestContext | undefined => storage.getStore()

export function withRequest<T>(ctx: Partial<RequestContext>, fn: () => T): T {
  const authorization = ctx.authorization || undefined
  return storage.run(
    { requestId: ctx.requestId || randomUUID(), ...(authorization ? { authorization } : {}) },
    fn,
  )
}
