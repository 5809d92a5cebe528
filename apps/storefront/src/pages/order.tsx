import { useCallback, useEffect, useState } from 'react'
import { ApiError } from '../api/http'
import { orders } from '../api/shop'
import type { OrderDetail, OrderStatus, Payment, Shipment, StatusChange, StatusEvent } from '../api/types'
import { addressLines } from '../components/address-fields'
import { Alert } from '../components/fields'
import { LoadState, Page } from '../components/page'
import { cancelReasonText, formatDateTime, formatMoney, STATUS_LABELS } from '../format'
import { furthest, timelineOf } from '../order-progress'
import { Link, usePlace } from '../router'
import { loadCart } from '../state/cart'
import { accessToken } from '../state/session'

const FLOW: OrderStatus[] = ['PENDING_PAYMENT', 'CONFIRMED', 'SHIPPED', 'DELIVERED']
const STEP_TEXT: Record<OrderStatus, string> = {
  PENDING_PAYMENT: 'Order placed, waiting for payment',
  CONFIRMED: 'Payment accepted, order confirmed',
  SHIPPED: 'Shipped',
  DELIVERED: 'Delivered',
  CANCELLED: 'Cancelled',
}
const isFinal = (s: OrderStatus) => s === 'DELIVERED' || s === 'CANCELLED'
// how often, and how many times, an order is read again until its payment or refund shows
const SETTLE_POLL_MS = 1_000
const SETTLE_POLLS = 30
// EventSource reconnects by itself after a dropped connection; these are the reopenings after a refusal
const STREAM_REOPENS = 3

function Timeline({ steps, status }: { steps: StatusChange[]; status: OrderStatus }) {
  const at = new Map(steps.map((s) => [s.status, s]))
  const cancelled = status === 'CANCELLED'
  const shown: OrderStatus[] = cancelled ? [...FLOW.filter((s) => at.has(s)), 'CANCELLED'] : FLOW
  return (
    <ol className="timeline" aria-label="Order progress">
      {shown.map((s) => {
        const step = at.get(s)
        const state = s === status ? 'current' : step ? 'done' : 'upcoming'
        return (
          <li
            key={s}
            className={`step step-${state}${s === 'CANCELLED' ? ' step-cancelled' : ''}`}
            aria-current={state === 'current' ? 'step' : undefined}
          >
            <span className="step-title">
              {STEP_TEXT[s]}
              <span className="visually-hidden">
                {state === 'done' ? ' (done)' : state === 'upcoming' ? ' (to come)' : ' (now)'}
              </span>
            </span>
            {step && <time dateTime={step.at}>{formatDateTime(step.at)}</time>}
            {s === 'CANCELLED' && <span className="reason">Because {cancelReasonText(step?.reason)}.</span>}
          </li>
        )
      })}
    </ol>
  )
}

function PaymentView({ payment, summary }: { payment: Payment | null; summary?: string }) {
  if (!payment)
    return (
      <p className="muted">{summary ? `Paying with ${summary}.` : 'Waiting for the payment to start.'}</p>
    )
  const method = summary ?? payment.method
  switch (payment.status) {
    case 'PENDING':
      return (
        <p>
          Payment of {formatMoney(payment.amount)} with {method} is being processed.
        </p>
      )
    case 'CAPTURED':
      return (
        <p>
          Paid {formatMoney(payment.amount)} with {method}.
        </p>
      )
    case 'REFUNDED':
      return (
        <p className="refund">
          Refunded {formatMoney(payment.refunded)} to {method} (paid {formatMoney(payment.amount)}).
        </p>
      )
    case 'FAILED':
      return (
        <p className="availability-out">
          The payment failed: {payment.failureReason ?? payment.failureCode ?? 'the card was not accepted'}.
        </p>
      )
  }
}

const SHIPMENT_TEXT: Record<Shipment['status'], string> = {
  CREATED: 'Being packed',
  DISPATCHED: 'On its way',
  DELIVERED: 'Delivered',
  CANCELLED: 'Cancelled',
}

