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
  app.addHook('onRequest', async (request) => {
    const chosen = request.routeOptions.config.admission
    if (chosen === 'none' || !request.url.startsWith('/api/')) return
    try {
      const slot = classes[chosen ?? 'api'].admit()
      request.admitted = typeof slot === 'function' ? slot : await slot
    } catch (err) {
      throw err instanceof Overloaded ? overloaded(err) : err
    }
  })
  // onResponse runs for every answer, errors included; a client that went away ends in onRequestAbort
  const release = async (request: { admitted?: () => void }) => request.admitted?.()
  app.addHook('onResponse', release)
  app.addHook('onRequestAbort', release)
}
