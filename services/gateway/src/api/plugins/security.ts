import { AppError } from '@microshop/chassis'
import type { FastifyInstance } from 'fastify'
import { sendProblem } from '../problems.js'

const ALLOWED_METHODS = 'GET, POST, PUT, PATCH, DELETE, OPTIONS'
const ALLOWED_HEADERS =
  'authorization, content-type, idempotency-key, if-none-match, x-cart-token, x-request-id'
const EXPOSED_HEADERS =
  'etag, location, retry-after, retry-after-ms, idempotent-replayed, x-cart-token, x-request-id, ratelimit-limit, ratelimit-remaining'

/** Security headers on every response, and CORS for an allowlist of origins only. */
export function registerSecurity(app: FastifyInstance, corsOrigins: readonly string[]): void {
  const allowed = new Set(corsOrigins)

  // hooks of every request take a callback, not a promise: an async hook costs a promise and a turn of the
  // microtask queue per request (see plugins/admission.ts)
  app.addHook('onRequest', (request, reply, done) => {
    reply.headers({
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'DENY',
      'referrer-policy': 'no-referrer',
      'cross-origin-resource-policy': 'same-origin',
      'permissions-policy': 'camera=(), microphone=(), geolocation=()',
    })
    // the docs page runs Swagger UI's scripts; everything else is data and needs none
    if (!request.url.startsWith('/api/docs'))
      reply.header('content-security-policy', "default-src 'none'; frame-ancestors 'none'")
    const origin = request.headers.origin
    if (!origin) return done()
    reply.header('vary', 'Origin')
    if (allowed.has(origin)) {
      reply.headers({
        'access-control-allow-origin': origin,
        'access-control-expose-headers': EXPOSED_HEADERS,
      })
      return done()
    }
    // answered here: the lifecycle goes no further (done is not called)
    if (request.method === 'OPTIONS')
      sendProblem(
        reply,
        request,
        new AppError('permission_denied', 'CORS_ORIGIN_DENIED', `origin ${origin} is not allowed`),
      )
    else done()
  })

  app.options('*', { schema: { hide: true } }, async (_request, reply) =>
    reply
      .headers({
        'access-control-allow-methods': ALLOWED_METHODS,
        'access-control-allow-headers': ALLOWED_HEADERS,
        'access-control-max-age': '600',
      })
      .code(204)
      .send(),
  )
}
