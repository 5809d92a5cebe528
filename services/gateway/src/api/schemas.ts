/** JSON schemas of the public API: they validate requests, shape responses and make the OpenAPI document. */

export const slug = { type: 'string', pattern: '^[a-z0-9]+(-[a-z0-9]+)*$', maxLength: 80 } as const

/** A page of a list, as every list of the API has it: `items` and, when more follow, `nextPageToken`. */
const pageOf = (id: string, item: string) => ({
  $id: id,
  type: 'object',
  required: ['items'],
  properties: {
    items: { type: 'array', items: { $ref: `${item}#` } },
    nextPageToken: {
      type: 'string',
      description: 'Pass as pageToken for the next page; absent on the last page.',
    },
  },
})

export const Money = {
  $id: 'Money',
  type: 'object',
  description: 'An amount in minor units (cents) of an ISO 4217 currency.',
  required: ['amount', 'currency'],
  properties: {
    amount: { type: 'integer', examples: [1299] },
    currency: { type: 'string', pattern: '^[A-Z]{3}$', examples: ['USD'] },
  },
} as const

export const Product = {
  $id: 'Product',
  type: 'object',
  required: ['id', 'name', 'description', 'price', 'category', 'imageUrl'],
  properties: {
    id: slug,
    name: { type: 'string' },
    description: { type: 'string' },
    price: { $ref: 'Money#' },
    category: { type: 'string' },
    imageUrl: { type: 'string' },
    weightGrams: { type: 'integer' },
  },
} as const

export const ProductDetail = {
  $id: 'ProductDetail',
  type: 'object',
  required: [...Product.required, 'related'],
  properties: {
    ...Product.properties,
    related: {
      type: 'array',
      items: { $ref: 'Product#' },
      description: 'Other products of the same category',
    },
  },
} as const

export const ProductList = pageOf('ProductList', 'Product')

export const Category = {
  $id: 'Category',
  type: 'object',
  required: ['id', 'name', 'productCount'],
  properties: { id: { type: 'string' }, name: { type: 'string' }, productCount: { type: 'integer' } },
} as const

export const CategoryList = {
  $id: 'CategoryList',
  type: 'object',
  required: ['items'],
  properties: { items: { type: 'array', items: { $ref: 'Category#' } } },
} as const

export const Problem = {
  $id: 'Problem',
  type: 'object',
  description: 'RFC 9457 problem details; `code` is stable and meant for programs.',
  required: ['type', 'title', 'status', 'detail', 'code'],
  properties: {
    type: { type: 'string' },
    title: { type: 'string' },
    status: { type: 'integer' },
    detail: { type: 'string' },
    code: { type: 'string', examples: ['CATALOG_PRODUCT_NOT_FOUND'] },
    instance: { type: 'string' },
    errors: {
      type: 'array',
      items: {
        type: 'object',
        required: ['field', 'message'],
        properties: { field: { type: 'string' }, message: { type: 'string' } },
      },
    },
  },
} as const

export const sharedSchemas: object[] = [
  Money,
  Product,
  ProductDetail,
  ProductList,
  Category,
  CategoryList,
  Problem,
]

export const Address = {
  $id: 'Address',
  type: 'object',
  additionalProperties: false,
  required: ['line1', 'city', 'postalCode', 'country'],
  properties: {
    id: { type: 'string', maxLength: 64 },
    label: { type: 'string', maxLength: 50 },
    name: { type: 'string', maxLength: 100 },
    line1: { type: 'string', minLength: 1, maxLength: 200 },
    line2: { type: 'string', maxLength: 200 },
    city: { type: 'string', minLength: 1, maxLength: 100 },
    region: { type: 'string', maxLength: 100 },
    postalCode: { type: 'string', minLength: 1, maxLength: 20 },
    country: { type: 'string', pattern: '^[A-Z]{2}$', description: 'ISO 3166-1 alpha-2' },
    phone: { type: 'string', maxLength: 30 },
    isDefault: { type: 'boolean' },
  },
} as const

