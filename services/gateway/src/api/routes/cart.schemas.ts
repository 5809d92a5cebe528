import { bodyProblems, commonProblems, problems, slug } from '../schemas/common.js'

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

/** The schemas of this resource that others refer to by $id. */
export const cartComponents = [CartLine, Cart] as const

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
} as const
const writeResponses = { ...cartResponses, ...bodyProblems } as const
// signed in or anonymous: either way the route answers
const optionalBearer = [{ bearerAuth: [] }, {}] as const

const cartRoute = { tags: ['cart'], security: optionalBearer, headers: tokenHeader } as const

export const getCartSchema = {
  ...cartRoute,
  summary: "The caller's cart, with current product names and prices",
  response: cartResponses,
} as const

export const addItemSchema = {
  ...cartRoute,
  summary: 'Add a quantity of a product (summed with what is there)',
  body: {
    type: 'object',
    additionalProperties: false,
    required: ['productId', 'quantity'],
    properties: { productId: slug, quantity: { ...quantity, minimum: 1 } },
  },
  response: writeResponses,
} as const

export const updateItemSchema = {
  ...cartRoute,
  summary: "Set a line's quantity (0 removes it)",
  params: productParams,
  body: {
    type: 'object',
    additionalProperties: false,
    required: ['quantity'],
    properties: { quantity },
  },
  response: writeResponses,
} as const

export const removeItemSchema = {
  ...cartRoute,
  summary: 'Remove a line',
  params: productParams,
  response: cartResponses,
} as const

export const clearCartSchema = { ...cartRoute, summary: 'Empty the cart', response: cartResponses } as const
