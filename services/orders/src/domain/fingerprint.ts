import { createHash } from 'node:crypto'
import type { PlaceOrderRequest } from './place-order.js'

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex')

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
 * What makes two PlaceOrder requests the same: a hash of the canonical body (the key itself excluded), the
 * payment token included. The card is part of it, already hashed, so neither the fingerprint nor its input
 * keeps the number; an absent token leaves the body as it was, so a card request's fingerprint is unchanged.
 */
export function requestFingerprint(req: PlaceOrderRequest): string {
  const { idempotencyKey: _key, card, ...body } = req
  return sha256(canonicalJson({ ...body, card: card ? sha256(canonicalJson(card)) : null }))
}
