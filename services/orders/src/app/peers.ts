import { AppError, type ServiceClient } from '@microshop/chassis'
import type { CartServiceService } from '@microshop/contracts/cart/v1/cart'
import type { CatalogServiceService } from '@microshop/contracts/catalog/v1/catalog'
import { type IdentityServiceService, UserStatus } from '@microshop/contracts/identity/v1/identity'
import type { InventoryServiceService } from '@microshop/contracts/inventory/v1/inventory'
import type { PaymentsServiceService } from '@microshop/contracts/payments/v1/payments'
import type { ShippingServiceService } from '@microshop/contracts/shipping/v1/shipping'
import { checkCatalogAnswer } from '../domain/catalog-answer.js'
import type { Money } from '../domain/order.js'
import type { CardInput, ProductInfo, RequestedLine } from '../domain/place-order.js'

/** What PlaceOrder asks of other services, as plain functions. */
export interface Peers {
  /** The caller's cart lines (the caller's token travels with the call). */
  cartLines(): Promise<RequestedLine[]>
  user(id: string): Promise<{ email: string; blocked: boolean }>
  products(ids: string[]): Promise<ProductInfo[]>
  /**
   * The shipping cost of the lines' parcels, or undefined when shipping cannot answer now. Lines it will not
   * carry (SHIPPING_TOO_HEAVY) are named as the request's `source` (`lines`, `cart.lines`) numbers them.
   */
  quote(
    lines: readonly { weightGrams: number; quantity: number }[],
    country: string,
    source: string,
  ): Promise<Money | undefined>
  tokenizeCard(card: CardInput): Promise<{ token: string; brand: string; last4: string }>
  reserve(
    orderId: string,
    lines: RequestedLine[],
    ttlSeconds: number,
  ): Promise<{ reservationId: string; expiresAt: string }>
  release(orderId: string): Promise<void>
}

const unreachable = (err: unknown) =>
  err instanceof AppError && (err.kind === 'unavailable' || err.kind === 'deadline_exceeded')

/** Shipping's refusal in the order's words: its `items[i]` are the request's `source[i]`, as sent. */
const asLineError = (err: AppError, source: string) =>
  new AppError(err.kind, err.code, err.message, {
    cause: err,
    fields: err.fields.map((f) => {
      const item = /^items\[(\d+)\]/.exec(f.field)
      return { field: item ? `${source}[${item[1]}].productId` : source, message: f.message }
    }),
  })

export function createPeers(clients: {
  cart: ServiceClient<typeof CartServiceService>
  identity: ServiceClient<typeof IdentityServiceService>
  catalog: ServiceClient<typeof CatalogServiceService>
  shipping: ServiceClient<typeof ShippingServiceService>
  payments: ServiceClient<typeof PaymentsServiceService>
  inventory: ServiceClient<typeof InventoryServiceService>
  quoteDeadlineMs: number
}): Peers {
  return {
    async cartLines() {
      const { cart } = await clients.cart.call('getCart', { cartToken: '' })
      return (cart?.lines ?? []).map((l) => ({ productId: l.productId, quantity: l.quantity }))
    },
    async user(id) {
      const { user } = await clients.identity.call('getUser', { id })
      return { email: user?.email ?? '', blocked: user?.status === UserStatus.USER_STATUS_BLOCKED }
    },
    async products(ids) {
      const { products } = await clients.catalog.call('getProducts', { ids })
      return checkCatalogAnswer(ids, products)
    },
    async quote(lines, country, source) {
      try {
        const items = lines.map((l) => ({ weightGrams: l.weightGrams, quantity: l.quantity }))
        const weightGrams = items.reduce((sum, i) => sum + i.weightGrams * i.quantity, 0)
        const { cost } = await clients.shipping.call(
          'quote',
          { weightGrams, destinationCountry: country, items },
          { deadlineMs: clients.quoteDeadlineMs, retry: false },
        )
        return cost
      } catch (err) {
        if (unreachable(err)) return undefined
        if (err instanceof AppError && err.code === 'SHIPPING_TOO_HEAVY') throw asLineError(err, source)
        throw err
      }
    },
    async tokenizeCard(card) {
      const res = await clients.payments.call('tokenizeCard', {
        number: card.number,
        expMonth: card.expMonth,
        expYear: card.expYear,
        cvc: card.cvc,
      })
      return { token: res.token, brand: res.brand, last4: res.last4 }
    },
    async reserve(orderId, lines, ttlSeconds) {
      const res = await clients.inventory.call('reserveStock', { orderId, lines, ttlSeconds })
      return { reservationId: res.reservationId, expiresAt: res.expiresAt }
    },
    async release(orderId) {
      await clients.inventory.call('releaseReservation', { orderId })
    },
  }
}
