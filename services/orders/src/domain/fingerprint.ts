import { createHmac } from 'node:crypto'
import type { PlaceOrderRequest } from './place-order.js'

/** JSON with object keys sorted at every level: equal values, equal text. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`
  if (value && typeof value === 'object')
    return `{${Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`)
      .join(',')}}`
  return JSON.stringify(value)
}

/**
 * What makes two PlaceOrder requests the same: an HMAC, with a key only orders holds, of the canonical body
 * (the key itself excluded). Of a card only the number and expiry count, never the CVC: nothing kept is
 * derived from it, and without the key the stored value cannot be tested against guessed card numbers.
 */
export function requestFingerprint(req: PlaceOrderRequest, key: string): string {
  const { idempotencyKey: _key, card, ...body } = req
  const cardPart = card ? { number: card.number, expMonth: card.expMonth, expYear: card.expYear } : null
  return createHmac('sha256', key)
    .update(canonicalJson({ ...body, card: cardPart }))
    .digest('hex')
}
