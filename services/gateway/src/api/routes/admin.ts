import type { FastifyInstance } from 'fastify'
import type { AdminCatalog, ProductInput as ProductInputBody } from '../../app/admin.js'
import { bodyProblems, ProductInput, problems, slug } from '../schemas.js'

const { $id: _shared, ...productShape } = ProductInput
const adminProblems = { 401: problems[401], 403: problems[403], ...bodyProblems }
const bearer = [{ bearerAuth: [] }]

/** Admin-only catalog writes; the gateway checks the role before the catalog is called. */
export function registerAdminRoutes(app: FastifyInstance, admin: AdminCatalog): void {
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
}
