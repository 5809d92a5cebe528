import { MAX_PAGE_SIZE, SORTS } from '../../app/products.js'
import { commonProblems, pageOf, problems, slug } from '../schemas/common.js'

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

export const Availability = {
  $id: 'Availability',
  type: 'object',
  required: ['available', 'inStock'],
  description: 'Units a new order can take now; not cached longer than a few seconds',
  properties: { available: { type: 'integer' }, inStock: { type: 'boolean' } },
} as const

export const ProductWithAvailability = {
  $id: 'ProductWithAvailability',
  type: 'object',
  required: [...ProductDetail.required, 'availability'],
  properties: {
    ...ProductDetail.properties,
    availability: {
      anyOf: [{ $ref: 'Availability#' }, { type: 'null' }],
      description: 'null when stock cannot be read right now',
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

/** The schemas of this resource that others refer to by $id. */
export const productComponents = [
  Product,
  ProductDetail,
  ProductList,
  Category,
  CategoryList,
  Availability,
  ProductWithAvailability,
] as const

export const listQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    q: { type: 'string', maxLength: 200, description: 'Free-text search; results are ranked by relevance' },
    category: slug,
    sort: { type: 'string', enum: SORTS, default: 'name' },
    pageSize: {
      type: 'integer',
      minimum: 1,
      description: `Items per page; larger values are clamped to ${MAX_PAGE_SIZE}`,
    },
    pageToken: { type: 'string', maxLength: 200 },
  },
} as const

export const searchQuery = {
  ...listQuery,
  required: ['q'],
  properties: { ...listQuery.properties, q: { type: 'string', minLength: 1, maxLength: 200 } },
} as const

export const productParams = { type: 'object', required: ['id'], properties: { id: slug } } as const

const notModified = {
  304: { description: 'Not modified since the ETag sent in If-None-Match', type: 'null' },
} as const

export const listResponses = { 200: { $ref: 'ProductList#' }, ...notModified, ...commonProblems } as const

export const productResponses = {
  200: { $ref: 'ProductWithAvailability#' },
  ...notModified,
  404: problems[404],
  ...commonProblems,
} as const

export const categoryResponses = {
  200: { $ref: 'CategoryList#' },
  ...notModified,
  ...commonProblems,
} as const
