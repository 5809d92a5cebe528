import type { Db } from '@microshop/chassis'
import type { CartLimits, Owner } from '../domain/cart.js'
import type { CartStore } from '../store/cart-store.js'
import { createAddItem } from './add-item.js'
import { createCartView } from './cart-view.js'
import { createClearCart } from './clear-cart.js'
import { createMergeCarts } from './merge-carts.js'
import type { ProductLookup } from './product-lookup.js'
import { createUpdateItem } from './update-item.js'

export type CartApp = ReturnType<typeof createCartApp>

/** The cart's use cases, each one transaction, each answering with the cart as it is now, priced. */
export function createCartApp(deps: {
  db: Db
  store: CartStore
  products: ProductLookup
  limits: CartLimits
}) {
  const view = createCartView(deps)
  const clearCart = createClearCart(deps)
  return {
    getCart: view.getCart,
    addItem: createAddItem({ ...deps, view }),
    ...createUpdateItem({ ...deps, view }),
    clearCart: async (owner: Owner) => view.show(owner, await clearCart(owner)),
    mergeCarts: createMergeCarts({ ...deps, view }),
  }
}
