import { ORDER_STATUSES } from '../../app/order-status.js'
import { MAX_ORDERS_PAGE_SIZE } from '../../app/orders.js'
import { bearer, bodyProblems, pageOf, pageQuery, problems, userProblems } from '../schemas/common.js'
import { Address, postalAddress } from './accounts.schemas.js'

export const OrderStatus = { $id: 'OrderStatus', type: 'string', enum: ORDER_STATUSES } as const

export const ShippingAddress = {
  $id: 'ShippingAddress',
  type: 'object',
  required: Address.required,
  properties: postalAddress,
} as const

export const OrderLine = {
  $id: 'OrderLine',
  type: 'object',
  required: ['productId', 'name', 'quantity', 'unitPrice', 'lineTotal'],
  properties: {
    productId: { type: 'string' },
    name: { type: 'string' },
    quantity: { type: 'integer' },
    unitPrice: { $ref: 'Money#' },
    lineTotal: { $ref: 'Money#' },
  },
} as const

export const Order = {
  $id: 'Order',
  type: 'object',
  description:
    'In lists (GET /api/orders) an order carries no lines, history, subtotal or address: GET /api/orders/{id} has them all.',
  required: ['id', 'status', 'lines', 'itemCount', 'total', 'createdAt', 'updatedAt', 'history'],
  properties: {
    id: { type: 'string' },
    status: { $ref: 'OrderStatus#' },
    lines: { type: 'array', items: { $ref: 'OrderLine#' } },
    itemCount: { type: 'integer', description: 'Units over all lines' },
    subtotal: { $ref: 'Money#' },
    shipping: { $ref: 'Money#' },
    total: { $ref: 'Money#' },
    shippingAddress: { $ref: 'ShippingAddress#' },
    paymentSummary: { type: 'string', examples: ['visa •••• 4242'] },
    cancelReason: {
      type: 'string',
      description: 'payment_failed, reservation_expired or customer_cancelled; only when CANCELLED',
    },
    createdAt: { type: 'string' },
    updatedAt: { type: 'string' },
    history: {
      type: 'array',
      items: {
        type: 'object',
        required: ['status', 'at'],
        properties: {
          status: { $ref: 'OrderStatus#' },
          at: { type: 'string' },
          reason: { type: 'string' },
        },
      },
    },
  },
} as const

export const Payment = {
  $id: 'Payment',
  type: 'object',
  required: ['id', 'status', 'amount', 'refunded', 'method', 'createdAt', 'updatedAt'],
  properties: {
    id: { type: 'string' },
    status: { type: 'string', enum: ['PENDING', 'CAPTURED', 'FAILED', 'REFUNDED'] },
    amount: { $ref: 'Money#' },
    refunded: { $ref: 'Money#' },
    method: { type: 'string' },
    failureCode: { type: 'string' },
    failureReason: { type: 'string' },
    createdAt: { type: 'string' },
    updatedAt: { type: 'string' },
  },
} as const

export const Shipment = {
  $id: 'Shipment',
  type: 'object',
  description: 'One parcel of an order: an order over 30 kg ships in several, each with its tracking number.',
  required: ['id', 'status', 'carrier', 'trackingNumber', 'cost', 'createdAt'],
  properties: {
    id: { type: 'string' },
    parcelNumber: { type: 'integer', minimum: 1, description: 'Which of the order’s parcels, from 1' },
    parcelCount: { type: 'integer', minimum: 1, description: 'How many parcels the order ships in' },
    status: { type: 'string', enum: ['CREATED', 'DISPATCHED', 'DELIVERED', 'CANCELLED'] },
    carrier: { type: 'string' },
    trackingNumber: { type: 'string' },
    cost: { $ref: 'Money#' },
    weightGrams: { type: 'integer' },
    destinationCountry: { type: 'string' },
    estimatedDays: { type: 'integer' },
    createdAt: { type: 'string' },
    dispatchedAt: { type: 'string' },
    deliveredAt: { type: 'string' },
  },
} as const

export const OrderDetail = {
  $id: 'OrderDetail',
  type: 'object',
  description: Order.description,
  required: [...Order.required, 'payment', 'shipment', 'shipments'],
  properties: {
    ...Order.properties,
    payment: {
      anyOf: [{ $ref: 'Payment#' }, { type: 'null' }],
      description: 'null before payments has seen the order, or while payments cannot be reached',
    },
    shipment: {
      anyOf: [{ $ref: 'Shipment#' }, { type: 'null' }],
      description:
        'The first parcel (the whole order when it ships in one); null before the order is confirmed, or while shipping cannot be reached',
    },
    shipments: {
      type: 'array',
      items: { $ref: 'Shipment#' },
      description:
        'Every parcel, by parcel number: the order is SHIPPED when the first leaves and DELIVERED when the last arrives; empty when `shipment` is null',
    },
  },
} as const

