import { bearer, bodyProblems, problems, slug } from '../schemas/common.js'

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

/** The schemas of this resource that others refer to by $id. */
export const adminComponents = [ProductInput, StockLevel, Sales] as const

const adminProblems = { 401: problems[401], 403: problems[403], ...bodyProblems } as const
const day = { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}', maxLength: 40 } as const
const { $id: _shared, ...productShape } = ProductInput

export const createProductSchema = {
  tags: ['admin'],
  summary: 'Create a product; its id is made from the name unless given',
  security: bearer,
  body: { ...productShape, properties: { id: slug, ...productShape.properties } },
  response: { 201: { $ref: 'Product#' }, 409: problems[409], ...adminProblems },
} as const

export const putProductSchema = {
  tags: ['admin'],
  summary: 'Create or replace the product with this id',
  security: bearer,
  params: { type: 'object', required: ['id'], properties: { id: slug } },
  body: { $ref: 'ProductInput#' },
  response: { 200: { $ref: 'Product#' }, 201: { $ref: 'Product#' }, ...adminProblems },
} as const

export const setStockSchema = {
  tags: ['admin'],
  summary: "Set a product's quantity on hand (recorded as an adjustment movement)",
  security: bearer,
  params: { type: 'object', required: ['productId'], properties: { productId: slug } },
  body: {
    type: 'object',
    additionalProperties: false,
    required: ['quantity'],
    properties: { quantity: { type: 'integer', minimum: 0, maximum: 1_000_000 } },
  },
  response: { 200: { $ref: 'StockLevel#' }, 422: problems[422], ...adminProblems },
} as const

export const salesSchema = {
  tags: ['admin'],
  summary: 'Sales per day and product, with confirmed and cancelled order counts',
  security: bearer,
  querystring: {
    type: 'object',
    additionalProperties: false,
    properties: {
      from: { ...day, description: 'First day (inclusive); default: 30 days ago' },
      to: { ...day, description: 'Last day (inclusive); default: today' },
    },
  },
  response: { 200: { $ref: 'Sales#' }, ...adminProblems },
} as const
