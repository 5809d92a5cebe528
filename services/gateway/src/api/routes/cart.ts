import type { FastifyReply } from 'fastify'
import type { Carts, cartView } from '../../app/carts.js'
import type { GatewayApp } from '../schemas/components.js'
import {
  addItemSchema,
  clearCartSchema,
  getCartSchema,
  removeItemSchema,
  updateItemSchema,
} from './cart.schemas.js'

type CartView = ReturnType<typeof cartView>

/** The anonymous cart's token travels in a header too, so clients can keep it without parsing bodies. */
const withTokenHeader = (reply: FastifyReply, cart: CartView) => {
  if (cart.cartToken) reply.header('x-cart-token', cart.cartToken)
  reply.header('cache-control', 'no-store')
  return cart
}

const tokenOf = (headers: { 'x-cart-token'?: string }) => headers['x-cart-token'] ?? ''

export function registerCartRoutes(app: GatewayApp, carts: Carts): void {
  app.get('/api/cart', { schema: getCartSchema }, async (request, reply) =>
    withTokenHeader(reply, await carts.get(tokenOf(request.headers))),
  )

  app.post('/api/cart/items', { schema: addItemSchema }, async (request, reply) =>
    withTokenHeader(
      reply,
      await carts.add(tokenOf(request.headers), request.body.productId, request.body.quantity),
    ),
  )

  app.patch('/api/cart/items/:productId', { schema: updateItemSchema }, async (request, reply) =>
    withTokenHeader(
      reply,
      await carts.update(tokenOf(request.headers), request.params.productId, request.body.quantity),
    ),
  )

  app.delete('/api/cart/items/:productId', { schema: removeItemSchema }, async (request, reply) =>
    withTokenHeader(reply, await carts.remove(tokenOf(request.headers), request.params.productId)),
  )

  app.delete('/api/cart', { schema: clearCartSchema }, async (request, reply) =>
    withTokenHeader(reply, await carts.clear(tokenOf(request.headers))),
  )
}