export const OrderList = pageOf('OrderList', 'Order')

export const OrderAccepted = {
  $id: 'OrderAccepted',
  type: 'object',
  required: ['orderId', 'status'],
  properties: { orderId: { type: 'string' }, status: { $ref: 'OrderStatus#' } },
} as const

/** The schemas of this resource that others refer to by $id. */
export const orderComponents = [
  OrderStatus,
  ShippingAddress,
  OrderLine,
  Order,
  Payment,
  Shipment,
  OrderDetail,
  OrderList,
  OrderAccepted,
] as const

export const orderParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', minLength: 1, maxLength: 100, pattern: '^[A-Za-z0-9_-]+$' } },
} as const

const { $id: _saved, ...savedAddress } = Address
const shippingAddressInput = {
  ...savedAddress,
  required: [...Address.required, 'name'],
  description:
    'Where the order goes; a saved address of GET /api/me with a name fits as is (its id and label are ignored)',
  properties: {
    ...Address.properties,
    name: { ...postalAddress.name, minLength: 1, description: 'Who receives the parcel' },
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
    shippingAddress: shippingAddressInput,
    payment: {
      type: 'object',
      additionalProperties: false,
      description:
        'Exactly one of: `card`, tokenised by the order; or `token`, from POST /api/payments/tokens made first ' +
        '(then the order is accepted even while payments is down).',
      properties: {
        card: { $ref: 'Card#' },
        token: {
          type: 'string',
          minLength: 1,
          maxLength: 200,
          description: 'A card token of the caller, from POST /api/payments/tokens',
        },
      },
      oneOf: [{ required: ['card'] }, { required: ['token'] }],
    },
  },
} as const

export const placeOrderSchema = {
  tags: ['orders'],
  summary: 'Place an order; it is accepted before payment and moves on by itself',
  description:
    'Answers 202 once stock is reserved; follow the Location or GET /api/orders/{id}/events for the outcome. ' +
    'The same Idempotency-Key with the same body answers the same; with another body 422; while the first is in flight 409. ' +
    'Over 30 kg it ships in parcels (see POST /api/shipping/quote); an item over 30 kg is 400 SHIPPING_TOO_HEAVY.',
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
} as const

export const listOrdersSchema = {
  tags: ['orders'],
  summary: "The caller's orders, newest first",
  security: bearer,
  querystring: pageQuery(MAX_ORDERS_PAGE_SIZE),
  response: { 200: { $ref: 'OrderList#' }, ...userProblems },
} as const

export const orderDetailSchema = {
  tags: ['orders'],
  summary: 'One of the caller’s orders, with its payment and shipments (null or empty when not to be had)',
  security: bearer,
  params: orderParams,
  response: { 200: { $ref: 'OrderDetail#' }, 404: problems[404], ...userProblems },
} as const

export const cancelOrderSchema = {
  tags: ['orders'],
  summary: 'Cancel one of the caller’s orders before it ships; a captured payment is refunded',
  security: bearer,
  params: orderParams,
  response: { 200: { $ref: 'Order#' }, 404: problems[404], 422: problems[422], ...userProblems },
} as const

export const orderEventsSchema = {
  tags: ['orders'],
  summary: "Live status of one of the caller's orders, as Server-Sent Events",
  description:
    'Sends `event: status` with `data: {orderId, status, reason, at}`: first the status now, then each change; ' +
    'the stream ends after DELIVERED or CANCELLED. A comment line keeps it alive every 15 s. ' +
    'It never outlives its access token: when the token expires it sends `event: expired` ' +
    '(`data: {code: "AUTH_TOKEN_EXPIRED", at}`) and ends; open it again with a fresh token. ' +
    'EventSource cannot send headers: pass the access token as `?access_token=` instead (this route only).',
  security: [{ bearerAuth: [] }, { accessTokenQuery: [] }],
  params: orderParams,
  querystring: {
    type: 'object',
    additionalProperties: false,
    properties: {
      access_token: {
        type: 'string',
        maxLength: 4096,
        description: 'The access token, for clients that cannot send an Authorization header',
      },
    },
  },
  response: {
    200: {
      description: 'The event stream',
      content: {
        'text/event-stream': {
          schema: {
            type: 'string',
            description:
              'event: status\\nid: <version>\\ndata: {"orderId","status","reason","at"}\\n\\n, repeated',
          },
        },
      },
    },
    404: problems[404],
    ...userProblems,
  },
} as const
