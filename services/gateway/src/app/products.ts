import type { ServiceClient } from '@microshop/chassis'
import {
  type CatalogServiceService,
  type Product,
  ProductSort,
} from '@microshop/contracts/catalog/v1/catalog'
import type { InventoryServiceService } from '@microshop/contracts/inventory/v1/inventory'
import { createCoalescer } from '../domain/coalesce.js'

export type CatalogClient = ServiceClient<typeof CatalogServiceService>
export type InventoryClient = ServiceClient<typeof InventoryServiceService>

export const SORTS = ['name', 'price_asc', 'price_desc', 'newest'] as const
export type SortParam = (typeof SORTS)[number]
export const MAX_PAGE_SIZE = 100
const RELATED_COUNT = 4

const SORT_TO_PROTO: Record<SortParam, ProductSort> = {
  name: ProductSort.PRODUCT_SORT_NAME,
  price_asc: ProductSort.PRODUCT_SORT_PRICE_ASC,
  price_desc: ProductSort.PRODUCT_SORT_PRICE_DESC,
  newest: ProductSort.PRODUCT_SORT_NEWEST,
}

export interface ProductQuery {
  q?: string
  category?: string
  sort?: SortParam
  pageSize?: number
  pageToken?: string
}

export interface Availability {
  available: number
  inStock: boolean
}

/** A page as the public API shows it: `items` and, when more follow, `nextPageToken`. */
const toPage = (r: { products: Product[]; nextPageToken: string }) => ({
  items: r.products,
  ...(r.nextPageToken ? { nextPageToken: r.nextPageToken } : {}),
})

/** The gateway's read views over the catalog, composed from catalog calls, and stock from inventory. */
export function createProductViews(
  catalog: CatalogClient,
  inventory?: { client: InventoryClient; deadlineMs: number },
) {
  const readingStock = createCoalescer<Availability | null>()
  const readAvailability = async (id: string): Promise<Availability | null> => {
    if (!inventory) return null
    try {
      const { levels } = await inventory.client.call(
        'getAvailability',
        { productIds: [id] },
        { deadlineMs: inventory.deadlineMs },
      )
      const available = Math.max(0, levels.find((l) => l.productId === id)?.available ?? 0)
      return { available, inStock: available > 0 }
    } catch {
      return null
    }
  }

  return {
    async list(query: ProductQuery) {
      const page = {
        pageSize: Math.min(query.pageSize ?? 20, MAX_PAGE_SIZE),
        pageToken: query.pageToken ?? '',
      }
      const q = query.q?.trim()
      if (q)
        return toPage(
          await catalog.call('searchProducts', { query: q, page, category: query.category ?? '' }),
        )
      return toPage(
        await catalog.call('listProducts', {
          page,
          category: query.category ?? '',
          sort: SORT_TO_PROTO[query.sort ?? 'name'],
        }),
      )
    },

    /** One product with others of its category, in one round trip for the client. */
    async detail(id: string) {
      const { product } = await catalog.call('getProduct', { id })
      const p = product!
      // the product alone is still worth showing when its neighbours cannot be had
      const related = await catalog
        .call('listProducts', {
          page: { pageSize: RELATED_COUNT + 1, pageToken: '' },
          category: p.category,
          sort: ProductSort.PRODUCT_SORT_NEWEST,
        })
        .then((r) => r.products.filter((r) => r.id !== id).slice(0, RELATED_COUNT))
        .catch(() => [])
      return { ...p, related }
    },

    /**
     * What can be ordered now; null when inventory cannot say (the page is still worth showing). Requests
     * for a product that arrive while its read is on the way share that read: never older than one round
     * trip, where clients may keep the answer for seconds (Cache-Control), and one call to inventory for a
     * hot product instead of one per request.
     */
    availability: (id: string): Promise<Availability | null> =>
      readingStock.run(id, () => readAvailability(id)),

    async categories() {
      const { categories } = await catalog.call('listCategories', {})
      return { items: categories }
    },
  }
}

export type ProductViews = ReturnType<typeof createProductViews>
