import { AuthErrors, bearerToken, type Principal, requireRole, type TokenVerifier } from '@microshop/chassis'
import type { FastifyInstance, FastifyRequest } from 'fastify'

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | undefined
  }
  interface FastifyContextConfig {
    /** Who may call the route: anyone (default), a signed-in user, or an admin. */
    auth?: 'user' | 'admin'
    /** The access token may come as `?access_token=` (EventSource cannot send headers). */
    tokenInQuery?: boolean
  }
}

/** The caller's `authorization`: the header, or on routes that allow it, the `access_token` query parameter. */
export const authorizationOf = (request: FastifyRequest): string | undefined => {
  if (request.headers.authorization !== undefined) return request.headers.authorization
  if (!request.routeOptions.config.tokenInQuery) return undefined
  const token = (request.query as { access_token?: unknown } | undefined)?.access_token
  return typeof token === 'string' && token !== '' ? `Bearer ${token}` : undefined
}

/** Verifies the bearer token of every request that has one; routes say whether they need one. */
export function registerAuth(app: FastifyInstance, verifier: TokenVerifier): void {
  app.decorateRequest('principal', undefined)

  // callbacks, not async hooks: a request without a token (most reads) costs no promise here
  app.addHook('onRequest', (request, _reply, done) => {
    const header = authorizationOf(request)
    if (header === undefined) return done()
    const token = bearerToken(header)
    if (!token) return done(AuthErrors.invalid())
    verifier.verify(token).then(
      (principal) => {
        request.principal = principal
        done()
      },
      (err: unknown) => done(err as Error),
    )
  })

  // before validation: a caller without the right gets 401/403, not a lesson in the body's schema
  app.addHook('preValidation', (request, _reply, done) => {
    const needs = request.routeOptions.config.auth
    try {
      if (needs === 'user' && !request.principal) throw AuthErrors.missing()
      if (needs === 'admin') requireRole(request.principal, 'admin')
    } catch (err) {
      return done(err as Error)
    }
    done()
  })
}

/** The signed-in caller of a route declared `auth: 'user'`. */
export const callerOf = (request: FastifyRequest): Principal => {
  if (!request.principal) throw AuthErrors.missing()
  return request.principal
}
