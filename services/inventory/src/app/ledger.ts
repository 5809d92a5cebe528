import type { Tx } from '@microshop/chassis'
import type { InventoryEvent } from '../domain/inventory-events.js'
import {
  applyMovement,
  availableOf,
  lowStockCrossing,
  type Movement,
  type StockLevel,
} from '../domain/stock.js'
import type { LedgerEntry, StockStore } from '../store/stock-store.js'

export type Ledger = ReturnType<typeof createLedger>

/** The one way stock changes: movements appended to the ledger and the levels updated, in one transaction. */
export function createLedger(deps: { stock: StockStore; lowStockThreshold: number }) {
  const { stock, lowStockThreshold } = deps
  return {
    /**
     * Applies the movements to the levels (locked here, or already locked by the caller in this transaction),
     * appends them, and returns the StockLow events of the levels that fell under the threshold.
     */
    async record(
      tx: Tx,
      movements: readonly Movement[],
      locked?: ReadonlyMap<string, StockLevel>,
    ): Promise<InventoryEvent[]> {
      if (movements.length === 0) return []
      const ids = [...new Set(movements.map((m) => m.productId))]
      const before = locked ?? (await stock.lock(tx, ids))
      const levels = new Map(before)
      const entries: LedgerEntry[] = movements.map((movement) => {
        const level = levels.get(movement.productId)
        if (!level) throw new Error(`no stock level for ${movement.productId}: it was not locked`)
        const next = applyMovement(level, movement)
        levels.set(movement.productId, next)
        return { ...movement, onHandAfter: next.onHand, reservedAfter: next.reserved }
      })
      const events: InventoryEvent[] = []
      const changed = ids.map((id) => {
        const level = levels.get(id)!
        const available = availableOf(level)
        const crossing = lowStockCrossing(before.get(id)!.low, available, lowStockThreshold)
        if (crossing.emit)
          events.push({ kind: 'StockLow', productId: id, available, threshold: lowStockThreshold })
        return { ...level, low: crossing.low }
      })
      await stock.save(tx, changed)
      await stock.append(tx, entries)
      return events
    },
  }
}
