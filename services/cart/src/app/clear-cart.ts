import type { Queryable } from '@microshop/chassis'
import type { Owner } from '../domain/cart.js'
import type { CartStore } from '../store/cart-store.js'
import { type CartRef, openCart } from './owner-cart.js'

export type ClearCart = ReturnType<typeof createClearCart>

/**
 * Empties the owner's cart (no cart is created for it). Pass `tx` to clear inside a caller's transaction:
 * the OrderCreated consumer (a later issue) will clear the user's cart with its inbox row.
 */
export function createClearCart(deps: { store: CartStore }) {
  const { store } = deps
  const clear = async (tx: Queryable, owner: Owner): Promise<CartRef | undefined> => {
    const cart = await openCart(store, tx, owner, false)
    if (cart && (await store.clearLines(tx, cart.id)) > 0) await store.touch(tx, cart.id)
    return cart
  }
  return (owner: Owner, tx?: Queryable) => (tx ? clear(tx, owner) : store.tx((own) => clear(own, owner)))
}
