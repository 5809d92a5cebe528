import type { Db, Emit, Tx } from '@microshop/chassis'
import { InventoryErrors } from '../domain/errors.js'
import type { InventoryEvent } from '../domain/inventory-events.js'
import { seedQuantities } from '../domain/seed-stock.js'
import { emptyLevel, type Movement, type StockLevel } from '../domain/stock.js'
import type { StockStore } from '../store/stock-store.js'
import type { Ledger } from './ledger.js'
import type { ProductDirectory } from './product-directory.js'

export const MAX_AVAILABILITY_IDS = 500
export const MAX_ON_HAND = 1_000_000

export interface StockDeps {
  db: Db
  stock: StockStore
  ledger: Ledger
  products: ProductDirectory
  emit: Emit<InventoryEvent>
}

export type Stock = ReturnType<typeof createStock>

/** Stock levels: read, set by an admin, created for new products, seeded from the catalog. */
export function createStock(deps: StockDeps) {
  const { db, stock, ledger } = deps

  return {
    /** One level per id asked, in that order; a product the inventory does not know has nothing. */
    async availability(ids: readonly string[]): Promise<StockLevel[]> {
      if (ids.length > MAX_AVAILABILITY_IDS)
        throw InventoryErrors.invalidRequest([
          { field: 'productIds', message: `at most ${MAX_AVAILABILITY_IDS}` },
        ])
      // postgres text cannot hold NUL: such an id names no product
      const asked = [...new Set(ids)].filter((id) => !id.includes('\0'))
      const found = new Map((await stock.levels(db, asked)).map((l) => [l.productId, l]))
      return ids.map((id) => found.get(id) ?? emptyLevel(id))
    },

    /** Sets on hand with an adjustment movement; a product the catalog has but the inventory not yet is added. */
    async setStock(productId: string, onHand: number): Promise<StockLevel> {
      const errors = [
        ...(productId.trim() === '' || productId.includes('\0')
          ? [{ field: 'productId', message: 'a product id is required' }]
          : []),
        ...(Number.isInteger(onHand) && onHand >= 0 && onHand <= MAX_ON_HAND
          ? []
          : [{ field: 'onHand', message: `0 to ${MAX_ON_HAND}` }]),
      ]
      if (errors.length > 0) throw InventoryErrors.invalidRequest(errors)
      if ((await stock.levels(db, [productId])).length === 0) {
        if (!(await deps.products.exists(productId))) throw InventoryErrors.productNotFound(productId)
        await db.tx((tx) => stock.create(tx, [productId]))
      }
      return db.tx(async (tx) => {
        const levels = await stock.lock(tx, [productId])
        const level = levels.get(productId)!
        if (onHand < level.reserved) throw InventoryErrors.belowReserved(productId, level.reserved)
        const delta = onHand - level.onHand
        if (delta === 0) return level
        const events = await ledger.record(tx, [{ productId, kind: 'adjustment', quantity: delta }], levels)
        await deps.emit(tx, events)
        return (await stock.lock(tx, [productId])).get(productId)!
      })
    },

    /** A product created in the catalog: known from now on, with nothing on hand (idempotent). */
    async addProducts(tx: Tx, ids: readonly string[]): Promise<void> {
      await stock.create(tx, ids)
    },

    isSeeded: () => stock.isSeeded(db),

    /** The opening stock of the catalog's products, once: products already known keep what they have. */
    async seed(productIds: readonly string[]): Promise<number> {
      return db.tx(async (tx) => {
        if (!(await stock.claimSeeding(tx))) return 0
        const created = await stock.create(tx, productIds)
        const quantities = seedQuantities(productIds)
        const movements: Movement[] = created.flatMap((productId) => {
          const quantity = quantities.get(productId)!
          return quantity > 0 ? [{ productId, kind: 'initial' as const, quantity }] : []
        })
        await deps.emit(tx, await ledger.record(tx, movements))
        await stock.markSeeded(tx, created.length)
        return created.length
      })
    },
  }
}
