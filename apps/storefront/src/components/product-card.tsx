import type { Product } from '../api/types'
import { formatMoney } from '../format'
import { Link } from '../router'

/** A product in a grid: its image (loaded when it scrolls near), name and price, linking to its page. */
export function ProductCard({ product }: { product: Product }) {
  return (
    <li className="product-card">
      <Link to={`/products/${product.id}`}>
        <img src={product.imageUrl} alt="" width="320" height="240" loading="lazy" decoding="async" />
        <span className="product-name">{product.name}</span>
        <span className="price">{formatMoney(product.price)}</span>
      </Link>
    </li>
  )
}

export function ProductGrid({ products, label }: { products: Product[]; label?: string }) {
  return (
    <ul className="product-grid" aria-label={label}>
      {products.map((p) => (
        <ProductCard key={p.id} product={p} />
      ))}
    </ul>
  )
}
