import type { Queryable, Tx } from '@microshop/chassis'
import type { Category, Money, Product, ProductSort } from '../domain/product.js'

interface ProductRow {
  id: string
  name: string
  description: string
  price_amount: number
  price_currency: string
  category_id: string
  image_url: string
  weight_grams: number
  updated_at: Date
}

const toProduct = (r: ProductRow): Product => ({
  id: r.id,
  name: r.name,
  description: r.description,
  price: { amount: r.price_amount, currency: r.price_currency.trim() },
  category: r.category_id,
  imageUrl: r.image_url,
  weightGrams: r.weight_grams,
  updatedAt: r.updated_at.toISOString(),
})

const ORDER_BY: Record<ProductSort, string> = {
  name: 'name asc, id asc',
  price_asc: 'price_amount asc, id asc',
  price_desc: 'price_amount desc, id asc',
  newest: 'created_at desc, id asc',
}

/** LIKE needs its wildcards escaped to match them literally. */
const likePattern = (text: string) => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`

export interface PageQuery {
  category?: string
  sort: ProductSort
  limit: number
  offset: number
}

export type ProductStore = typeof productStore

/** SQL for products and categories; each method runs where it is told: reads anywhere, writes in a transaction. */
export const productStore = {
  /** One more row than asked tells whether another page follows. */
  async list(db: Queryable, q: PageQuery): Promise<Product[]> {
    const { rows } = await db.query<ProductRow>(
      `select * from products where ($1::text is null or category_id = $1)
         order by ${ORDER_BY[q.sort]} limit $2 offset $3`,
      [q.category ?? null, q.limit + 1, q.offset],
    )
    return rows.map(toProduct)
  },

  async search(db: Queryable, text: string, q: Omit<PageQuery, 'sort'>): Promise<Product[]> {
    const { rows } = await db.query<ProductRow>(
      `select p.*, ts_rank(p.search, query) as rank
           from products p, websearch_to_tsquery('catalog_search', $1) query
          where (p.search @@ query or unaccent(p.name || ' ' || p.description) ilike unaccent($2) or p.category_id = lower($1))
            and ($3::text is null or p.category_id = $3)
          order by (p.search @@ query) desc, rank desc, p.name asc, p.id asc
          limit $4 offset $5`,
      [text, likePattern(text), q.category ?? null, q.limit + 1, q.offset],
    )
    return rows.map(toProduct)
  },

  async get(db: Queryable, id: string): Promise<Product | undefined> {
    const { rows } = await db.query<ProductRow>('select * from products where id = $1', [id])
    return rows[0] ? toProduct(rows[0]) : undefined
  },

  async getMany(db: Queryable, ids: string[]): Promise<Product[]> {
    const { rows } = await db.query<ProductRow>('select * from products where id = any($1::text[])', [ids])
    return rows.map(toProduct)
  },

  async categories(db: Queryable): Promise<Category[]> {
    const { rows } = await db.query<{ id: string; name: string; product_count: number }>(
      `select c.id, c.name, count(p.id) as product_count
           from categories c left join products p on p.category_id = c.id
          group by c.id order by c.position, c.name`,
    )
    return rows.map((r) => ({ id: r.id, name: r.name, productCount: r.product_count }))
  },

  async categoryIds(db: Queryable): Promise<Set<string>> {
    const { rows } = await db.query<{ id: string }>('select id from categories')
    return new Set(rows.map((r) => r.id))
  },

  /** The product's price, locked until the transaction ends; undefined when there is no such product. */
  async lockPrice(tx: Tx, id: string): Promise<Money | undefined> {
    const { rows } = await tx.query<Pick<ProductRow, 'price_amount' | 'price_currency'>>(
      'select price_amount, price_currency from products where id = $1 for update',
      [id],
    )
    return rows[0] ? { amount: rows[0].price_amount, currency: rows[0].price_currency.trim() } : undefined
  },

  /** Inserts or replaces; `created` tells which. */
  async upsert(tx: Tx, p: Omit<Product, 'updatedAt'>): Promise<{ product: Product; created: boolean }> {
    const { rows } = await tx.query<ProductRow & { created: boolean }>(
      `insert into products (id, name, description, price_amount, price_currency, category_id, image_url, weight_grams)
         values ($1, $2, $3, $4, $5, $6, $7, $8)
         on conflict (id) do update set name = excluded.name, description = excluded.description,
           price_amount = excluded.price_amount, price_currency = excluded.price_currency,
           category_id = excluded.category_id, image_url = excluded.image_url,
           weight_grams = excluded.weight_grams, updated_at = now()
         returning *, (xmax = 0) as created`,
      [p.id, p.name, p.description, p.price.amount, p.price.currency, p.category, p.imageUrl, p.weightGrams],
    )
    const row = rows[0]!
    return { product: toProduct(row), created: row.created }
  },

  async isEmpty(db: Queryable): Promise<boolean> {
    const { rows } = await db.query('select 1 from products limit 1')
    return rows.length === 0
  },

  /** Seeds categories and products in one transaction; rows already there are left as they are. */
  async seed(
    tx: Tx,
    categories: { id: string; name: string }[],
    products: Omit<Product, 'updatedAt'>[],
  ): Promise<void> {
    for (const [position, c] of categories.entries())
      await tx.query(
        'insert into categories (id, name, position) values ($1, $2, $3) on conflict do nothing',
        [c.id, c.name, position],
      )
    // one statement for all products: staggered created_at gives "newest" a stable, meaningful order
    await tx.query(
      `insert into products (id, name, description, price_amount, price_currency, category_id, image_url,
                                 weight_grams, created_at)
           select p.id, p.name, p.description, p.price_amount, 'USD', p.category_id, p.image_url, p.weight_grams,
                  now() - make_interval(mins => p.ord::int)
             from jsonb_to_recordset($1::jsonb) as p(id text, name text, description text, price_amount bigint,
                  category_id text, image_url text, weight_grams int, ord int)
           on conflict do nothing`,
      [
        JSON.stringify(
          products.map((p, ord) => ({
            id: p.id,
            name: p.name,
            description: p.description,
            price_amount: p.price.amount,
            category_id: p.category,
            image_url: p.imageUrl,
            weight_grams: p.weightGrams,
            ord,
          })),
        ),
      ],
    )
  },
}
