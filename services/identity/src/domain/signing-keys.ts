/** A key pair that signs access tokens; retired once a newer key took over signing. */
export interface SigningKey {
  kid: string
  publicJwk: Record<string, unknown>
  createdAt: Date
  retiredAt: Date | null
}

export interface KeyPolicy {
  /** How long one key signs before a new one takes over. */
  rotationMs: number
  /** Access-token lifetime: a retired key verifies for this long after it stopped signing. */
  accessTtlMs: number
}

/** The key that signs now: the one not yet retired. */
export const activeKey = <K extends SigningKey>(keys: K[]): K | undefined => keys.find((k) => !k.retiredAt)

/** True when there is no key yet or the active one has signed for its whole rotation period. */
export function needsNewKey(keys: SigningKey[], now: Date, policy: KeyPolicy): boolean {
  const active = activeKey(keys)
  return !active || now.getTime() - active.createdAt.getTime() >= policy.rotationMs
}

/** A retired key still verifies tokens it signed until the last of them has expired. */
export const isPublished = (key: SigningKey, now: Date, policy: KeyPolicy): boolean =>
  !key.retiredAt || key.retiredAt.getTime() + policy.accessTtlMs > now.getTime()

/** The keys a verifier needs at `now`: the active one and the retired ones whose tokens may still be live. */
export const publishedKeys = <K extends SigningKey>(keys: K[], now: Date, policy: KeyPolicy): K[] =>
  keys.filter((k) => isPublished(k, now, policy))
