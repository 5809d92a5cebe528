import { bodyProblems, problems } from '../schemas/common.js'

export const ShippingQuote = {
  $id: 'ShippingQuote',
  type: 'object',
  description:
    'Shipping as the order will be charged for it: an order over 30 kg ships in several parcels, each priced.',
  required: ['cost', 'carrier', 'estimatedDays', 'parcels'],
  properties: {
    cost: { $ref: 'Money#' },
    carrier: { type: 'string' },
    estimatedDays: { type: 'integer', description: 'Of the slowest parcel' },
    parcels: {
      type: 'array',
      items: {
        type: 'object',
        required: ['number', 'weightGrams', 'cost', 'estimatedDays'],
        properties: {
          number: { type: 'integer', minimum: 1 },
          weightGrams: { type: 'integer' },
          cost: { $ref: 'Money#' },
          estimatedDays: { type: 'integer' },
        },
      },
    },
  },
} as const

/** The schemas of this resource that others refer to by $id. */
export const shippingComponents = [ShippingQuote] as const

export const quoteShippingSchema = {
  tags: ['orders'],
  summary: 'Price the shipping of the caller’s cart, or of lines, to a country, parcel by parcel',
  description:
    'Signed in or anonymous (X-Cart-Token). A unit over 30 kg (its line named), or an order of more than 10 ' +
    'parcels, is refused with 400 SHIPPING_TOO_HEAVY; an empty cart with 400 SHIPPING_NOTHING_TO_SHIP.',
  security: [{ bearerAuth: [] }, {}],
  headers: {
    type: 'object',
    properties: {
      'x-cart-token': { type: 'string', maxLength: 100, description: 'An anonymous cart to price' },
    },
  },
  body: {
    type: 'object',
    additionalProperties: false,
    required: ['country'],
    properties: {
      country: { type: 'string', pattern: '^[A-Z]{2}$', description: 'ISO 3166-1 alpha-2' },
      lines: {
        type: 'array',
        minItems: 1,
        maxItems: 100,
        description: 'What to price; without it, the caller’s cart',
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
    },
  },
  response: { 200: { $ref: 'ShippingQuote#' }, 401: problems[401], 404: problems[404], ...bodyProblems },
} as const
