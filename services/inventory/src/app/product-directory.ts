import type { ServiceClient } from '@microshop/chassis'
import type { CatalogServiceService } from '@microshop/contracts/catalog/v1/catalog'

/** What the inventory asks the catalog: which products exist. */
export interface ProductDirectory {
  /** Every product id in the catalog, page by page. */
  allProductIds(): Promise<string[]>
  exists(productId: string): Promise<boolean>
}

const PAGE_SIZE = 100

export function createCatalogDirectory(
  catalog: ServiceClient<typeof CatalogServiceService>,
): ProductDirectory {
  return {
    async allProductIds() {
      const ids: string[] = []
      let pageToken = ''
      do {
        const page = await catalog.call('listProducts', {
          page: { pageSize: PAGE_SIZE, pageToken },
          category: '',
          sort: 0,
        })
        ids.push(...page.products.map((p) => p.id))
        pageToken = page.nextPageToken
      } while (pageToken !== '')
      return ids
    },
    async exists(productId) {
      const { products } = await catalog.call('getProducts', { ids: [productId] })
      return products.some((p) => p.id === productId)
    },
  }
}
