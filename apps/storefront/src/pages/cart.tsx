import { useEffect, useState } from 'react'
import { ApiError } from '../api/http'
import type { CartLine } from '../api/types'
import { Alert, Field } from '../components/fields'
import { LoadState, Page } from '../components/page'
import { formatMoney, items } from '../format'
import { Link } from '../router'
import { cartStore, removeFromCart, setQuantity } from '../state/cart'
import { sessionStore } from '../state/session'
import { useStore } from '../state/store'

function LineRow({ line }: { line: CartLine }) {
  const [typed, setTyped] = useState(String(line.quantity))
  const [error, setError] = useState<string>()
  const [busy, setBusy] = useState(false)
  useEffect(() => setTyped(String(line.quantity)), [line.quantity])

  const run = async (work: () => Promise<unknown>) => {
    setBusy(true)
    setError(undefined)
    try {
      await work()
    } catch (err) {
      setError(err instanceof ApiError ? (err.fields.quantity ?? err.message) : String(err))
    } finally {
      setBusy(false)
    }
  }

  const update = () => {
    const quantity = Number(typed)
    if (typed.trim() === '' || !Number.isInteger(quantity) || quantity < 1) {
      setError('Enter a whole number from 1, or remove the item')
      return
    }
    if (quantity !== line.quantity) void run(() => setQuantity(line.productId, quantity))
  }

  return (
    <li className="cart-line">
      <img src={line.imageUrl} alt="" width="96" height="72" loading="lazy" decoding="async" />
      <div className="cart-line-info">
        <Link to={`/products/${line.productId}`}>{line.name}</Link>
        <span className="muted">{formatMoney(line.unitPrice)} each</span>
        {!line.available && <span className="availability-out">No longer sold</span>}
      </div>
      <form
        className="cart-line-quantity"
        noValidate
        onSubmit={(e) => {
          e.preventDefault()
          update()
        }}
      >
        <Field
          label={`Quantity of ${line.name}`}
          type="number"
          inputMode="numeric"
          min={1}
          value={typed}
          onChange={(e) => setTyped(e.target.value)}
          onBlur={update}
          error={error}
          className="quantity"
        />
        <button type="submit" disabled={busy}>
          Update
        </button>
        <button type="button" disabled={busy} onClick={() => void run(() => removeFromCart(line.productId))}>
          Remove <span className="visually-hidden">{line.name}</span>
        </button>
      </form>
      <span className="price line-total">{formatMoney(line.lineTotal)}</span>
    </li>
  )
}

/** The cart, signed in or not: quantities, removal, subtotal, and the way to checkout. */
export function CartPage() {
  const { cart, loaded } = useStore(cartStore)
  const signedIn = Boolean(useStore(sessionStore).session)
  return (
    <Page title="Your cart">
      <LoadState loading={!loaded} />
      {loaded && cart.lines.length === 0 && (
        <p>
          Your cart is empty. <Link to="/">Find something you like</Link>.
        </p>
      )}
      {cart.lines.length > 0 && (
        <>
          <ul className="cart-lines" aria-label="Items in your cart">
            {cart.lines.map((line) => (
              <LineRow key={line.productId} line={line} />
            ))}
          </ul>
          <div className="cart-summary">
            <p>
              Subtotal ({items(cart.itemCount)}):{' '}
              <strong className="price">{formatMoney(cart.subtotal)}</strong>
            </p>
            <p className="muted">Shipping is priced at checkout.</p>
            {!signedIn && (
              <Alert tone="info">You will sign in or sign up at checkout; your cart comes along.</Alert>
            )}
            <Link className="button primary" to="/checkout">
              Checkout
            </Link>
          </div>
        </>
      )}
    </Page>
  )
}
