import { ApiError } from '../api/http'
import { carts } from '../api/shop'
import type { Cart } from '../api/types'
import { sessionStore } from './session'
import { createStore } from './store'

const TOKEN_KEY = 'microshop.cartToken'

const EMPTY: Cart = { lines: [], itemCount: 0, subtotal: { amount: 0, currency: 'USD' } }

export interface CartState {
  cart: Cart
  /** False until the cart was read once. */
  loaded: boolean
}

export const cartStore = createStore<CartState>({ cart: EMPTY, loaded: false })

/** The anonymous cart's token, kept in the browser while signed out; none once signed in (it was merged). */
export const cartToken = () => localStorage.getItem(TOKEN_KEY) ?? undefined
const signedIn = () => Boolean(sessionStore.get().session)
const tokenForCalls = () => (signedIn() ? undefined : cartToken())

function show(cart: Cart) {
  if (!signedIn() && cart.cartToken) localStorage.setItem(TOKEN_KEY, cart.cartToken)
  cartStore.set({ cart, loaded: true })
  return cart
}

/** Reads the cart again: after sign-in, sign-out, an order, or another tab's change. */
export async function loadCart(): Promise<Cart> {
  const token = tokenForCalls()
  if (!signedIn() && !token) return show(EMPTY)
  try {
    return show(await carts.get(token))
  } catch (err) {
    // an anonymous cart that is gone (pruned, or merged elsewhere) is an empty one
    if (err instanceof ApiError && !signedIn() && (err.status === 404 || err.status === 401)) {
      localStorage.removeItem(TOKEN_KEY)
      return show(EMPTY)
    }
    throw err
  }
}

export const addToCart = async (productId: string, quantity: number) =>
  show(await carts.add(tokenForCalls(), productId, quantity))

export const setQuantity = async (productId: string, quantity: number) =>
  show(await carts.update(tokenForCalls(), productId, quantity))

export const removeFromCart = async (productId: string) =>
  show(await carts.remove(tokenForCalls(), productId))

/** After sign-in the API merged the anonymous cart into the account's: its token names nothing now. */
export function forgetAnonymousCart() {
  localStorage.removeItem(TOKEN_KEY)
}

export const resetCart = () => cartStore.set({ cart: EMPTY, loaded: true })

window.addEventListener('storage', (e) => {
  if (e.key === TOKEN_KEY) void loadCart().catch(() => undefined)
})
