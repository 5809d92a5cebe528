import { clampPageSize, type Db, type Emit } from '@microshop/chassis'
import { CatalogErrors } from '../domain/errors.js'
import { offsetTokens } from '../domain/paging.js'
import {
  hasNul,
  imageUrlFor,
  type Product,
  type ProductSort,
  slugify,
  validateProduct,
} from '../domain/product.js'
import { type CatalogEvent, eventsOfUpsert } from '../domain/product-events.js'
import type { ProductStore } from '../store/product-store.js'

export interface Page {
  products: Product[]
  nextPageToken: string
}

export interface PageInput {
  pageSize: number
  pageToken: string
  category?: string
}

export const MAX_BATCH_IDS = 200
export const MAX_QUERY_LENGTH = 200

export type Catalog = ReturnType<typeof createCatalog>

export interface CatalogDeps {
  db: Db
  store: ProductStore
  maxPageSize: number
  emit: Emit<CatalogEvent>
}

/** The catalog's use cases, each one read or one transaction. */
export function createCatalog(deps: CatalogDeps) {
  const { db, store } = deps

  const paged = async (input: PageInput, fetch: (limit: number, offset: number) => Promise<Product[]>) => {
    const start = offsetTokens.decode(input.pageToken)
    if (!start) throw CatalogErrors.invalidPageToken()
    const offset = start.after ?? 0
    const limit = clampPageSize(input.pageSize, deps.maxPageSize)
    if (input.category !== undefined && hasNul(input.category)) return { products: [], nextPageToken: '' }
    const rows = await fetch(limit, offset)
    const more = rows.length > limit
    return { products: rows.slice(0, limit), nextPageToken: more ? offsetTokens.encode(offset + limit) : '' }
  }

  return {
    listProducts: (input: PageInput & { sort: ProductSort }): Promise<Page> =>
      paged(input, (limit, offset) =>
        store.list(db, { category: input.category, sort: input.sort, limit, offset }),
      ),

    searchProducts(query: string, input: PageInput): Promise<Page> {
      const text = query.trim()
      if (text.length === 0) throw CatalogErrors.invalidQuery('search text is empty')
      if (hasNul(text)) throw CatalogErrors.invalidQuery('search text contains a NUL character')
      if (text.length > MAX_QUERY_LENGTH)
        throw CatalogErrors.invalidQuery(`at most ${MAX_QUERY_LENGTH} characters`)
      return paged(input, (limit, offset) =>
        store.search(db, text, { category: input.category, limit, offset }),
      )
    },

    async getProduct(id: string): Promise<Product> {
      const product = hasNul(id) ? undefined : await store.get(db, id)
      if (!product) throw CatalogErrors.productNotFound(id)
      return product
    },

    /** The products found among ids, in the order asked; unknown ids are left out. */
    async getProducts(ids: string[]): Promise<Product[]> {
      if (ids.length > MAX_BATCH_IDS) throw CatalogErrors.tooManyIds(MAX_BATCH_IDS)
      const asked = [...new Set(ids)].filter((id) => !hasNul(id))
      const found = new Map((await store.getMany(db, asked)).map((p) => [p.id, p]))
      return ids.flatMap((id) => found.get(id) ?? [])
    },

    listCategories: () => store.categories(db),

    /** Creates or replaces a product; an empty id is made from the name; createOnly refuses to replace. */
    async upsertProduct(input: Omit<Product, 'updatedAt'>, opts: { createOnly?: boolean } = {}) {
      const id = input.id || slugify(input.name)
      const product = { ...input, id, name: input.name.trim(), imageUrl: input.imageUrl || imageUrlFor(id) }
      const errors = validateProduct(product, await store.categoryIds(db))
      if (errors.length > 0) throw CatalogErrors.invalidProduct(errors)
      return db.tx(async (tx) => {
        const previousPrice = await store.lockPrice(tx, product.id)
        if (opts.createOnly && previousPrice) throw CatalogErrors.productExists(product.id)
        const result = await store.upsert(tx, product)
        await deps.emit(tx, eventsOfUpsert(previousPrice, result.product, result.created))
        return result
      })
    },
  }
}
