import type { FastifyInstance, FastifyReply } from 'fastify'
import type { Carts, cartView } from '../../app/carts.js'
import { bodyProblems, commonProblems, problems, slug } from '../schemas.js'

type CartView = ReturnType<typeof cartView>
type WithToken = { Headers: { 'x-cart-token'?: string } }

const quantity = { type: 'integer', minimum: 0, maximum: 1000 } as const
const tokenHeader = {
  type: 'object',
  properties: {
    'x-cart-token': {
      type: 'string',
      maxLength: 100,
      description: 'Names an anonymous cart; returned with the first write when signed out',
    },
  },
} as const
const productParams = { type: 'object', required: ['productId'], properties: { productId: slug } } as const
const cartResponses = {
  200: { $ref: 'Cart#' },
  401: problems[401],
  404: problems[404],
  422: problems[422],
  ...commonProblems,
}
const optionalBearer: Record<string, string[]>[] = [{ bearerAuth: [] }, {}]

/** The anonymous cart's token travels in a header too, so clients can keep it without parsing bodies. */
const withTokenHeader = (reply: FastifyReply, cart: CartView) => {
  if (cart.cartToken) reply.header('x-cart-token', cart.cartToken)
  reply.header('cache-control', 'no-store')
  return cart
}

export function registerCartRoutes(app: FastifyInstance, carts: Carts): void {
  const tokenOf = (headers: WithToken['Headers']) => headers['x-cart-token'] ?? ''

  app.get<WithToken>(
    '/api/cart',
    {
      schema: {
        tags: ['cart'],
        summary: "The caller's cart, with current product names and prices",
        security: optionalBearer,
        headers: tokenHeader,
        response: cartResponses,
      },
    },
    async (request, reply) => withTokenHeader(reply, await carts.get(tokenOf(request.headers))),
  )

  app.post<WithToken & { Body: { productId: string; quantity: number } }>(
    '/api/cart/items',
    {
      schema: {
        tags: ['cart'],
        summary: 'Add a quantity of a product (summed with what is there)',
        security: optionalBearer,
        headers: tokenHeader,
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['productId', 'quantity'],
          properties: { productId: slug, quantity: { ...quantity, minimum: 1 } },
        },
        response: { ...cartResponses, ...bodyProblems },
      },
    },
    async (request, reply) =>
      withTokenHeader(
        reply,
        await carts.add(tokenOf(request.headers), request.body.productId, request.body.quantity),
      ),
  )

  app.patch<WithToken & { Params: { productId: string }; Body: { quantity: number } }>(
    '/api/cart/items/:productId',
    {
      schema: {
        tags: ['cart'],
        summary: "Set a line's quantity (0 removes it)",
        security: optionalBearer,
        headers: tokenHeader,
        params: productParams,
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['quantity'],
          properties: { quantity },
        },
        response: { ...cartResponses, ...bodyProblems },
      },
    },
    async (request, reply) =>
      withTokenHeader(
        reply,
        await carts.update(tokenOf(request.headers), request.params.productId, request.body.quantity),
      ),
  )

  app.delete<WithToken & { Params: { productId: string } }>(
    '/api/cart/items/:productId',
    {
      schema: {
        tags: ['cart'],
        summary: 'Remove a line',
        security: optionalBearer,
        headers: tokenHeader,
        params: productParams,
        response: cartResponses,
      },
    },
    async (request, reply) =>
      withTokenHeader(reply, await carts.remove(tokenOf(request.headers), request.params.productId)),
  )

  app.delete<WithToken>(
    '/api/cart',
    {
      schema: {
        tags: ['cart'],
        summary: 'Empty the cart',
        security: optionalBearer,
        headers: tokenHeader,
        response: cartResponses,
      },
    },
    async (request, reply) => withTokenHeader(reply, await carts.clear(tokenOf(request.headers))),
  )
}
