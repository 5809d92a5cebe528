import { describe, expect, it } from 'vitest'
import { emailProblem, normaliseEmail } from './email.js'

describe('normaliseEmail', () => {
  it('when an email has spaces around it and capitals, then it is trimmed and lowercased', () => {
    expect(normaliseEmail('  Ada.Lovelace@Example.COM \n')).toBe('ada.lovelace@example.com')
  })

  it('when the same address is written in two Unicode forms, then both normalise to one', () => {
    expect(normaliseEmail('jose\u0301@example.com')).toBe(normaliseEmail('jos\u00e9@example.com'))
  })
})

describe('emailProblem', () => {
  it('when the email has a usual shape, then there is no problem', () => {
    for (const email of [
      'ada@example.com',
      'a.b+shop@mail.example.co.uk',
      'x@ex-ample.io',
      'jos\u00e9@b\u00fccher.de',
    ])
      expect(emailProblem(email), email).toBeUndefined()
  })

  it('when the email is not shaped like one, then a problem is named', () => {
    for (const email of [
      '',
      'ada',
      'ada@',
      '@example.com',
      'ada@example',
      'ada@@example.com',
      'ada lovelace@example.com',
      'ada@exa mple.com',
      'ada@-example.com',
      'ada@example-.com',
      'ada@example.c',
      'ada@.example.com',
      'ada@example..com',
      'ada\u0000@example.com',
    ])
      expect(emailProblem(email), JSON.stringify(email)).toBeDefined()
  })

  it('when the email or its local part is too long, then it is refused', () => {
    expect(emailProblem(`${'a'.repeat(64)}@example.com`)).toBeUndefined()
    expect(emailProblem(`${'a'.repeat(65)}@example.com`)).toMatch(/before the @/)
    expect(emailProblem(`ada@${'d'.repeat(250)}.com`)).toMatch(/at most 254/)
  })
})
