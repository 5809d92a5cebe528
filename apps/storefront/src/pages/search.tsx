import { useState } from 'react'
import { ApiError } from '../api/http'
import { catalog } from '../api/shop'
import type { Product } from '../api/types'
import { Alert } from '../components/fields'
import { LoadState, Page } from '../components/page'
import { ProductGrid } from '../components/product-card'
import { Link, usePlace } from '../router'
import { useLoad } from '../use-load'

const PAGE_SIZE = 12

/** Results of the header's search box, as the person types (the box debounces). */
export function SearchPage() {
  const q = (usePlace().query.get('q') ?? '').trim()
  const first = useLoad(
    (signal) => (q ? catalog.search({ q, pageSize: PAGE_SIZE }, signal) : Promise.resolve(undefined)),
    [q],
  )
  const [more, setMore] = useState<{ q: string; items: Product[]; next?: string }>({ q: '', items: [] })
  const [moreError, setMoreError] = useState<string>()
  const extra = more.q === q ? more : { q, items: [], next: undefined }
  const next = extra.items.length > 0 ? extra.next : first.data?.nextPageToken
  const results = [...(first.data?.items ?? []), ...extra.items]

  const loadMore = async () => {
    if (!next) return
    try {
      const page = await catalog.search({ q, pageSize: PAGE_SIZE, pageToken: next })
      setMore({ q, items: [...extra.items, ...page.items], next: page.nextPageToken })
      setMoreError(undefined)
    } catch (err) {
      setMoreError(err instanceof ApiError ? err.message : String(err))
    }
  }

  return (
    <Page title={q ? `Search: ${q}` : 'Search'} heading={q ? `Results for “${q}”` : 'Search'}>
      {!q && <p>Type in the search box above: results appear as you type.</p>}
      <LoadState
        loading={Boolean(q) && first.loading && !first.data}
        error={first.error}
        retry={first.reload}
      />
      {q && first.data && (
        <p role="status" className="count">
          {results.length === 0
            ? `No products match “${q}”.`
            : `${results.length}${next ? '+' : ''} ${results.length === 1 ? 'product' : 'products'} found`}
        </p>
      )}
      {q && first.data && results.length === 0 && (
        <div className="no-results">
          <p>Check the spelling, try a shorter word, or browse a category from the home page.</p>
          <Link to="/">Browse all categories</Link>
        </div>
      )}
      {results.length > 0 && <ProductGrid products={results} label="Search results" />}
      {next && (
        <button type="button" className="more" onClick={() => void loadMore()}>
          More results
        </button>
      )}
      <Alert>{moreError}</Alert>
    </Page>
  )
}
