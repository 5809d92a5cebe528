import type { Cart } from '@microshop/contracts/cart/v1/cart'
import type { CartClient } from './accounts.js'

/** A cart as the public API shows it: the token only for anonymous carts. */
export const cartView = (c: Cart | undefined) => ({
  id: c?.id || undefined,
  cartToken: c?.cartToken || undefined,
  lines: c?.lines ?? [],
  itemCount: c?.itemCount ?? 0,
  subtotal: c?.subtotal ?? { amount: 0, currency: 'USD' },
  updatedAt: c?.updatedAt || undefined,
})

/** The caller's cart: the signed-in user's, or the anonymous one named by its token. */
export function createCarts(cart: CartClient) {
  const view = async (p: Promise<{ cart?: Cart | undefined }>) => cartView((await p).cart)
  return {
    get: (cartToken: string) => view(cart.call('getCart', { cartToken })),
    add: (cartToken: string, productId: string, quantity: number) =>
      view(cart.call('addItem', { cartToken, productId, quantity }, { retry: false })),
    update: (cartToken: string, productId: string, quantity: number) =>
      view(cart.call('updateItem', { cartToken, productId, quantity })),
    remove: (cartToken: string, productId: string) => view(cart.call('removeItem', { cartToken, productId })),
    clear: (cartToken: string) => view(cart.call('clearCart', { cartToken })),
  }
}

export type Carts = ReturnType<typeof createCarts>
