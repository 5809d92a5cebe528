import { AppError } from '@microshop/chassis'
import type { FastifyInstance } from 'fastify'
import { createRateLimiter, type RateDecision } from '../../domain/rate-limit.js'

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * `login` routes (sign-in, refresh, sign-up) get the strict limit with lockout, keyed by client address
     * (`request.ip`: the real client behind the proxies GATEWAY_TRUST_PROXY names); `none` is for the shop's own
     * files and images, which a browser asks for by the dozen on every page and which cost a file read.
     */
    rateLimit?: 'login' | 'none'
  }
}

export interface RateLimitSettings {
  windowMs: number
  anonymous: number
  user: number
  login: number
  loginLockoutMs: number
}

const tooMany = (d: RateDecision) =>
  new AppError(
    'resource_exhausted',
    'RATE_LIMITED',
    `too many requests; retry in ${Math.ceil(d.retryAfterMs / 1000)} s`,
  )

/** Per-user limits when signed in, per-address when not, and a strict limit with lockout on login. */
export function registerRateLimits(app: FastifyInstance, s: RateLimitSettings): void {
  const anonymous = createRateLimiter({ limit: s.anonymous, windowMs: s.windowMs })
  const users = createRateLimiter({ limit: s.user, windowMs: s.windowMs })
  const logins = createRateLimiter({ limit: s.login, windowMs: s.windowMs, lockoutMs: s.loginLockoutMs })

  app.addHook('onRequest', (request, reply, done) => {
    if (request.routeOptions.config.rateLimit === 'none') return done()
    const decision = request.principal ? users.hit(request.principal.userId) : anonymous.hit(request.ip)
    const login = request.routeOptions.config.rateLimit === 'login' ? logins.hit(request.ip) : undefined
    const verdict = login && !login.allowed ? login : decision
    reply.headers({
      'ratelimit-limit': String(verdict.limit),
      'ratelimit-remaining': String(verdict.remaining),
    })
    if (!verdict.allowed) {
      reply.header('retry-after', String(Math.ceil(verdict.retryAfterMs / 1000)))
      return done(tooMany(verdict))
    }
    done()
  })
}
