import { AppError, eventStreams } from '@microshop/chassis'
import { createStreamCursor, type OrderStreams, type StatusEvent } from '../../app/order-streams.js'
import { currentStatusOf, type Orders } from '../../app/orders.js'
import { createStreamSlots, type SlotRefusal } from '../../domain/stream-slots.js'
import { callerOf } from '../plugins/auth.js'
import type { GatewayApp } from '../schemas/components.js'
import { orderEventsSchema } from './orders.schemas.js'

export interface OrderEventsSettings {
  heartbeatMs: number
  /** Open streams allowed per user and in this process. */
  perUser: number
  total: number
}

const tooManyStreams = (why: SlotRefusal, limit: number) =>
  new AppError(
    'resource_exhausted',
    why === 'user' ? 'SSE_TOO_MANY_STREAMS' : 'SSE_CAPACITY_REACHED',
    why === 'user'
      ? `at most ${limit} live order streams per user are open at once; close one and retry`
      : 'the gateway has as many live order streams open as it allows; retry shortly',
    { retryAfterMs: 5_000 },
  )

const frame = (e: StatusEvent) =>
  `event: status\nid: ${e.version}\ndata: ${JSON.stringify({ orderId: e.orderId, status: e.status, reason: e.reason, at: e.at })}\n\n`

// the last frame of a stream whose token ran out: the client opens a new one with a fresh token
const expiredFrame = (expiresAt: Date) =>
  `event: expired\ndata: ${JSON.stringify({ code: 'AUTH_TOKEN_EXPIRED', at: expiresAt.toISOString() })}\n\n`

/**
 * `GET /api/orders/:id/events`: Server-Sent Events of one of the caller's orders: its status now, then each
 * change as the bus brings it, until a terminal status. A stream never outlives the access token it was
 * opened with: at the token's expiry it sends `event: expired` and ends. Streams close with the gateway.
 */
export function registerOrderEventRoutes(
  app: GatewayApp,
  deps: { orders: Orders; streams: OrderStreams; settings: OrderEventsSettings },
): void {
  const streams = eventStreams(app)
  const slots = createStreamSlots(deps.settings)

  app.get(
    '/api/orders/:id/events',
    { config: { auth: 'user', tokenInQuery: true, admission: 'none' }, schema: orderEventsSchema },
    async (request, reply) => {
      const orderId = request.params.id
      const caller = callerOf(request)
      const slot = slots.take(caller.userId)
      if ('refused' in slot)
        throw tooManyStreams(
          slot.refused,
          slot.refused === 'user' ? deps.settings.perUser : deps.settings.total,
        )
      // watch before reading, so a change between the read and the first event is not lost
      const early: StatusEvent[] = []
      let deliver: (e: StatusEvent) => void = (e) => void early.push(e)
      const unwatch = deps.streams.watch(orderId, (e) => deliver(e))
      let order: Awaited<ReturnType<Orders['get']>>
      try {
        order = await deps.orders.get(orderId)
      } catch (err) {
        unwatch()
        slot.release()
        throw err
      }

      const cursor = createStreamCursor()
      let expiry: NodeJS.Timeout | undefined
      const stream = streams.open(reply, {
        heartbeatMs: deps.settings.heartbeatMs,
        onClose: () => {
          clearTimeout(expiry)
          unwatch()
          slot.release()
        },
      })
      expiry = setTimeout(
        () => {
          stream.write(expiredFrame(caller.expiresAt))
          stream.close()
        },
        Math.max(0, caller.expiresAt.getTime() - Date.now()),
      )
      deliver = (e) => {
        if (stream.closed || !cursor.accept(e)) return
        stream.write(frame(e))
        if (cursor.ended) stream.close()
      }
      deliver(currentStatusOf(order))
      for (const e of early) deliver(e)
    },
  )
}
