import { describe, expect, it } from 'vitest'
import { userViewFor } from './user-access.js'

const ada = { userId: 'ada', roles: ['customer'] }
const codeOf = (fn: () => unknown) => {
  try {
    fn()
    return 'allowed'
  } catch (err) {
    return (err as { code: string }).code
  }
}

describe('userViewFor', () => {
  it('when the token is the user’s own or an admin’s, then the profile; another customer’s, then refused', () => {
    expect(userViewFor('ada', { caller: ada, peerService: 'orders' })).toBe('profile')
    expect(userViewFor('ada', { caller: { userId: 'root', roles: ['admin'] }, peerService: 'orders' })).toBe(
      'profile',
    )
    expect(codeOf(() => userViewFor('bob', { caller: ada, peerService: 'orders' }))).toBe(
      'IDENTITY_NOT_YOUR_ACCOUNT',
    )
  })

  it('when no token comes, then fraud (or an unknown caller on plaintext) gets the facts and any other service is refused', () => {
    expect(userViewFor('ada', { caller: undefined, peerService: 'fraud' })).toBe('facts')
    expect(userViewFor('ada', { caller: undefined, peerService: undefined })).toBe('facts')
    expect(codeOf(() => userViewFor('ada', { caller: undefined, peerService: 'orders' }))).toBe(
      'IDENTITY_USER_TOKEN_REQUIRED',
    )
  })
})
