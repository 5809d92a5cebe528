import type { ServiceClient } from '@microshop/chassis'
import type { InventoryServiceService } from '@microshop/contracts/inventory/v1/inventory'
import type { OrdersServiceService } from '@microshop/contracts/orders/v1/orders'

/** Stock and sales for admins (the caller's token travels with the call; the services check the role too). */
export function createStockAndSales(deps: {
  inventory: ServiceClient<typeof InventoryServiceService>
  orders: ServiceClient<typeof OrdersServiceService>
}) {
  return {
    async setStock(productId: string, quantity: number) {
      const { level } = await deps.inventory.call('setStock', { productId, onHand: quantity })
      return {
        productId: level?.productId || productId,
        available: level?.available ?? 0,
        reserved: level?.reserved ?? 0,
        onHand: level?.onHand ?? quantity,
      }
    },

    async sales(range: { from?: string; to?: string }) {
      const r = await deps.orders.call('getSales', { from: range.from ?? '', to: range.to ?? '' })
      const zero = { amount: 0, currency: 'USD' }
      return {
        rows: r.rows.map((row) => ({
          day: row.day,
          productId: row.productId,
          quantity: row.quantity,
          revenue: row.revenue ?? zero,
        })),
        ordersConfirmed: r.ordersConfirmed,
        ordersCancelled: r.ordersCancelled,
        revenue: r.revenue ?? zero,
      }
    },
  }
}

export type StockAndSales = ReturnType<typeof createStockAndSales>
