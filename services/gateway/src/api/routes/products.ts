import type { FastifyInstance } from 'fastify'
import { MAX_PAGE_SIZE, type ProductQuery, type ProductViews, SORTS } from '../../app/products.js'
import { problemResponses, slug } from '../schemas.js'

const listQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    q: { type: 'string', maxLength: 200, description: 'Free-text search; results are ranked by relevance' },
    category: slug,
    sort: { type: 'string', enum: [...SORTS], default: 'name' },
    pageSize: {
      type: 'integer',
      minimum: 1,
      description: `Items per page; larger values are clamped to ${MAX_PAGE_SIZE}`,
    },
    pageToken: { type: 'string', maxLength: 200 },
  },
} as const

const listResponses = { 200: { $ref: 'ProductList#' }, ...problemResponses }

export function registerProductRoutes(app: FastifyInstance, views: ProductViews): void {
  app.get<{ Querystring: ProductQuery }>(
    '/api/products',
    {
      schema: {
        tags: ['catalog'],
        summary: 'List or search products',
        querystring: listQuery,
        response: listResponses,
      },
    },
    (request) => views.list(request.query),
  )

  app.get<{ Querystring: ProductQuery & { q: string } }>(
    '/api/search',
    {
      schema: {
        tags: ['catalog'],
        summary: 'Search products by free text',
        querystring: {
          ...listQuery,
          required: ['q'],
          properties: { ...listQuery.properties, q: { type: 'string', minLength: 1, maxLength: 200 } },
        },
        response: listResponses,
      },
    },
    (request) => views.list(request.query),
  )

  app.get<{ Params: { id: string } }>(
    '/api/products/:id',
    {
      schema: {
        tags: ['catalog'],
        summary: 'One product, with related products',
        params: { type: 'object', required: ['id'], properties: { id: slug } },
        response: {
          200: { $ref: 'ProductDetail#' },
          404: {
            description: 'No such product',
            content: { 'application/problem+json': { schema: { $ref: 'Problem#' } } },
          },
          ...problemResponses,
        },
      },
    },
    (request) => views.detail(request.params.id),
  )

  app.get(
    '/api/categories',
    {
      schema: {
        tags: ['catalog'],
        summary: 'Categories with their product counts',
        response: { 200: { $ref: 'CategoryList#' }, 503: problemResponses[503] },
      },
    },
    () => views.categories(),
  )
}
