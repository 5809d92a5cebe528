import type { Db } from '@microshop/chassis'
import { type CartLimits, checkProductId, checkQuantity, type Owner } from '../domain/cart.js'
import { CartErrors } from '../domain/errors.js'
import type { PricedCart } from '../domain/pricing.js'
import type { CartStore } from '../store/cart-store.js'
import type { CartView } from './cart-view.js'
import { openCart } from './owner-cart.js'

/**
 * UpdateItem and RemoveItem: set a line's quantity, 0 removing it. Neither creates a cart; removing
 * what is not there is a no-op, setting a quantity on a line that is not there is CART_LINE_NOT_FOUND.
 */
export function createUpdateItem(deps: { db: Db; store: CartStore; view: CartView; limits: CartLimits }) {
  const { store } = deps

  const setQuantity = async (owner: Owner, productId: string, quantity: number): Promise<PricedCart> => {
    const ref = await deps.db.tx(async (tx) => {
      const cart = await openCart(store, tx, owner, false)
      const changed =
        cart !== undefined &&
        (quantity === 0
          ? await store.removeLine(tx, cart.id, productId)
          : await store.setLine(tx, cart.id, productId, quantity))
      if (!changed && quantity > 0) throw CartErrors.lineNotFound(productId)
      if (changed) await store.touch(tx, cart.id)
      return cart
    })
    return deps.view.show(owner, ref)
  }

  return {
    updateItem: (owner: Owner, productId: string, quantity: number) =>
      setQuantity(owner, checkProductId(productId), checkQuantity(quantity, deps.limits, true)),
    removeItem: (owner: Owner, productId: string) => setQuantity(owner, checkProductId(productId), 0),
  }
}
