import type { ServiceClient } from '@microshop/chassis'
import type { CatalogServiceService } from '@microshop/contracts/catalog/v1/catalog'

export interface ProductInput {
  name: string
  description?: string
  price: { amount: number; currency: string }
  category: string
  imageUrl?: string
  weightGrams?: number
}

const toProduct = (id: string, p: ProductInput) => ({
  id,
  name: p.name,
  description: p.description ?? '',
  price: p.price,
  category: p.category,
  imageUrl: p.imageUrl ?? '',
  weightGrams: p.weightGrams ?? 0,
  updatedAt: '',
})

/** Catalog writes for admins (the caller's token travels with the call). */
export function createAdminCatalog(catalog: ServiceClient<typeof CatalogServiceService>) {
  return {
    async create(id: string | undefined, input: ProductInput) {
      const { product } = await catalog.call(
        'upsertProduct',
        { product: toProduct(id ?? '', input), createOnly: true },
        { retry: false },
      )
      return product!
    },
    async put(id: string, input: ProductInput) {
      const { product, created } = await catalog.call('upsertProduct', {
        product: toProduct(id, input),
        createOnly: false,
      })
      return { product: product!, created }
    },
  }
}

export type AdminCatalog = ReturnType<typeof createAdminCatalog>
