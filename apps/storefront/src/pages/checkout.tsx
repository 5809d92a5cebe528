import { type FormEvent, useRef, useState } from 'react'
import { ApiError } from '../api/http'
import { account, checkout } from '../api/shop'
import type { Address, Card, Line, Money, PostalAddress } from '../api/types'
import { type Attempt, attemptFor, fingerprintOf } from '../checkout-attempt'
import { AddressFields, addressLines, cleanAddress, EMPTY_ADDRESS } from '../components/address-fields'
import { Alert, Field } from '../components/fields'
import { LoadState, Page } from '../components/page'
import { formatMoney, items } from '../format'
import { Link, navigate } from '../router'
import { cartStore, loadCart } from '../state/cart'
import { sessionStore, setUser } from '../state/session'
import { useStore } from '../state/store'
import { useLoad } from '../use-load'

/** The payment provider's test cards, one click each. */
export const TEST_CARDS = [
  { number: '4242 4242 4242 4242', outcome: 'payment succeeds' },
  { number: '4000 0000 0000 0002', outcome: 'card is declined' },
  { number: '4100 0000 0000 0019', outcome: 'blocked as fraud' },
  { number: '4000 0000 0000 0077', outcome: 'slow provider' },
] as const

const NEW_ADDRESS = 'new'
const IN_FLIGHT_RETRIES = 5

interface CardForm {
  number: string
  expMonth: string
  expYear: string
  cvc: string
}

const EMPTY_CARD: CardForm = { number: '', expMonth: '', expYear: '', cvc: '' }

const cardOf = (c: CardForm): Card => ({
  number: c.number.trim(),
  expMonth: Number(c.expMonth) || 0,
  expYear: Number(c.expYear) || 0,
  cvc: c.cvc.trim(),
})

/** The fields of an address this form checks itself when the card's problems stop the API from seeing it. */
function missingAddressFields(a: PostalAddress): Record<string, string> {
  const missing: Record<string, string> = {}
  for (const key of ['name', 'line1', 'city', 'postalCode'] as const)
    if (!a[key]?.trim()) missing[`shippingAddress.${key}`] = 'Required'
  return missing
}

const LABELS: Record<string, string> = {
  'shippingAddress.name': 'Full name',
  'shippingAddress.line1': 'Address line 1',
  'shippingAddress.line2': 'Address line 2',
  'shippingAddress.city': 'City',
  'shippingAddress.region': 'State or region',
  'shippingAddress.postalCode': 'Postal code',
  'shippingAddress.country': 'Country',
  'shippingAddress.phone': 'Phone',
  card: 'Card',
  'card.number': 'Card number',
  'card.expMonth': 'Expiry month',
  'card.expYear': 'Expiry year',
  'card.cvc': 'CVC',
}

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

function ShippingQuoteView({
  country,
  lines,
  subtotal,
}: {
  country: string
  lines: Line[]
  subtotal: Money
}) {
  const quote = useLoad(() => checkout.quote(country, lines), [country, fingerprintOf(lines)])
  if (quote.error) return <Alert>Shipping cannot be priced: {quote.error.message}</Alert>
  if (!quote.data) return <LoadState loading />
  const q = quote.data
  return (
    <div className="quote" aria-live="polite">
      <p>
        Shipping: <strong>{formatMoney(q.cost)}</strong> with {q.carrier}, about {q.estimatedDays}{' '}
        {q.estimatedDays === 1 ? 'day' : 'days'}
      </p>
      {q.cost.currency === subtotal.currency && (
        <p>
          Total:{' '}
          <strong>
            {formatMoney({ amount: subtotal.amount + q.cost.amount, currency: q.cost.currency })}
          </strong>
        </p>
      )}
      {q.parcels.length > 1 && (
        <>
          <p>Your order ships in {q.parcels.length} parcels:</p>
          <ul className="parcels" aria-label="Parcels">
            {q.parcels.map((p) => (
              <li key={p.number}>
                Parcel {p.number}: {(p.weightGrams / 1000).toFixed(1)} kg, {formatMoney(p.cost)}
              </li>
            ))}
          </ul>
        </>
      )}
    </div>
  )
}

