import type { AppError } from '@microshop/chassis'
import { expectFailure } from '@microshop/chassis/testing'
import type { Cart } from '@microshop/contracts/cart/v1/cart'
import type { Product } from '@microshop/contracts/catalog/v1/catalog'
import { expect } from 'vitest'
import type { TestCatalog } from '../../../test-support/catalog.js'

/** Products made for one test, in the catalog, priced `amount` cents each unless told otherwise. */
export async function createProducts(catalog: TestCatalog, prefix: string, count: number, amount = 1_000) {
  const products = Array.from(
    { length: count },
    (_, i): Product => ({
      id: `${prefix}-${i + 1}`,
      name: `${prefix} item ${i + 1}`,
      description: 'made for a cart test',
      price: { amount, currency: 'USD' },
      category: 'home',
      imageUrl: '',
      weightGrams: 100,
      updatedAt: '',
    }),
  )
  for (const product of products) await catalog.client.call('upsertProduct', { product, createOnly: false })
  return products.map((p) => p.id)
}

/** The line quantities of a cart by product id. */
export const quantities = (cart: Cart | undefined) =>
  Object.fromEntries((cart?.lines ?? []).map((l) => [l.productId, l.quantity]))

/** The shared `expectFailure`, checking the kind and code, plus the field the error must name. */
export async function expectFieldFailure(
  call: Promise<unknown>,
  expected: { kind: AppError['kind']; code: string },
  field: string,
) {
  const err = await expectFailure(call, expected)
  expect(err.fields.map((f) => f.field)).toContain(field)
  return err
}