function ShipmentsView({ shipments }: { shipments: Shipment[] }) {
  if (shipments.length === 0) return <p className="muted">Nothing has been shipped yet.</p>
  return (
    <ul className="shipments" aria-label="Parcels">
      {shipments.map((s, i) => (
        <li key={s.id} className="shipment">
          <strong>
            Parcel {s.parcelNumber ?? i + 1} of {s.parcelCount ?? shipments.length}
          </strong>
          <span>{SHIPMENT_TEXT[s.status]}</span>
          <span>
            {s.carrier}, tracking number <span className="tracking">{s.trackingNumber}</span>
          </span>
          {s.weightGrams ? <span className="muted">{(s.weightGrams / 1000).toFixed(1)} kg</span> : null}
          {s.deliveredAt ? (
            <span className="muted">Delivered {formatDateTime(s.deliveredAt)}</span>
          ) : s.dispatchedAt ? (
            <span className="muted">Dispatched {formatDateTime(s.dispatchedAt)}</span>
          ) : s.estimatedDays ? (
            <span className="muted">About {s.estimatedDays} days once dispatched</span>
          ) : null}
        </li>
      ))}
    </ul>
  )
}

/** One order: followed live until it is delivered or cancelled, with its payment, parcels and a cancel. */
export function OrderPage({ id }: { id: string }) {
  const justPlaced = usePlace().query.get('placed') === '1'
  const [order, setOrder] = useState<OrderDetail>()
  const [loadError, setLoadError] = useState<ApiError>()
  const [live, setLive] = useState<StatusEvent[]>([])
  const [confirming, setConfirming] = useState(false)
  const [cancelling, setCancelling] = useState(false)
  const [cancelProblem, setCancelProblem] = useState<string>()
  const [polls, setPolls] = useState(0)

  const refresh = useCallback(async () => {
    try {
      setOrder(await orders.detail(id))
      setLoadError(undefined)
    } catch (err) {
      setLoadError(err instanceof ApiError ? err : new ApiError(0, 'CLIENT', String(err)))
    }
  }, [id])

  useEffect(() => {
    void refresh()
  }, [refresh])

  useEffect(() => {
    let stopped = false
    let stream: EventSource | undefined
    let reopens = 0
    const open = async () => {
      const token = await accessToken()
      if (!token || stopped) return
      const es = new EventSource(orders.eventsUrl(id, token))
      stream = es
      es.addEventListener('status', (e) => {
        reopens = 0
        const event = JSON.parse((e as MessageEvent<string>).data) as StatusEvent
        setLive((seen) => [...seen, event])
        void refresh()
        if (event.status !== 'PENDING_PAYMENT') void loadCart().catch(() => undefined)
        if (isFinal(event.status)) es.close()
      })
      // the stream ends with the token it was opened with: open the next one with a fresh token
      es.addEventListener('expired', () => {
        es.close()
        if (!stopped) void open()
      })
      es.addEventListener('error', () => {
        // closed, not reconnecting: the token was refused or the order is not the caller's
        if (es.readyState === EventSource.CLOSED && !stopped && reopens++ < STREAM_REOPENS) void open()
      })
    }
    void open()
    return () => {
      stopped = true
      stream?.close()
    }
  }, [id, refresh])

  const status = furthest(live.at(-1)?.status, order?.status)
  const payment = order?.payment?.status
  const refundPending = status === 'CANCELLED' && (payment === 'CAPTURED' || payment === 'PENDING')
  // the order moved on before payments had its say: read it again until the payment shows
  const paymentPending =
    (status === 'CONFIRMED' || status === 'SHIPPED') && (!payment || payment === 'PENDING')
  const settling = refundPending || paymentPending
  useEffect(() => {
    if (!settling || polls >= SETTLE_POLLS) return
    const t = setTimeout(() => {
      setPolls((n) => n + 1)
      void refresh()
    }, SETTLE_POLL_MS)
    return () => clearTimeout(t)
  }, [settling, polls, refresh])

  if (!order || !status)
    return (
      <Page title="Order">
        {loadError?.status === 404 ? (
          <p>
            There is no such order in your account. <Link to="/orders">Your orders</Link>
          </p>
        ) : (
          <LoadState loading={!loadError} error={loadError} retry={() => void refresh()} />
        )}
      </Page>
    )

  const steps = timelineOf(order.history, live)
  const dispatched = order.shipments.some((s) => s.status === 'DISPATCHED' || s.status === 'DELIVERED')
  const cancellable = (status === 'PENDING_PAYMENT' || status === 'CONFIRMED') && !dispatched

  const cancel = async () => {
    setCancelling(true)
    setCancelProblem(undefined)
    try {
      await orders.cancel(id)
      setConfirming(false)
      await refresh()
    } catch (err) {
      setCancelProblem(err instanceof ApiError ? err.message : String(err))
    } finally {
      setCancelling(false)
    }
  }

  return (
    <Page
      title={`Order ${id}`}
      heading={justPlaced ? 'Thank you for your order' : `Order ${id}`}
      className="order-page"
    >
      {justPlaced && <p>Order number {id}. This page follows it live: no need to reload.</p>}
      <p className={`order-status status-${status.toLowerCase()}`} role="status">
        Status: <strong>{STATUS_LABELS[status]}</strong>
        {status === 'CANCELLED' &&
          ` (${cancelReasonText(order.cancelReason ?? steps.find((s) => s.status === 'CANCELLED')?.reason)})`}
      </p>
      <Timeline steps={steps} status={status} />

      {cancellable && (
        <div className="cancel">
          {!confirming ? (
            <button type="button" onClick={() => setConfirming(true)}>
              Cancel order
            </button>
          ) : (
            <fieldset className="confirm">
              <legend>Cancel this order? A payment already made is refunded in full.</legend>
              <button type="button" className="danger" disabled={cancelling} onClick={() => void cancel()}>
                Yes, cancel the order
              </button>
              <button type="button" onClick={() => setConfirming(false)}>
                Keep the order
              </button>
            </fieldset>
          )}
          <Alert>{cancelProblem}</Alert>
        </div>
      )}

      <div className="order-columns">
        <section aria-labelledby="payment-heading">
          <h2 id="payment-heading">Payment</h2>
          <PaymentView payment={order.payment} summary={order.paymentSummary} />
          {refundPending && <p className="muted">The refund is on its way…</p>}
        </section>
        <section aria-labelledby="shipping-heading">
          <h2 id="shipping-heading">Shipping</h2>
          {order.shippingAddress && <p>To {addressLines(order.shippingAddress)}</p>}
          <ShipmentsView shipments={order.shipments} />
        </section>
      </div>

      <section aria-labelledby="items-heading">
        <h2 id="items-heading">Items</h2>
        <ul className="review-lines">
          {order.lines.map((l) => (
            <li key={l.productId}>
              <span>
                {l.quantity} × <Link to={`/products/${l.productId}`}>{l.name}</Link>
              </span>
              <span className="price">{formatMoney(l.lineTotal)}</span>
            </li>
          ))}
        </ul>
        <dl className="totals">
          {order.subtotal && (
            <>
              <dt>Subtotal</dt>
              <dd>{formatMoney(order.subtotal)}</dd>
            </>
          )}
          {order.shipping && (
            <>
              <dt>Shipping</dt>
              <dd>{formatMoney(order.shipping)}</dd>
            </>
          )}
          <dt>Total</dt>
          <dd>
            <strong>{formatMoney(order.total)}</strong>
          </dd>
        </dl>
        <p className="muted">Placed {formatDateTime(order.createdAt)}</p>
      </section>
      <p>
        <Link to={`/messages?order=${encodeURIComponent(id)}`}>Emails about this order</Link> ·{' '}
        <Link to="/orders">All your orders</Link>
      </p>
    </Page>
  )
}
