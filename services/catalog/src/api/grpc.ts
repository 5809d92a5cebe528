import { CommonErrors, type Handlers, requireRole } from '@microshop/chassis'
import {
  type CatalogServiceService,
  type Product as ProductMessage,
  ProductSort as ProductSortMessage,
} from '@microshop/contracts/catalog/v1/catalog'
import type { Catalog } from '../app/catalog.js'
import type { Product, ProductSort } from '../domain/product.js'

const SORTS: Record<number, ProductSort> = {
  [ProductSortMessage.PRODUCT_SORT_UNSPECIFIED]: 'name',
  [ProductSortMessage.PRODUCT_SORT_NAME]: 'name',
  [ProductSortMessage.PRODUCT_SORT_PRICE_ASC]: 'price_asc',
  [ProductSortMessage.PRODUCT_SORT_PRICE_DESC]: 'price_desc',
  [ProductSortMessage.PRODUCT_SORT_NEWEST]: 'newest',
}

const toMessage = (p: Product): ProductMessage => p

function sortOf(sort: ProductSortMessage): ProductSort {
  const found = SORTS[sort]
  if (!found)
    throw CommonErrors.invalid('unknown sort order', [{ field: 'sort', message: 'unknown sort order' }])
  return found
}

/** gRPC handlers: read the request, call the use case, shape the response. */
export function createCatalogHandlers(catalog: Catalog): Handlers<typeof CatalogServiceService> {
  return {
    async listProducts(req) {
      const page = await catalog.listProducts({
        pageSize: req.page?.pageSize ?? 0,
        pageToken: req.page?.pageToken ?? '',
        category: req.category || undefined,
        sort: sortOf(req.sort),
      })
      return { products: page.products.map(toMessage), nextPageToken: page.nextPageToken }
    },
    async searchProducts(req) {
      const page = await catalog.searchProducts(req.query, {
        pageSize: req.page?.pageSize ?? 0,
        pageToken: req.page?.pageToken ?? '',
        category: req.category || undefined,
      })
      return { products: page.products.map(toMessage), nextPageToken: page.nextPageToken }
    },
    async getProduct(req) {
      return { product: toMessage(await catalog.getProduct(req.id)) }
    },
    async getProducts(req) {
      return { products: (await catalog.getProducts(req.ids)).map(toMessage) }
    },
    async listCategories() {
      return { categories: await catalog.listCategories() }
    },
    async upsertProduct(req, ctx) {
      // only the gateway may call it (the call policy), and only for an admin (checked here, before anything)
      requireRole(await ctx.requireCaller(), 'admin')
      const p = req.product
      if (!p) throw CommonErrors.invalid('product is required', [{ field: 'product', message: 'required' }])
      const { product, created } = await catalog.upsertProduct(
        {
          id: p.id,
          name: p.name,
          description: p.description,
          price: { amount: p.price?.amount ?? -1, currency: p.price?.currency ?? '' },
          category: p.category,
          imageUrl: p.imageUrl,
          weightGrams: p.weightGrams,
        },
        { createOnly: req.createOnly },
      )
      return { product: toMessage(product), created }
    },
  }
}
