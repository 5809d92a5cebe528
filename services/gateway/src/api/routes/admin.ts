import type { FastifyInstance } from 'fastify'
import type { AdminCatalog, ProductInput as ProductInputBody } from '../../app/admin.js'
import type { StockAndSales } from '../../app/stock-and-sales.js'
import { bodyProblems, ProductInput, problems, slug } from '../schemas.js'

const { $id: _shared, ...productShape } = ProductInput
const adminProblems = { 401: problems[401], 403: problems[403], ...bodyProblems }
const day = { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}', maxLength: 40 } as const
const bearer = [{ bearerAuth: [] }]

/** Admin-only catalog writes, stock and sales; the gateway checks the role before any service is called. */
export function registerAdminRoutes(app: FastifyInstance, admin: AdminCatalog, shop: StockAndSales): void {
  app.post<{ Body: ProductInputBody & { id?: string } }>(
    '/api/admin/products',
    {
      config: { auth: 'admin' },
      schema: {
        tags: ['admin'],
        summary: 'Create a product; its id is made from the name unless given',
        security: bearer,
        body: { ...productShape, properties: { id: slug, ...productShape.properties } },
        response: { 201: { $ref: 'Product#' }, 409: problems[409], ...adminProblems },
      },
    },
    async (request, reply) => {
      const { id, ...input } = request.body
      return reply.code(201).send(await admin.create(id, input))
    },
  )

  app.put<{ Params: { id: string }; Body: ProductInputBody }>(
    '/api/admin/products/:id',
    {
      config: { auth: 'admin' },
      schema: {
        tags: ['admin'],
        summary: 'Create or replace the product with this id',
        security: bearer,
        params: { type: 'object', required: ['id'], properties: { id: slug } },
        body: { $ref: 'ProductInput#' },
        response: { 200: { $ref: 'Product#' }, 201: { $ref: 'Product#' }, ...adminProblems },
      },
    },
    async (request, reply) => {
      const { product, created } = await admin.put(request.params.id, request.body)
      return reply.code(created ? 201 : 200).send(product)
    },
  )

  app.put<{ Params: { productId: string }; Body: { quantity: number } }>(
    '/api/admin/stock/:productId',
    {
      config: { auth: 'admin' },
      schema: {
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
      },
    },
    (request) => shop.setStock(request.params.productId, request.body.quantity),
  )

  app.get<{ Querystring: { from?: string; to?: string } }>(
    '/api/admin/sales',
    {
      config: { auth: 'admin' },
      schema: {
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
      },
    },
    async (request, reply) => {
      reply.header('cache-control', 'no-store')
      return shop.sales(request.query)
    },
  )
}