/** Address, card and a review of the cart, then one order per attempt however often it is sent. */
export function CheckoutPage() {
  const { session, user } = useStore(sessionStore)
  const { cart, loaded } = useStore(cartStore)
  const saved: Address[] = user?.addresses ?? []
  const [choice, setChoice] = useState<string>()
  const [address, setAddress] = useState<PostalAddress>({ ...EMPTY_ADDRESS, name: user?.name ?? '' })
  const [saveAddress, setSaveAddress] = useState(true)
  const [card, setCard] = useState<CardForm>(EMPTY_CARD)
  const [errors, setErrors] = useState<Record<string, string>>({})
  const [problem, setProblem] = useState<string>()
  const [placing, setPlacing] = useState(false)
  const attempt = useRef<Attempt | undefined>(undefined)
  const busy = useRef(false)
  const summary = useRef<HTMLDivElement>(null)

  if (!session)
    return (
      <Page title="Checkout" className="narrow">
        <p>Sign in or create an account to check out. Your cart comes with you.</p>
        <p className="actions">
          <Link className="button primary" to="/sign-in?next=/checkout">
            Sign in
          </Link>
          <Link className="button" to="/sign-up?next=/checkout">
            Create an account
          </Link>
        </p>
      </Page>
    )

  const lines: Line[] = cart.lines
    .filter((l) => l.available)
    .map((l) => ({ productId: l.productId, quantity: l.quantity }))
  if (loaded && lines.length === 0)
    return (
      <Page title="Checkout">
        <p>
          Your cart is empty. <Link to="/">Find something you like</Link>.
        </p>
      </Page>
    )

  const savedId = (a: Address, i: number) => a.id ?? `saved-${i}`
  const selected =
    choice ?? (saved.length > 0 ? savedId(saved.find((a) => a.isDefault) ?? saved[0]!, 0) : NEW_ADDRESS)
  const savedChoice = saved.find((a, i) => savedId(a, i) === selected)
  const shipTo: PostalAddress = savedChoice
    ? { ...savedChoice, name: savedChoice.name || user?.name || '' }
    : address

  const fail = (fields: Record<string, string>, text?: string) => {
    setErrors(fields)
    setProblem(text)
    requestAnimationFrame(() => summary.current?.focus())
  }

  const place = async (e: FormEvent) => {
    e.preventDefault()
    // a second click while the first is on its way is the same attempt: it has nothing to add
    if (busy.current) return
    busy.current = true
    setPlacing(true)
    setErrors({})
    setProblem(undefined)
    const shippingAddress = cleanAddress(shipTo)
    const current = attemptFor(attempt.current, { lines, shippingAddress, card: cardOf(card) })
    attempt.current = current
    try {
      if (!current.cardToken) {
        try {
          current.cardToken = (await checkout.tokenize(cardOf(card))).token
        } catch (err) {
          if (err instanceof ApiError && err.status === 400) {
            attempt.current = undefined
            return fail(
              { ...missingAddressFields(shippingAddress), ...err.fields },
              'Check the card details.',
            )
          }
          throw err
        }
      }
      const body = { lines, shippingAddress, payment: { token: current.cardToken } }
      let placed: Awaited<ReturnType<typeof checkout.place>> | undefined
      for (let tries = 0; !placed; tries++) {
        try {
          placed = await checkout.place(current.key, body)
        } catch (err) {
          // the same attempt is still being placed (sent twice): its answer is the one to wait for
          if (err instanceof ApiError && err.status === 409 && tries < IN_FLIGHT_RETRIES)
            await wait(300 * (tries + 1))
          else throw err
        }
      }
      attempt.current = undefined
      const known = user?.addresses.some((a) => addressLines(a) === addressLines(shippingAddress))
      if (!savedChoice && saveAddress && user && !known) {
        const addresses = [...user.addresses, { ...shippingAddress, label: 'Checkout' }]
        void account.update({ addresses }).then(setUser, () => undefined)
      }
      void loadCart().catch(() => undefined)
      navigate(`/orders/${encodeURIComponent(placed.orderId)}?placed=1`)
    } catch (err) {
      if (!(err instanceof ApiError)) return fail({}, String(err))
      // an answer that settled this attempt: the next submission is a new attempt with a new key
      if (!err.outcomeUnknown) attempt.current = undefined
      const text = err.outcomeUnknown
        ? `${err.message}. Press “Place order” again: it is sent as the same order, so nothing is ordered or charged twice.`
        : Object.keys(err.fields).length > 0
          ? 'Check the highlighted fields.'
          : err.message
      fail(err.fields, text)
    } finally {
      busy.current = false
      setPlacing(false)
    }
  }

  const errorList = Object.entries(errors)

  return (
    <Page title="Checkout" className="checkout">
      <form onSubmit={place} noValidate className="checkout-form">
        <div ref={summary} tabIndex={-1} className="error-summary-anchor">
          {(problem || errorList.length > 0) && (
            <Alert>
              <p>{problem ?? 'The order was not placed.'}</p>
              {errorList.length > 0 && (
                <ul>
                  {errorList.map(([field, message]) => (
                    <li key={field}>
                      {LABELS[field] ?? field}: {message}
                    </li>
                  ))}
                </ul>
              )}
            </Alert>
          )}
        </div>

        <fieldset>
          <legend>Shipping address</legend>
          {saved.length > 0 && (
            <div className="choices" role="radiogroup" aria-label="Saved addresses">
              {saved.map((a, i) => (
                <label key={savedId(a, i)} className="choice">
                  <input
                    type="radio"
                    name="address"
                    checked={selected === savedId(a, i)}
                    onChange={() => setChoice(savedId(a, i))}
                  />
                  <span>{addressLines({ ...a, name: a.name || user?.name })}</span>
                </label>
              ))}
              <label className="choice">
                <input
                  type="radio"
                  name="address"
                  checked={selected === NEW_ADDRESS}
                  onChange={() => setChoice(NEW_ADDRESS)}
                />
                <span>A new address</span>
              </label>
            </div>
          )}
          {!savedChoice && (
            <>
              <AddressFields
                value={address}
                onChange={setAddress}
                errors={errors}
                prefix="shippingAddress"
                requireName
              />
              <label className="checkbox">
                <input
                  type="checkbox"
                  checked={saveAddress}
                  onChange={(e) => setSaveAddress(e.target.checked)}
                />
                Save this address to my account
              </label>
            </>
          )}
          {savedChoice && errorList.some(([f]) => f.startsWith('shippingAddress.')) && (
            <Alert>This saved address is not complete: choose “A new address” and fill it in.</Alert>
          )}
        </fieldset>

        <fieldset>
          <legend>Payment</legend>
          <p className="hint" id="test-cards-hint">
            This shop takes test cards only. Choose one to fill in the card:
          </p>
          <ul className="test-cards" aria-describedby="test-cards-hint">
            {TEST_CARDS.map((c) => (
              <li key={c.number}>
                <button
                  type="button"
                  aria-pressed={card.number === c.number}
                  onClick={() =>
                    setCard({
                      number: c.number,
                      expMonth: '12',
                      expYear: String(new Date().getFullYear() + 3),
                      cvc: '123',
                    })
                  }
                >
                  {c.number} <span className="muted">({c.outcome})</span>
                </button>
              </li>
            ))}
          </ul>
          <Field
            label="Card number"
            inputMode="numeric"
            autoComplete="cc-number"
            value={card.number}
            onChange={(e) => setCard({ ...card, number: e.target.value })}
            error={errors['card.number'] ?? errors.card}
          />
          <div className="row">
            <Field
              label="Expiry month (MM)"
              inputMode="numeric"
              autoComplete="cc-exp-month"
              value={card.expMonth}
              onChange={(e) => setCard({ ...card, expMonth: e.target.value })}
              error={errors['card.expMonth']}
            />
            <Field
              label="Expiry year (YYYY)"
              inputMode="numeric"
              autoComplete="cc-exp-year"
              value={card.expYear}
              onChange={(e) => setCard({ ...card, expYear: e.target.value })}
              error={errors['card.expYear']}
            />
            <Field
              label="CVC"
              inputMode="numeric"
              autoComplete="cc-csc"
              value={card.cvc}
              onChange={(e) => setCard({ ...card, cvc: e.target.value })}
              error={errors['card.cvc']}
            />
          </div>
        </fieldset>

        <section className="review" aria-labelledby="review-heading">
          <h2 id="review-heading">Your order</h2>
          <ul className="review-lines">
            {cart.lines.map((l) => (
              <li key={l.productId}>
                <span>
                  {l.quantity} × {l.name}
                </span>
                <span className="price">{formatMoney(l.lineTotal)}</span>
              </li>
            ))}
          </ul>
          <p>
            Subtotal ({items(cart.itemCount)}): <strong>{formatMoney(cart.subtotal)}</strong>
          </p>
          {lines.length > 0 && (
            <ShippingQuoteView country={shipTo.country} lines={lines} subtotal={cart.subtotal} />
          )}
          <button type="submit" className="primary" disabled={placing || lines.length === 0}>
            {placing ? 'Placing order…' : 'Place order'}
          </button>
        </section>
      </form>
    </Page>
  )
}