export const User = {
  $id: 'User',
  type: 'object',
  required: ['id', 'email', 'name', 'roles', 'status', 'createdAt', 'addresses'],
  properties: {
    id: { type: 'string' },
    email: { type: 'string' },
    name: { type: 'string' },
    roles: { type: 'array', items: { type: 'string', enum: ['customer', 'admin'] } },
    status: { type: 'string', enum: ['active', 'blocked'] },
    createdAt: { type: 'string' },
    addresses: { type: 'array', items: { $ref: 'Address#' } },
  },
} as const

export const Tokens = {
  $id: 'Tokens',
  type: 'object',
  required: ['accessToken', 'refreshToken', 'expiresIn', 'tokenType'],
  properties: {
    accessToken: { type: 'string', description: 'EdDSA JWT; send as `Authorization: Bearer <token>`' },
    refreshToken: {
      type: 'string',
      description: 'Opaque; each use rotates it, reusing an old one revokes them all',
    },
    expiresIn: { type: 'integer', description: 'Seconds until the access token expires' },
    tokenType: { type: 'string', enum: ['Bearer'] },
  },
} as const

export const CartLine = {
  $id: 'CartLine',
  type: 'object',
  required: ['productId', 'name', 'quantity', 'unitPrice', 'lineTotal', 'imageUrl', 'available'],
  properties: {
    productId: { type: 'string' },
    name: { type: 'string' },
    quantity: { type: 'integer' },
    unitPrice: { $ref: 'Money#' },
    lineTotal: { $ref: 'Money#' },
    imageUrl: { type: 'string' },
    available: {
      type: 'boolean',
      description: 'False when the product left the catalog; not counted in the subtotal',
    },
  },
} as const

export const Cart = {
  $id: 'Cart',
  type: 'object',
  required: ['lines', 'itemCount', 'subtotal'],
  properties: {
    id: { type: 'string' },
    cartToken: {
      type: 'string',
      description: 'Anonymous carts only: send it back as the X-Cart-Token header to reach this cart again',
    },
    lines: { type: 'array', items: { $ref: 'CartLine#' } },
    itemCount: { type: 'integer' },
    subtotal: { $ref: 'Money#' },
    updatedAt: { type: 'string' },
  },
} as const

export const ProductInput = {
  $id: 'ProductInput',
  type: 'object',
  additionalProperties: false,
  required: ['name', 'price', 'category'],
  properties: {
    name: { type: 'string', minLength: 2, maxLength: 200 },
    description: { type: 'string', maxLength: 4000 },
    price: {
      type: 'object',
      additionalProperties: false,
      required: ['amount', 'currency'],
      properties: {
        amount: { type: 'integer', minimum: 0 },
        currency: { type: 'string', pattern: '^[A-Z]{3}$' },
      },
    },
    category: slug,
    imageUrl: { type: 'string', maxLength: 500 },
    weightGrams: { type: 'integer', minimum: 0 },
  },
} as const

sharedSchemas.push(Address, User, Tokens, CartLine, Cart, ProductInput)

const problem = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: { $ref: 'Problem#' } } },
})

/** Documented error responses, by status. */
export const problems = {
  400: problem('Invalid input'),
  401: problem('No valid access token'),
  403: problem('Not allowed for this caller'),
  404: problem('Not found'),
  409: problem('Conflict'),
  413: problem('Body too large'),
  422: problem('Not possible in the current state'),
  429: problem('Too many requests; see Retry-After'),
  503: problem('An upstream service is down or slow; see Retry-After'),
} as const

/** The error responses every route may give. */
export const commonProblems = { 400: problems[400], 429: problems[429], 503: problems[503] } as const
export const bodyProblems = { ...commonProblems, 413: problems[413] } as const
export const userProblems = { ...commonProblems, 401: problems[401] } as const

export const ORDER_STATUSES = ['PENDING_PAYMENT', 'CONFIRMED', 'SHIPPED', 'DELIVERED', 'CANCELLED'] as const

export const Availability = {
  $id: 'Availability',
  type: 'object',
  required: ['available', 'inStock'],
  description: 'Units a new order can take now; not cached longer than a few seconds',
  properties: { available: { type: 'integer' }, inStock: { type: 'boolean' } },
} as const

