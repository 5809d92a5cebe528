import type { CartLimits, StoredLine } from './cart.js'

/**
 * The user's lines after an anonymous cart moves in: quantities of a product in both are summed and
 * capped; new products join oldest first while there is room, the rest are left behind.
 */
export function mergeLines(
  userLines: readonly StoredLine[],
  anonymousLines: readonly StoredLine[],
  limits: CartLimits,
): StoredLine[] {
  const merged = new Map(userLines.map((l) => [l.productId, { ...l }]))
  const oldestFirst = [...anonymousLines].sort(
    (a, b) => a.addedAt.localeCompare(b.addedAt) || a.productId.localeCompare(b.productId),
  )
  for (const line of oldestFirst) {
    const mine = merged.get(line.productId)
    if (mine) mine.quantity = Math.min(mine.quantity + line.quantity, limits.maxQuantity)
    else if (merged.size < limits.maxLines)
      merged.set(line.productId, { ...line, quantity: Math.min(line.quantity, limits.maxQuantity) })
  }
  return [...merged.values()]
}
