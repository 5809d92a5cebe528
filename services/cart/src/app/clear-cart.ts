import type { Db, Tx } from '@microshop/chassis'
import type { Owner } from '../domain/cart.js'
import type { CartStore } from '../store/cart-store.js'
import { type CartRef, openCart } from './owner-cart.js'

export type ClearCart = ReturnType<typeof createClearCart>
export type ClearOrderedLines = ReturnType<typeof createClearOrderedLines>

/** Empties the owner's cart (no cart is created for it). */
export function createClearCart(deps: { db: Db; store: CartStore }) {
  const { store } = deps
  return (owner: Owner): Promise<CartRef | undefined> =>
    deps.db.tx(async (tx) => {
      const cart = await openCart(store, tx, owner, false)
      if (cart && (await store.clearLines(tx, cart.id)) > 0) await store.touch(tx, cart.id)
      return cart
    })
}

/**
 * Removes from a user's cart the products of an order, in the consumer's transaction. Only lines added
 * before the order was created go: a line added after checkout is a new wish and stays. Returns how many went.
 */
export function createClearOrderedLines(deps: { store: CartStore }) {
  const { store } = deps
  return async (
    tx: Tx,
    order: { userId: string; productIds: readonly string[]; createdAt: string },
  ): Promise<number> => {
    if (order.productIds.length === 0) return 0
    const cart = await openCart(store, tx, { kind: 'user', userId: order.userId }, false)
    if (!cart) return 0
    const removed = await store.removeLinesAddedBefore(tx, cart.id, order.productIds, order.createdAt)
    if (removed > 0) await store.touch(tx, cart.id)
    return removed
  }
}
