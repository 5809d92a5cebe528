export const SEED_MIN = 10
export const SEED_MAX = 60
export const SEED_LOW_QUANTITY = 3
export const SEED_LOW_PRODUCTS = 2

// FNV-1a: the same number for an id on every machine and every run
function hashOf(id: string): number {
  let hash = 0x811c9dc5
  for (const byte of Buffer.from(id, 'utf8')) {
    hash ^= byte
    hash = Math.imul(hash, 0x01000193)
  }
  return hash >>> 0
}

/**
 * The demo's opening stock: SEED_MIN..SEED_MAX units per product from a hash of its id, except the
 * SEED_LOW_PRODUCTS products with the smallest hashes, which get SEED_LOW_QUANTITY (so low stock shows).
 */
export function seedQuantities(productIds: readonly string[]): Map<string, number> {
  const ids = [...new Set(productIds)]
  const hashes = new Map(ids.map((id) => [id, hashOf(id)]))
  const low = new Set(
    [...ids].sort((a, b) => hashes.get(a)! - hashes.get(b)! || (a < b ? -1 : 1)).slice(0, SEED_LOW_PRODUCTS),
  )
  return new Map(
    ids.map((id) => [
      id,
      low.has(id) ? SEED_LOW_QUANTITY : SEED_MIN + (hashes.get(id)! % (SEED_MAX - SEED_MIN + 1)),
    ]),
  )
}
