import { describe, expect, it } from 'vitest'
import { activeKey, type KeyPolicy, needsNewKey, publishedKeys, type SigningKey } from './signing-keys.js'

const hour = 3_600_000
const policy: KeyPolicy = { rotationMs: 24 * hour, accessTtlMs: 15 * 60_000 }
const t0 = new Date('2026-03-01T00:00:00Z')
const at = (ms: number) => new Date(t0.getTime() + ms)
const key = (kid: string, createdMs: number, retiredMs?: number): SigningKey => ({
  kid,
  publicJwk: { kid },
  createdAt: at(createdMs),
  retiredAt: retiredMs === undefined ? null : at(retiredMs),
})

describe('signing key rotation', () => {
  it('when there is no key, then one is needed', () => {
    expect(needsNewKey([], t0, policy)).toBe(true)
  })

  it('when the active key is younger than the rotation period, then it keeps signing', () => {
    expect(needsNewKey([key('a', 0)], at(24 * hour - 1), policy)).toBe(false)
  })

  it('when the active key has signed for the whole period, then a new one is needed', () => {
    expect(needsNewKey([key('a', 0)], at(24 * hour), policy)).toBe(true)
  })

  it('when only retired keys are left, then a new one is needed', () => {
    expect(needsNewKey([key('a', 0, hour)], at(hour + 1), policy)).toBe(true)
  })

  it('when one key is retired and one is not, then the active one is the one not retired', () => {
    expect(activeKey([key('old', 0, 24 * hour), key('new', 24 * hour)])?.kid).toBe('new')
  })
})

describe('published keys', () => {
  const keys = [key('new', 24 * hour), key('old', 0, 24 * hour)]

  it('when a key retired less than an access-token lifetime ago, then it is still published', () => {
    expect(publishedKeys(keys, at(24 * hour + policy.accessTtlMs - 1), policy).map((k) => k.kid)).toEqual([
      'new',
      'old',
    ])
  })

  it('when every token a retired key signed has expired, then it is no longer published', () => {
    expect(publishedKeys(keys, at(24 * hour + policy.accessTtlMs), policy).map((k) => k.kid)).toEqual(['new'])
  })
})
