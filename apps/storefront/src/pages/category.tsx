import { catalog } from '../api/shop'
import type { Sort } from '../api/types'
import { SelectField } from '../components/fields'
import { LoadState, Page } from '../components/page'
import { ProductGrid } from '../components/product-card'
import { navigate, usePlace } from '../router'
import { useLoad } from '../use-load'

const PAGE_SIZE = 12
const SORTS: { value: Sort; label: string }[] = [
  { value: 'name', label: 'Name' },
  { value: 'price_asc', label: 'Price: low to high' },
  { value: 'price_desc', label: 'Price: high to low' },
  { value: 'newest', label: 'Newest' },
]
const isSort = (s: string | null): s is Sort => SORTS.some((o) => o.value === s)

/** The pages before this one, kept in history.state: the API pages forward only, by token. */
const earlierPages = (state: unknown): string[] =>
  Array.isArray((state as { earlier?: unknown } | null)?.earlier)
    ? (state as { earlier: string[] }).earlier
    : []

/** One category's products, or every product (no id), sorted as asked, a page at a time. */
export function CategoryPage({ id }: { id?: string }) {
  const place = usePlace()
  const sortParam = place.query.get('sort')
  const sort: Sort = isSort(sortParam) ? sortParam : 'name'
  const pageToken = place.query.get('page') ?? ''
  const earlier = earlierPages(place.state)

  const categories = useLoad((signal) => catalog.categories(signal), [])
  const products = useLoad(
    (signal) => catalog.products({ category: id, sort, pageSize: PAGE_SIZE, pageToken }, signal),
    [id, sort, pageToken],
  )
  const category = categories.data?.items.find((c) => c.id === id)
  const productCount = id
    ? category?.productCount
    : categories.data?.items.reduce((n, c) => n + c.productCount, 0)
  const name = id ? (category?.name ?? (categories.loading ? '' : id)) : 'All products'

  const url = (token: string, s: Sort = sort) =>
    `${id ? `/category/${id}` : '/products'}?sort=${s}${token ? `&page=${encodeURIComponent(token)}` : ''}`
  const pageNumber = earlier.length + 1
  const pages = productCount !== undefined ? Math.max(1, Math.ceil(productCount / PAGE_SIZE)) : undefined
  const paged = earlier.length > 0 || Boolean(products.data?.nextPageToken)

  return (
    <Page title={name || 'Category'} heading={name || 'Category'}>
      <div className="toolbar">
        <SelectField
          label="Sort by"
          value={sort}
          onChange={(e) => navigate(url('', e.target.value as Sort), { replace: true })}
        >
          {SORTS.map((s) => (
            <option key={s.value} value={s.value}>
              {s.label}
            </option>
          ))}
        </SelectField>
        {productCount !== undefined && <p className="count">{productCount} products</p>}
      </div>
      <LoadState
        loading={products.loading && !products.data}
        error={products.error}
        retry={products.reload}
      />
      {products.data && products.data.items.length === 0 && <p>No products in this category yet.</p>}
      {products.data && <ProductGrid products={products.data.items} label={`${name} products`} />}
      {paged && (
        <nav className="pager" aria-label="Pages">
          <button
            type="button"
            disabled={earlier.length === 0}
            onClick={() => navigate(url(earlier.at(-1) ?? ''), { state: { earlier: earlier.slice(0, -1) } })}
          >
            Previous page
          </button>
          <span aria-live="polite">
            Page {pageNumber}
            {pages ? ` of ${pages}` : ''}
          </span>
          <button
            type="button"
            disabled={!products.data?.nextPageToken}
            onClick={() =>
              navigate(url(products.data?.nextPageToken ?? ''), {
                state: { earlier: [...earlier, pageToken] },
              })
            }
          >
            Next page
          </button>
        </nav>
      )}
    </Page>
  )
}
