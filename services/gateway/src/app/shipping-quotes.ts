import { AppError } from '@microshop/chassis'
import type { Money } from '@microshop/contracts/common/v1/common'
import type { CartClient } from './accounts.js'
import type { ShippingClient } from './orders.js'
import type { CatalogClient } from './products.js'

const ZERO: Money = { amount: 0, currency: 'USD' }

/** Shipping's refusal in the caller's words: `items[i]` are the lines, `destinationCountry` is `country`. */
function asLineError(err: AppError, lines: readonly { field: string }[]): AppError {
  if (err.fields.length === 0) return err
  const fields = err.fields.map((f) => {
    const item = /^items\[(\d+)\]/.exec(f.field)
    const line = item ? lines[Number(item[1])] : undefined
    if (line) return { field: `${line.field}.productId`, message: f.message }
    if (f.field === 'destinationCountry') return { field: 'country', message: f.message }
    return { field: f.field === 'items' ? 'lines' : f.field, message: f.message }
  })
  return new AppError(err.kind, err.code, err.message, { fields, cause: err })
}

export interface QuoteInput {
  country: string
  /** Without lines, the caller's cart. */
  lines?: { productId: string; quantity: number }[]
}

/**
 * What shipping an order will cost, parcel by parcel, before it is placed: the lines (or the caller's cart)
 * weighed by the catalog, packed and priced by shipping, as orders will price them at checkout.
 */
export function createShippingQuotes(deps: {
  cart: CartClient
  catalog: CatalogClient
  shipping: ShippingClient
}) {
  return {
    async quote(cartToken: string, input: QuoteInput) {
      // each line with the field that names it: the body's lines, or the cart's as GET /api/cart numbers them
      const lines = input.lines
        ? input.lines.map((l, i) => ({ ...l, field: `lines[${i}]` }))
        : ((await deps.cart.call('getCart', { cartToken })).cart?.lines ?? []).flatMap((l, i) =>
            l.available ? [{ productId: l.productId, quantity: l.quantity, field: `cart.lines[${i}]` }] : [],
          )
      if (lines.length === 0)
        throw new AppError(
          'invalid_argument',
          'SHIPPING_NOTHING_TO_SHIP',
          'the cart is empty: add a product first',
          {
            fields: [{ field: 'lines', message: 'nothing to ship' }],
          },
        )
      const { products } = await deps.catalog.call('getProducts', { ids: lines.map((l) => l.productId) })
      const weights = new Map(products.map((p) => [p.id, p.weightGrams]))
      const items = lines.map((l) => {
        const weightGrams = weights.get(l.productId)
        if (weightGrams === undefined)
          throw new AppError('not_found', 'CATALOG_PRODUCT_NOT_FOUND', `no product "${l.productId}"`, {
            fields: [{ field: `${l.field}.productId`, message: 'not in the catalog' }],
          })
        return { weightGrams, quantity: l.quantity }
      })
      const q = await deps.shipping
        .call('quote', {
          weightGrams: items.reduce((sum, i) => sum + i.weightGrams * i.quantity, 0),
          destinationCountry: input.country,
          items,
        })
        .catch((err: unknown) => {
          throw err instanceof AppError ? asLineError(err, lines) : err
        })
      return {
        cost: q.cost ?? ZERO,
        carrier: q.carrier,
        estimatedDays: q.estimatedDays,
        parcels: q.parcels.map((p) => ({
          number: p.number,
          weightGrams: p.weightGrams,
          cost: p.cost ?? ZERO,
          estimatedDays: p.estimatedDays,
        })),
      }
    },
  }
}

export type ShippingQuotes = ReturnType<typeof createShippingQuotes>
