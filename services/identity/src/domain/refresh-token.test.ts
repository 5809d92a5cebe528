import { describe, expect, it } from 'vitest'
import { decideRefresh, type StoredRefreshToken } from './refresh-token.js'

const now = new Date('2026-03-01T12:00:00Z')
const token = (patch: Partial<StoredRefreshToken> = {}): StoredRefreshToken => ({
  id: 't1',
  familyId: 'f1',
  userId: 'u1',
  expiresAt: new Date('2026-03-31T12:00:00Z'),
  usedAt: null,
  familyRevokedAt: null,
  userStatus: 'active',
  ...patch,
})

describe('decideRefresh', () => {
  it('when a live, unused token of an active user comes, then it is rotated', () => {
    expect(decideRefresh(token(), now)).toEqual({ kind: 'rotate' })
  })

  it('when the token is unknown, then it is invalid', () => {
    expect(decideRefresh(undefined, now)).toEqual({ kind: 'invalid', reason: 'unknown' })
  })

  it('when an already used token comes back, then it is reuse', () => {
    expect(decideRefresh(token({ usedAt: new Date('2026-03-01T11:00:00Z') }), now)).toEqual({
      kind: 'reused',
    })
  })

  it('when a used token comes back after its family was revoked, then it is still reuse', () => {
    const t = token({
      usedAt: new Date('2026-03-01T11:00:00Z'),
      familyRevokedAt: new Date('2026-03-01T11:30:00Z'),
    })
    expect(decideRefresh(t, now)).toEqual({ kind: 'reused' })
  })

  it('when the family was revoked, then an unused token of it is invalid', () => {
    expect(decideRefresh(token({ familyRevokedAt: now }), now)).toEqual({
      kind: 'invalid',
      reason: 'revoked',
    })
  })

  it('when the token expires at or before now, then it is invalid', () => {
    expect(decideRefresh(token({ expiresAt: now }), now)).toEqual({ kind: 'invalid', reason: 'expired' })
    expect(decideRefresh(token({ expiresAt: new Date(now.getTime() + 1) }), now)).toEqual({ kind: 'rotate' })
  })

  it('when the user is blocked, then the token does not rotate', () => {
    expect(decideRefresh(token({ userStatus: 'blocked' }), now)).toEqual({ kind: 'blocked' })
  })
})
