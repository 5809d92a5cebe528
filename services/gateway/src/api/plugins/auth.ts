import { AuthErrors, bearerToken, type Principal, requireRole, type TokenVerifier } from '@microshop/chassis'
import type { FastifyInstance, FastifyRequest } from 'fastify'

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | undefined
  }
  interface FastifyContextConfig {
    /** Who may call the route: anyone (default), a signed-in user, or an admin. */
    auth?: 'user' | 'admin'
  }
}

/** Verifies the bearer token of every request that has one; routes say whether they need one. */
export function registerAuth(app: FastifyInstance, verifier: TokenVerifier): void {
  app.decorateRequest('principal', undefined)

  app.addHook('onRequest', async (request) => {
    const header = request.headers.authorization
    if (header === undefined) return
    const token = bearerToken(header)
    if (!token) throw AuthErrors.invalid()
    request.principal = await verifier.verify(token)
  })

  app.addHook('preHandler', async (request) => {
    const needs = request.routeOptions.config.auth
    if (needs === 'user' && !request.principal) throw AuthErrors.missing()
    if (needs === 'admin') requireRole(request.principal, 'admin')
  })
}

/** The signed-in caller of a route declared `auth: 'user'`. */
export const callerOf = (request: FastifyRequest): Principal => {
  if (!request.principal) throw AuthErrors.missing()
  return request.principal
}
