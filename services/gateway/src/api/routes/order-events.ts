import type { OutgoingHttpHeaders } from 'node:http'
import { createStreamCursor, type OrderStreams, type StatusEvent } from '../../app/order-streams.js'
import { currentStatusOf, type Orders } from '../../app/orders.js'
import type { GatewayApp } from '../schemas/components.js'
import { orderEventsSchema } from './orders.schemas.js'

export interface OrderEventsSettings {
  heartbeatMs: number
}

const frame = (e: StatusEvent) =>
  `event: status\nid: ${e.version}\ndata: ${JSON.stringify({ orderId: e.orderId, status: e.status, reason: e.reason, at: e.at })}\n\n`

/**
 * `GET /api/orders/:id/events`: Server-Sent Events of one of the caller's orders: its status now, then each
 * change as the bus brings it, until a terminal status. Streams close with the gateway.
 */
export function registerOrderEventRoutes(
  app: GatewayApp,
  deps: { orders: Orders; streams: OrderStreams; settings: OrderEventsSettings },
): void {
  const open = new Set<() => void>()
  app.addHook('preClose', async () => {
    for (const close of [...open]) close()
  })

  app.get(
    '/api/orders/:id/events',
    { config: { auth: 'user', tokenInQuery: true }, schema: orderEventsSchema },
    async (request, reply) => {
      const orderId = request.params.id
      // watch before reading, so a change between the read and the first event is not lost
      const early: StatusEvent[] = []
      let deliver: (e: StatusEvent) => void = (e) => void early.push(e)
      const unwatch = deps.streams.watch(orderId, (e) => deliver(e))
      let order: Awaited<ReturnType<Orders['get']>>
      try {
        order = await deps.orders.get(orderId)
      } catch (err) {
        unwatch()
        throw err
      }

      reply.hijack()
      const res = reply.raw
      res.writeHead(200, {
        ...(reply.getHeaders() as OutgoingHttpHeaders),
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-store',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      })
      const cursor = createStreamCursor()
      let closed = false
      const heartbeat = setInterval(() => res.write(': heartbeat\n\n'), deps.settings.heartbeatMs)
      const close = () => {
        if (closed) return
        closed = true
        clearInterval(heartbeat)
        unwatch()
        open.delete(close)
        res.end()
      }
      open.add(close)
      res.on('close', close)
      deliver = (e) => {
        if (closed || !cursor.accept(e)) return
        res.write(frame(e))
        if (cursor.ended) close()
      }
      deliver(currentStatusOf(order))
      for (const e of early) deliver(e)
    },
  )
}
