import { catalog } from '../api/shop'
import { LoadState, Page } from '../components/page'
import { ProductGrid } from '../components/product-card'
import { Link } from '../router'
import { useLoad } from '../use-load'

const FEATURED = 8

/** The front page: every category, and the newest products. */
export function HomePage() {
  const categories = useLoad((signal) => catalog.categories(signal), [])
  const featured = useLoad((signal) => catalog.products({ sort: 'newest', pageSize: FEATURED }, signal), [])
  return (
    <Page title="" heading="Good things for home, kitchen and the road">
      <section aria-labelledby="categories-heading">
        <h2 id="categories-heading">Shop by category</h2>
        <LoadState loading={categories.loading} error={categories.error} retry={categories.reload} />
        {categories.data && (
          <ul className="category-list">
            {categories.data.items.map((c) => (
              <li key={c.id}>
                <Link to={`/category/${c.id}`}>
                  <span>{c.name}</span>
                  <span className="count">{c.productCount} products</span>
                </Link>
              </li>
            ))}
            <li>
              <Link to="/products">
                <span>All products</span>
                <span className="count">
                  {categories.data.items.reduce((n, c) => n + c.productCount, 0)} products
                </span>
              </Link>
            </li>
          </ul>
        )}
      </section>
      <section aria-labelledby="featured-heading">
        <h2 id="featured-heading">New in</h2>
        <LoadState loading={featured.loading} error={featured.error} retry={featured.reload} />
        {featured.data && <ProductGrid products={featured.data.items} label="New in" />}
      </section>
    </Page>
  )
}
