import { AppError } from '@microshop/chassis'
import type { FastifyInstance } from 'fastify'
import { type AdmissionOptions, createAdmission, Overloaded } from '../../domain/admission.js'

export type AdmissionClass = 'api' | 'orders' | 'auth'

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * The admission class of an /api route: `orders` (placing an order: the deepest call chain), `auth`
     * (password hashing in identity), `api` (the default); `none` for long-lived streams, which would hold a
     * slot for as long as they are open. Files outside /api are never counted.
     */
    admission?: AdmissionClass | 'none'
  }
  interface FastifyRequest {
    admitted?: () => void
  }
}

export type AdmissionSettings = Record<AdmissionClass, AdmissionOptions>

const overloaded = (err: Overloaded) =>
  new AppError('unavailable', 'OVERLOADED', `the shop is busy; retry in ${err.retryAfterMs} ms`, {
    retryAfterMs: err.retryAfterMs,
    cause: err,
  })

/**
 * Sheds load at the door: each class of /api request has a bounded number working and a bounded queue with
 * a bounded wait; past them, 503 OVERLOADED with Retry-After (and Retry-After-Ms) at once.
 */
export function registerAdmission(app: FastifyInstance, settings: AdmissionSettings): void {
  const classes = {
    api: createAdmission(settings.api),
    orders: createAdmission(settings.orders),
    auth: createAdmission(settings.auth),
  }
  const refused = (err: unknown) => (err instanceof Overloaded ? overloaded(err) : (err as Error))
  // with callbacks, not async: a request admitted at once (the common case) costs no promise and no turn of
  // the microtask queue, and there are several such hooks on every request
  app.addHook('onRequest', (request, _reply, done) => {
    const chosen = request.routeOptions.config.admission
    if (chosen === 'none' || !request.url.startsWith('/api/')) return done()
    let slot: ReturnType<(typeof classes)['api']['admit']>
    try {
      slot = classes[chosen ?? 'api'].admit()
    } catch (err) {
      return done(refused(err))
    }
    if (typeof slot === 'function') {
      request.admitted = slot
      return done()
    }
    slot.then(
      (admitted) => {
        request.admitted = admitted
        done()
      },
      (err: unknown) => done(refused(err)),
    )
  })
  // onResponse runs for every answer, errors included; a client that went away ends in onRequestAbort
  app.addHook('onResponse', (request, _reply, done) => {
    request.admitted?.()
    done()
  })
  app.addHook('onRequestAbort', (request, done) => {
    request.admitted?.()
    done()
  })
}
