/**
 * The Idempotency-Key of a checkout attempt: what a person submits once is one attempt. Sending it again
 * (a double click, a retry after the network failed) reuses the key, so the API places one order; changing
 * anything, or an answer that settled the attempt, starts a new one with a new key.
 */
export interface Attempt {
  readonly key: string
  readonly fingerprint: string
  /** The card token made for this attempt, kept so a retry sends the very same body. */
  cardToken?: string
}

/** The same value always gives the same text, whatever the order of its keys. */
export function fingerprintOf(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(fingerprintOf).join(',')}]`
  if (value && typeof value === 'object')
    return `{${Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([k, v]) => `${JSON.stringify(k)}:${fingerprintOf(v)}`)
      .join(',')}}`
  return JSON.stringify(value) ?? 'null'
}

/** A key no one else will choose; crypto.randomUUID needs a secure context, getRandomValues does not. */
export function newKey(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID()
  const bytes = crypto.getRandomValues(new Uint8Array(16))
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')
}

/** The attempt this submission belongs to: the pending one when nothing changed, else a new one. */
export function attemptFor(
  pending: Attempt | undefined,
  form: unknown,
  makeKey: () => string = newKey,
): Attempt {
  const fingerprint = fingerprintOf(form)
  return pending && pending.fingerprint === fingerprint ? pending : { key: makeKey(), fingerprint }
}
