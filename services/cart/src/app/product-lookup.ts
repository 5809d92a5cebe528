import type { ServiceClient } from '@microshop/chassis'
import type { CatalogServiceService } from '@microshop/contracts/catalog/v1/catalog'
import type { ProductSnapshot } from '../domain/pricing.js'

/** Current product data; fails with the chassis' UNAVAILABLE error when the catalog cannot be reached. */
export interface ProductLookup {
  /** The products found among ids; unknown ids are left out. */
  getProducts(ids: string[]): Promise<ProductSnapshot[]>
}

export function createCatalogLookup(catalog: ServiceClient<typeof CatalogServiceService>): ProductLookup {
  return {
    async getProducts(ids) {
      const { products } = await catalog.call('getProducts', { ids })
      return products.flatMap((p) =>
        p.price ? [{ id: p.id, name: p.name, price: { ...p.price }, imageUrl: p.imageUrl }] : [],
      )
    },
  }
}
