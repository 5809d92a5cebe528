import { describe, expect, it } from 'vitest'
import { passwordProblems } from './password-policy.js'

const email = 'ada@example.com'

describe('passwordProblems', () => {
  it('when a password is long enough and mixes two kinds of characters, then it passes', () => {
    for (const password of [
      'correcthorse7',
      'Correcthorsebattery',
      'microshop-admin-2026',
      'ünïcödé-pässwörd',
    ])
      expect(passwordProblems(password, email), password).toEqual([])
  })

  it('when a password is shorter than 10 characters, then its length is the problem', () => {
    expect(passwordProblems('Abcdef12!', email)).toEqual(['at least 10 characters'])
    expect(passwordProblems('Abcdef12!x', email)).toEqual([])
  })

  it('when a password is longer than 128 characters, then it is refused', () => {
    expect(passwordProblems(`Ab1${'x'.repeat(125)}`, email)).toEqual([])
    expect(passwordProblems(`Ab1${'x'.repeat(126)}`, email)).toEqual(['at most 128 characters'])
  })

  it('when a password draws on one class of characters only, then it is refused', () => {
    for (const password of ['abcdefghijkl', 'ABCDEFGHIJKL', '123456789012', '!@#$%^&*()-_', 'ééééééééééé'])
      expect(passwordProblems(password, email), password).toEqual([
        'mix at least two of: lowercase, uppercase, digits, symbols',
      ])
  })

  it('when a password is the email, whatever its case and spacing, then it is refused', () => {
    expect(passwordProblems('Ada@Example.com', email)).toEqual(['must not be your email address'])
    expect(passwordProblems(' ada@example.com ', email)).toEqual(['must not be your email address'])
  })

  it('when a password breaks several rules, then every one is listed', () => {
    expect(passwordProblems('abc', email)).toEqual([
      'at least 10 characters',
      'mix at least two of: lowercase, uppercase, digits, symbols',
    ])
    expect(passwordProblems('', email)).toEqual(['at least 10 characters'])
  })

  it('when characters outside the basic plane are used, then they count once each', () => {
    expect(passwordProblems('🔑🔑🔑🔑🔑a', email)).toEqual(['at least 10 characters'])
    expect(passwordProblems('🔑🔑🔑🔑🔑abcde', email)).toEqual([])
  })
})
