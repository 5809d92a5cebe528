import type { FastifyInstance } from 'fastify'
import { MAX_ORDERS_PAGE_SIZE, type Orders, type PlaceOrderInput } from '../../app/orders.js'
import { bodyProblems, problems, userProblems } from '../schemas.js'

const bearer = [{ bearerAuth: [] }]
const orderParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', minLength: 1, maxLength: 100, pattern: '^[A-Za-z0-9_-]+$' } },
} as const

const shippingAddress = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'line1', 'city', 'postalCode', 'country'],
  description:
    'Where the order goes; a saved address of GET /api/me with a name fits as is (its id and label are ignored)',
  properties: {
    id: { type: 'string', maxLength: 64 },
    label: { type: 'string', maxLength: 50 },
    isDefault: { type: 'boolean' },
    name: { type: 'string', minLength: 1, maxLength: 100, description: 'Who receives the parcel' },
    line1: { type: 'string', minLength: 1, maxLength: 200 },
    line2: { type: 'string', maxLength: 200 },
    city: { type: 'string', minLength: 1, maxLength: 100 },
    region: { type: 'string', maxLength: 100 },
    postalCode: { type: 'string', minLength: 1, maxLength: 20 },
    country: { type: 'string', pattern: '^[A-Z]{2}$', description: 'ISO 3166-1 alpha-2' },
    phone: { type: 'string', maxLength: 30 },
  },
} as const

const placeOrderBody = {
  type: 'object',
  additionalProperties: false,
  required: ['shippingAddress', 'payment'],
  properties: {
    lines: {
      type: 'array',
      minItems: 1,
      maxItems: 100,
      description: 'What to order; without it, the caller’s cart',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['productId', 'quantity'],
        properties: {
          productId: { type: 'string', minLength: 1, maxLength: 80 },
          quantity: { type: 'integer', minimum: 1, maximum: 1000 },
        },
      },
    },
    shippingAddress,
    payment: {
      type: 'object',
      additionalProperties: false,
      required: ['card'],
      properties: {
        card: {
          type: 'object',
          additionalProperties: false,
          required: ['number', 'expMonth', 'expYear', 'cvc'],
          description:
            'Test cards: 4242424242424242 succeeds, 4000000000000002 is declined, 4100000000000019 is blocked as fraud, 4000000000000077 is slow (2 s)',
          properties: {
            number: { type: 'string', pattern: '^[0-9 ]{12,23}$' },
            expMonth: { type: 'integer', minimum: 1, maximum: 12 },
            expYear: { type: 'integer', minimum: 2000, maximum: 2100 },
            cvc: { type: 'string', pattern: '^[0-9]{3,4}$' },
          },
        },
      },
    },
  },
} as const

const pageQuery = (max: number) =>
  ({
    type: 'object',
    additionalProperties: false,
    properties: {
      pageSize: {
        type: 'integer',
        minimum: 1,
        description: `Items per page; larger values are clamped to ${max}`,
      },
      pageToken: { type: 'string', maxLength: 200 },
    },
  }) as const

/** The caller's orders: place (idempotent), list, read aggregated, cancel. */
export function registerOrderRoutes(app: FastifyInstance, orders: Orders): void {
  app.post<{ Body: PlaceOrderInput; Headers: { 'idempotency-key': string } }>(
    '/api/orders',
    {
      config: { auth: 'user' },
      schema: {
        tags: ['orders'],
        summary: 'Place an order; it is accepted before payment and moves on by itself',
        description:
          'Answers 202 once stock is reserved; follow the Location or GET /api/orders/{id}/events for the outcome. ' +
          'The same Idempotency-Key with the same body answers the same; with another body 422; while the first is in flight 409.',
        security: bearer,
        headers: {
          type: 'object',
          required: ['idempotency-key'],
          properties: {
            'idempotency-key': {
              type: 'string',
              minLength: 1,
              maxLength: 100,
              description: 'A client-chosen key (a UUID) that makes retries of this order safe; kept 24 h',
            },
          },
        },
        body: placeOrderBody,
        response: {
          202: {
            description: 'Accepted: reserved and waiting for payment',
            headers: { location: { type: 'string', description: '/api/orders/{id}' } },
            content: { 'application/json': { schema: { $ref: 'OrderAccepted#' } } },
          },
          401: problems[401],
          403: problems[403],
          404: problems[404],
          409: problems[409],
          422: problems[422],
          ...bodyProblems,
        },
      },
    },
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

  app.get<{ Querystring: { pageSize?: number; pageToken?: string } }>(
    '/api/orders',
    {
      config: { auth: 'user' },
      schema: {
        tags: ['orders'],
        summary: "The caller's orders, newest first",
        security: bearer,
        querystring: pageQuery(MAX_ORDERS_PAGE_SIZE),
        response: { 200: { $ref: 'OrderList#' }, ...userProblems },
      },
    },
    async (request, reply) => {
      reply.header('cache-control', 'no-store')
      return orders.list(request.query)
    },
  )

  app.get<{ Params: { id: string } }>(
    '/api/orders/:id',
    {
      config: { auth: 'user' },
      schema: {
        tags: ['orders'],
        summary: 'One of the caller’s orders, with its payment and shipment (each null when not to be had)',
        security: bearer,
        params: orderParams,
        response: { 200: { $ref: 'OrderDetail#' }, 404: problems[404], ...userProblems },
      },
    },
    async (request, reply) => {
      reply.header('cache-control', 'no-store')
      return orders.detail(request.params.id)
    },
  )

  app.post<{ Params: { id: string } }>(
    '/api/orders/:id/cancel',
    {
      config: { auth: 'user' },
      schema: {
        tags: ['orders'],
        summary: 'Cancel one of the caller’s orders before it ships; a captured payment is refunded',
        security: bearer,
        params: orderParams,
        response: { 200: { $ref: 'Order#' }, 404: problems[404], 422: problems[422], ...userProblems },
      },
    },
    async (request) => orders.cancel(request.params.id),
  )
}

export { orderParams }
