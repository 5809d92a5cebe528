import { randomUUID } from 'node:crypto'
import { AppError, type Db, type Emit, type Logger } from '@microshop/chassis'
import { OrdersErrors } from '../domain/errors.js'
import { requestFingerprint } from '../domain/fingerprint.js'
import type { Money, OrderEvent } from '../domain/order.js'
import {
  checkHoldings,
  checkIdempotencyKey,
  lineProblems,
  normaliseAddress,
  type PlaceOrderRequest,
  paymentSummary,
  priceLines,
  validatePlaceOrder,
} from '../domain/place-order.js'
import { eventStore } from '../store/event-store.js'
import type { IdempotencyStore, StoredResponse } from '../store/idempotency-store.js'
import { readModel } from '../store/read-model.js'
import { type AppliedEvent, publishAppended } from './order-stream.js'
import type { Peers } from './peers.js'

export interface PlaceOrderSettings {
  reservationTtlSeconds: number
  /** The shipping cost when shipping cannot quote (documented fallback). */
  fallbackShipping: Money
  /** How long a claimed key counts as in flight before another attempt may take it over. */
  inFlightSeconds: number
  /** Keys the idempotency fingerprint (HMAC). */
  fingerprintKey: string
  /** A user's orders waiting for payment, and the units they hold reserved, at most. */
  maxPendingOrders: number
  maxReservedUnits: number
}

export interface PlaceOrderResult extends StoredResponse {
  replayed: boolean
}

/**
 * PlaceOrder, in DESIGN's steps: claim the Idempotency-Key, validate, read the cart when no lines were sent,
 * check the user, price the lines, quote shipping, tokenise the card (unless a token came instead: then
 * payments is not called at all), reserve the stock; then one transaction records OrderPlaced, its outbox
 * events, the read models and the key's response. A failure releases the reservation (best effort; its time
 * limit is the safety net) and the key (only successes are kept).
 */
