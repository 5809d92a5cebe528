/** JSON schemas of the public API: they validate requests, shape responses and make the OpenAPI document. */

export const slug = { type: 'string', pattern: '^[a-z0-9]+(-[a-z0-9]+)*$', maxLength: 80 } as const

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

export const ProductList = {
  $id: 'ProductList',
  type: 'object',
  required: ['items'],
  properties: {
    items: { type: 'array', items: { $ref: 'Product#' } },
    nextPageToken: {
      type: 'string',
      description: 'Pass as pageToken for the next page; absent on the last page.',
    },
  },
} as const

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

export const sharedSchemas = [Money, Product, ProductDetail, ProductList, Category, CategoryList, Problem]

const problemRef = { $ref: 'Problem#' }

/** The error responses every route may give, besides its own. */
export const problemResponses = {
  400: { description: 'Invalid input', content: { 'application/problem+json': { schema: problemRef } } },
  503: {
    description: 'An upstream service is down or slow',
    content: { 'application/problem+json': { schema: problemRef } },
  },
} as const
