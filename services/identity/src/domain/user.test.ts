import { describe, expect, it } from 'vitest'
import { checkRegistration, nameProblem, normaliseName } from './user.js'

describe('checkRegistration', () => {
  it('when every field is fine, then email and name come back normalised and there is no error', () => {
    const { registration, errors } = checkRegistration({
      email: ' Ada@Example.com ',
      password: 'analytical-engine-1843',
      name: '  Ada   Lovelace ',
    })
    expect(errors).toEqual([])
    expect(registration).toEqual({
      email: 'ada@example.com',
      password: 'analytical-engine-1843',
      name: 'Ada Lovelace',
    })
  })

  it('when several fields are wrong, then each is named with its reasons', () => {
    const { errors } = checkRegistration({ email: 'nope', password: 'short', name: ' ' })
    expect(errors.map((e) => e.field)).toEqual(['email', 'password', 'password', 'name'])
  })

  it('when the password is the email, then the password is named', () => {
    const { errors } = checkRegistration({
      email: 'ada@example.com',
      password: 'ADA@example.com',
      name: 'Ada',
    })
    expect(errors).toEqual([{ field: 'password', message: 'must not be your email address' }])
  })
})

describe('nameProblem', () => {
  it('when a name is 1 to 100 characters, then it is accepted', () => {
    expect(nameProblem('A')).toBeUndefined()
    expect(nameProblem('n'.repeat(100))).toBeUndefined()
  })

  it('when a name is empty, too long or holds control characters, then it is refused', () => {
    expect(nameProblem(normaliseName('   '))).toBe('required')
    expect(nameProblem('n'.repeat(101))).toBe('at most 100 characters')
    expect(nameProblem('Ada\u0007')).toBe('must not contain control characters')
  })
})