export function createPlaceOrder(deps: {
  db: Db
  emit: Emit<AppliedEvent>
  keys: IdempotencyStore
  peers: Peers
  settings: PlaceOrderSettings
  log: Logger
}) {
  const { db, peers, settings, keys } = deps

  async function place(userId: string, req: PlaceOrderRequest, key: string, claimId: string) {
    validatePlaceOrder(req)
    let requested = req.lines
    let source = 'lines'
    if (requested.length === 0) {
      requested = await peers.cartLines()
      source = 'cart.lines'
      if (requested.length === 0) throw OrdersErrors.emptyCart()
      const problems = lineProblems(requested, source)
      if (problems.length > 0) throw OrdersErrors.invalidRequest(problems)
    }
    // the reads that do not depend on each other go side by side; their failures are told in this order
    const [user, held, products] = await settledInOrder([
      peers.user(userId),
      readModel.pendingOf(db, userId),
      peers.products(requested.map((l) => l.productId)),
    ] as const)
    if (user.blocked) throw OrdersErrors.userBlocked()
    const overCap = checkHoldings(held, requested, settings)
    if (overCap) throw overCap
    const priced = priceLines(requested, products, source)
    const address = normaliseAddress(req.shippingAddress!)
    // the quote and the card token need the priced lines only; a token is made once the order is known good
    const [quoted, payment] = await settledInOrder([
      peers.quote(priced.lines, address.country, source),
      paymentOf(req),
    ] as const)
    if (!quoted) deps.log.warn({ country: address.country }, 'shipping could not quote: flat rate applied')
    const shipping = quoted ?? { ...settings.fallbackShipping, currency: priced.subtotal.currency }

    const orderId = randomUUID()
    try {
      // inside the try: a reservation that timed out on our side may still have been made
      const reservation = await reserve(orderId, requested, source)
      const placed: OrderEvent = {
        type: 'OrderPlaced',
        data: {
          orderId,
          userId,
          email: user.email,
          lines: priced.lines,
          subtotal: priced.subtotal,
          shipping,
          total: { amount: priced.subtotal.amount + shipping.amount, currency: priced.subtotal.currency },
          shippingAddress: address,
          paymentToken: payment.token,
          paymentSummary: payment.summary,
          reservationId: reservation.reservationId,
          reservationExpiresAt: reservation.expiresAt,
        },
      }
      const response: StoredResponse = { orderId, status: 'PENDING_PAYMENT' }
      await db.tx(async (tx) => {
        const appended = await eventStore.append(tx, orderId, 0, [placed])
        await publishAppended(tx, deps.emit, undefined, appended)
        if (!(await keys.complete(tx, userId, key, claimId, response)))
          throw OrdersErrors.idempotencyInFlight()
      })
      return response
    } catch (err) {
      await peers
        .release(orderId)
        .catch((releaseErr) =>
          deps.log.warn(
            { err: releaseErr, orderId },
            'could not release the reservation: its time limit will',
          ),
        )
      throw err
    }
  }

  /** The token the order is paid with; a token made beforehand comes without a summary (payments shows it). */
  async function paymentOf(req: PlaceOrderRequest): Promise<{ token: string; summary: string }> {
    if (req.token !== undefined) return { token: req.token, summary: '' }
    if (!req.card) throw OrdersErrors.invalidRequest([{ field: 'payment.card.number', message: 'required' }])
    try {
      const card = await peers.tokenizeCard(req.card)
      return { token: card.token, summary: paymentSummary(card.brand, card.last4) }
    } catch (err) {
      if (err instanceof AppError && err.kind === 'invalid_argument')
        throw OrdersErrors.invalidCard(
          err.fields.length > 0
            ? err.fields.map((f) => ({ field: `payment.card.${f.field}`, message: f.message }))
            : [{ field: 'payment.card', message: err.message }],
          err,
        )
      throw err
    }
  }

  async function reserve(orderId: string, lines: PlaceOrderRequest['lines'], source: string) {
    try {
      return await peers.reserve(orderId, lines, settings.reservationTtlSeconds)
    } catch (err) {
      if (err instanceof AppError && err.kind === 'failed_precondition') {
        const fields =
          err.fields.length > 0
            ? err.fields
            : lines.map((l, i) => ({
                field: `${source}[${i}].productId`,
                message: `${l.productId}: not enough stock`,
              }))
        throw OrdersErrors.outOfStock(fields, err)
      }
      throw err
    }
  }

  return async function placeOrder(userId: string, req: PlaceOrderRequest): Promise<PlaceOrderResult> {
    const key = checkIdempotencyKey(req.idempotencyKey)
    const fingerprint = requestFingerprint(req, settings.fingerprintKey)
    const claim = await db.tx((tx) => keys.claim(tx, userId, key, fingerprint, settings.inFlightSeconds))
    if (claim.kind !== 'claimed') {
      if (claim.fingerprint !== fingerprint) throw OrdersErrors.idempotencyKeyReused()
      if (claim.kind === 'in_flight') throw OrdersErrors.idempotencyInFlight()
      return { ...claim.response, replayed: true }
    }
    try {
      return { ...(await place(userId, req, key, claim.claimId)), replayed: false }
    } catch (err) {
      await db
        .tx((tx) => keys.release(tx, userId, key, claim.claimId))
        .catch((releaseErr) =>
          deps.log.warn({ err: releaseErr }, 'could not release an idempotency key: it expires by itself'),
        )
      throw err
    }
  }
}

export type PlaceOrder = ReturnType<typeof createPlaceOrder>

/**
 * Awaits every promise, then throws the first failure in the order given (not in the order they happened),
 * so the error a caller sees does not depend on which peer answered first.
 */
async function settledInOrder<T extends readonly unknown[]>(
  promises: { [K in keyof T]: Promise<T[K]> },
): Promise<T> {
  const results = await Promise.allSettled(promises)
  for (const r of results) if (r.status === 'rejected') throw r.reason
  return results.map((r) => (r as PromiseFulfilledResult<unknown>).value) as unknown as T
}
