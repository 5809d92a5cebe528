import { type FormEvent, useState } from 'react'
import { ApiError } from '../api/http'
import { catalog } from '../api/shop'
import type { Availability } from '../api/types'
import { Alert, Field } from '../components/fields'
import { LoadState, Page } from '../components/page'
import { ProductGrid } from '../components/product-card'
import { formatMoney } from '../format'
import { Link } from '../router'
import { addToCart } from '../state/cart'
import { useLoad } from '../use-load'

const FEW_LEFT = 5

function availabilityText(a: Availability | null): { text: string; tone: string } {
  if (!a) return { text: 'Availability unknown right now', tone: 'unknown' }
  if (!a.inStock || a.available <= 0) return { text: 'Out of stock', tone: 'out' }
  if (a.available <= FEW_LEFT) return { text: `Only ${a.available} left`, tone: 'few' }
  return { text: 'In stock', tone: 'in' }
}

/** One product: image, price, availability, add to cart, and others of its category. */
export function ProductPage({ id }: { id: string }) {
  const product = useLoad((signal) => catalog.product(id, signal), [id])
  const [quantity, setQuantity] = useState('1')
  const [errors, setErrors] = useState<Record<string, string>>({})
  const [message, setMessage] = useState<{ tone: 'error' | 'info'; text: string }>()
  const [adding, setAdding] = useState(false)
  const p = product.data

  if (!p)
    return (
      <Page title={product.error?.status === 404 ? 'Not found' : 'Product'}>
        {product.error?.status === 404 ? (
          <p>
            There is no such product. <Link to="/">Back to the shop</Link>
          </p>
        ) : (
          <LoadState loading={product.loading} error={product.error} retry={product.reload} />
        )}
      </Page>
    )

  const availability = availabilityText(p.availability)
  const soldOut = availability.tone === 'out'

  const add = async (e: FormEvent) => {
    e.preventDefault()
    if (adding) return
    setAdding(true)
    setErrors({})
    setMessage(undefined)
    try {
      const cart = await addToCart(p.id, Number(quantity))
      const line = cart.lines.find((l) => l.productId === p.id)
      setMessage({ tone: 'info', text: `Added to your cart (${line?.quantity ?? quantity} in cart).` })
      product.reload()
    } catch (err) {
      const apiError = err instanceof ApiError ? err : undefined
      setErrors(apiError?.fields ?? {})
      if (!apiError?.fields.quantity) setMessage({ tone: 'error', text: apiError?.message ?? String(err) })
    } finally {
      setAdding(false)
    }
  }

  return (
    <Page title={p.name} className="product-page">
      <div className="product-layout">
        <img
          className="product-image"
          src={p.imageUrl}
          alt={p.name}
          width="640"
          height="480"
          loading="lazy"
          decoding="async"
        />
        <div className="product-info">
          <p className="price price-large">{formatMoney(p.price)}</p>
          <p className={`availability availability-${availability.tone}`}>{availability.text}</p>
          <p>{p.description}</p>
          {p.weightGrams ? <p className="muted">Weight: {(p.weightGrams / 1000).toFixed(2)} kg</p> : null}
          <form className="add-to-cart" onSubmit={add} noValidate>
            <Field
              label="Quantity"
              type="number"
              inputMode="numeric"
              min={1}
              value={quantity}
              onChange={(e) => setQuantity(e.target.value)}
              error={errors.quantity}
              disabled={soldOut}
              className="quantity"
            />
            <button type="submit" className="primary" disabled={soldOut || adding}>
              {soldOut ? 'Out of stock' : 'Add to cart'}
            </button>
          </form>
          {message && <Alert tone={message.tone}>{message.text}</Alert>}
          {message?.tone === 'info' && <Link to="/cart">Go to your cart</Link>}
        </div>
      </div>
      {p.related.length > 0 && (
        <section aria-labelledby="related-heading">
          <h2 id="related-heading">You may also like</h2>
          <ProductGrid products={p.related} label="Related products" />
        </section>
      )}
    </Page>
  )
}
