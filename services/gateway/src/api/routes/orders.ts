import type { Orders } from '../../app/orders.js'
import type { GatewayApp } from '../schemas/components.js'
import { cancelOrderSchema, listOrdersSchema, orderDetailSchema, placeOrderSchema } from './orders.schemas.js'

const signedIn = { auth: 'user' } as const

/** The caller's orders: place (idempotent), list, read aggregated, cancel. */
export function registerOrderRoutes(app: GatewayApp, orders: Orders): void {
  app.post(
    '/api/orders',
    { config: { ...signedIn, admission: 'orders' }, schema: placeOrderSchema },
    async (request, reply) => {
      const placed = await orders.place(request.headers['idempotency-key'], request.body)
      if (placed.replayed) reply.header('idempotent-replayed', 'true')
      return reply
        .code(202)
        .header('location', `/api/orders/${encodeURIComponent(placed.orderId)}`)
        .header('cache-control', 'no-store')
        .send({ orderId: placed.orderId, status: placed.status })
    },
  )

  app.get('/api/orders', { config: signedIn, schema: listOrdersSchema }, async (request, reply) => {
    reply.header('cache-control', 'no-store')
    return orders.list(request.query)
  })

  app.get('/api/orders/:id', { config: signedIn, schema: orderDetailSchema }, async (request, reply) => {
    reply.header('cache-control', 'no-store')
    return orders.detail(request.params.id)
  })

  app.post('/api/orders/:id/cancel', { config: signedIn, schema: cancelOrderSchema }, (request) =>
    orders.cancel(request.params.id),
  )
}
