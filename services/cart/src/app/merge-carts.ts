import type { Db } from '@microshop/chassis'
import type { CartLimits } from '../domain/cart.js'
import { mergeLines } from '../domain/merge.js'
import type { PricedCart } from '../domain/pricing.js'
import type { CartStore } from '../store/cart-store.js'
import type { CartView } from './cart-view.js'
import { openCart } from './owner-cart.js'

/**
 * MergeCarts: the anonymous cart's lines move into the user's cart and the anonymous cart is deleted.
 * A token that names no live cart (unknown, expired, already merged) leaves the user's cart as it is.
 */
export function createMergeCarts(deps: { db: Db; store: CartStore; view: CartView; limits: CartLimits }) {
  const { store } = deps
  return async (userId: string, cartToken: string): Promise<PricedCart> => {
    const owner = { kind: 'user', userId } as const
    const ref = await deps.db.tx(async (tx) => {
      // always the user's cart before the anonymous one: one lock order, no deadlock between merges
      const mine = (await openCart(store, tx, owner, true))!
      const theirs = await openCart(store, tx, { kind: 'anonymous', token: cartToken }, false)
      if (!theirs) return mine
      const merged = mergeLines(await store.lines(tx, mine.id), await store.lines(tx, theirs.id), deps.limits)
      await store.putLines(tx, mine.id, merged)
      await store.deleteCart(tx, theirs.id)
      await store.touch(tx, mine.id)
      return mine
    })
    return deps.view.show(owner, ref)
  }
}
