import type { AdminCatalog } from '../../app/admin.js'
import type { StockAndSales } from '../../app/stock-and-sales.js'
import type { GatewayApp } from '../schemas/components.js'
import { createProductSchema, putProductSchema, salesSchema, setStockSchema } from './admin.schemas.js'

const adminOnly = { auth: 'admin' } as const

/** Admin-only catalog writes, stock and sales; the gateway checks the role before any service is called. */
export function registerAdminRoutes(app: GatewayApp, admin: AdminCatalog, shop: StockAndSales): void {
  app.post(
    '/api/admin/products',
    { config: adminOnly, schema: createProductSchema },
    async (request, reply) => {
      const { id, ...input } = request.body
      return reply.code(201).send(await admin.create(id, input))
    },
  )

  app.put(
    '/api/admin/products/:id',
    { config: adminOnly, schema: putProductSchema },
    async (request, reply) => {
      const { product, created } = await admin.put(request.params.id, request.body)
      return reply.code(created ? 201 : 200).send(product)
    },
  )

  app.put('/api/admin/stock/:productId', { config: adminOnly, schema: setStockSchema }, (request) =>
    shop.setStock(request.params.productId, request.body.quantity),
  )

  app.get('/api/admin/sales', { config: adminOnly, schema: salesSchema }, async (request, reply) => {
    reply.header('cache-control', 'no-store')
    return shop.sales(request.query)
  })
}
