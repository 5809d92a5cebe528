/** How long before its expiry an access token is renewed: a fifth of its life, at most a minute. */
export function refreshMarginMs(lifetimeMs: number): number {
  return Math.min(60_000, Math.floor(lifetimeMs / 5))
}

/** How long from now until the session's tokens are due for renewal (0: now). */
export function refreshDelayMs(session: { expiresAt: number; lifetimeMs: number }, now: number): number {
  return Math.max(0, session.expiresAt - refreshMarginMs(session.lifetimeMs) - now)
}
