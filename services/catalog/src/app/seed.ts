import type { Db, Logger } from '@microshop/chassis'
import { imageUrlFor } from '../domain/product.js'
import type { ProductStore } from '../store/product-store.js'
import { seedCategories, seedProducts } from '../store/seed-data.js'

/** Fills an empty catalog with the demo products; a catalog with products is left alone. */
export async function seedCatalog(db: Db, store: ProductStore, log: Logger): Promise<void> {
  if (!(await store.isEmpty(db))) return
  await db.tx((tx) =>
    store.seed(
      tx,
      [...seedCategories],
      seedProducts.map((p) => ({
        id: p.id,
        name: p.name,
        description: p.description,
        price: { amount: p.priceCents, currency: 'USD' },
        category: p.category,
        imageUrl: imageUrlFor(p.id),
        weightGrams: p.weightGrams,
      })),
    ),
  )
  log.info({ products: seedProducts.length, categories: seedCategories.length }, 'catalog seeded')
}