const { $id: _detailId, ...productDetailShape } = ProductDetail
export const ProductWithAvailability = {
  ...productDetailShape,
  $id: 'ProductWithAvailability',
  required: [...ProductDetail.required, 'availability'],
  properties: {
    ...ProductDetail.properties,
    availability: {
      anyOf: [{ $ref: 'Availability#' }, { type: 'null' }],
      description: 'null when stock cannot be read right now',
    },
  },
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

export const ShippingAddress = {
  $id: 'ShippingAddress',
  type: 'object',
  required: ['line1', 'city', 'postalCode', 'country'],
  properties: {
    name: { type: 'string' },
    line1: { type: 'string' },
    line2: { type: 'string' },
    city: { type: 'string' },
    region: { type: 'string' },
    postalCode: { type: 'string' },
    country: { type: 'string' },
    phone: { type: 'string' },
  },
} as const

export const OrderStatus = {
  $id: 'OrderStatus',
  type: 'string',
  enum: [...ORDER_STATUSES],
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
  required: ['id', 'status', 'carrier', 'trackingNumber', 'cost', 'createdAt'],
  properties: {
    id: { type: 'string' },
    status: { type: 'string', enum: ['CREATED', 'DISPATCHED', 'DELIVERED', 'CANCELLED'] },
    carrier: { type: 'string' },
    trackingNumber: { type: 'string' },
    cost: { $ref: 'Money#' },
    weightGrams: { type: 'integer' },
    destinationCountry: { type: 'string' },
    createdAt: { type: 'string' },
    dispatchedAt: { type: 'string' },
    deliveredAt: { type: 'string' },
  },
} as const

const { $id: _orderId, ...orderShape } = Order
export const OrderDetail = {
  ...orderShape,
  $id: 'OrderDetail',
  required: [...Order.required, 'payment', 'shipment'],
  properties: {
    ...Order.properties,
    payment: {
      anyOf: [{ $ref: 'Payment#' }, { type: 'null' }],
      description: 'null before payments has seen the order, or while payments cannot be reached',
    },
    shipment: {
      anyOf: [{ $ref: 'Shipment#' }, { type: 'null' }],
      description: 'null before the order is confirmed, or while shipping cannot be reached',
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

export const Message = {
  $id: 'Message',
  type: 'object',
  required: ['id', 'channel', 'to', 'subject', 'body', 'eventType', 'sentAt'],
  properties: {
    id: { type: 'string' },
    channel: { type: 'string', enum: ['email', 'sms'] },
    to: { type: 'string' },
    subject: { type: 'string' },
    body: { type: 'string' },
    eventType: { type: 'string', examples: ['orders.OrderConfirmed.v1'] },
    orderId: { type: 'string' },
    sentAt: { type: 'string' },
  },
} as const

export const MessageList = pageOf('MessageList', 'Message')

export const StockLevel = {
  $id: 'StockLevel',
  type: 'object',
  required: ['productId', 'available', 'reserved', 'onHand'],
  properties: {
    productId: { type: 'string' },
    available: { type: 'integer', description: 'On hand minus reserved' },
    reserved: { type: 'integer' },
    onHand: { type: 'integer' },
  },
} as const

export const Sales = {
  $id: 'Sales',
  type: 'object',
  required: ['rows', 'ordersConfirmed', 'ordersCancelled', 'revenue'],
  properties: {
    rows: {
      type: 'array',
      items: {
        type: 'object',
        required: ['day', 'productId', 'quantity', 'revenue'],
        properties: {
          day: { type: 'string', examples: ['2026-11-21'] },
          productId: { type: 'string' },
          quantity: { type: 'integer' },
          revenue: { $ref: 'Money#' },
        },
      },
    },
    ordersConfirmed: { type: 'integer' },
    ordersCancelled: { type: 'integer' },
    revenue: { $ref: 'Money#' },
  },
} as const

sharedSchemas.push(
  Availability,
  ProductWithAvailability,
  OrderLine,
  ShippingAddress,
  OrderStatus,
  Order,
  Payment,
  Shipment,
  OrderDetail,
  OrderList,
  OrderAccepted,
  Message,
  MessageList,
  StockLevel,
  Sales,
)
