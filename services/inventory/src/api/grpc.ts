import { type Handlers, requireRole } from '@microshop/chassis'
import type {
  InventoryServiceService,
  StockLevel as StockLevelMessage,
} from '@microshop/contracts/inventory/v1/inventory'
import type { Reservations } from '../app/reservations.js'
import type { Stock } from '../app/stock.js'
import { availableOf, type StockLevel } from '../domain/stock.js'

const toMessage = (level: StockLevel): StockLevelMessage => ({
  productId: level.productId,
  available: availableOf(level),
  reserved: level.reserved,
  onHand: level.onHand,
})

/** gRPC handlers: read the request, call the use case, shape the response. */
export function createInventoryHandlers(deps: {
  stock: Stock
  reservations: Reservations
}): Handlers<typeof InventoryServiceService> {
  const { stock, reservations } = deps
  return {
    async getAvailability(req) {
      return { levels: (await stock.availability(req.productIds)).map(toMessage) }
    },
    async reserveStock(req) {
      const { reservationId, expiresAt } = await reservations.reserve({
        orderId: req.orderId,
        lines: req.lines.map((l) => ({ productId: l.productId, quantity: l.quantity })),
        ttlSeconds: req.ttlSeconds,
      })
      return { reservationId, expiresAt: expiresAt.toISOString() }
    },
    async releaseReservation(req) {
      return { released: await reservations.release(req.orderId) }
    },
    async setStock(req, ctx) {
      requireRole(await ctx.requireCaller(), 'admin')
      return { level: toMessage(await stock.setStock(req.productId, req.onHand)) }
    },
  }
}
