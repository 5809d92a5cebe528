import type { FieldError } from '@microshop/chassis/errors'
import type { Address } from './address.js'
import { emailProblem, normaliseEmail } from './email.js'
import { passwordProblems } from './password-policy.js'

export const ROLES = ['customer', 'admin'] as const
export type Role = (typeof ROLES)[number]
export type UserStatus = 'active' | 'blocked'

/** A user as the service shows it: never the password hash. */
export interface User {
  id: string
  email: string
  name: string
  roles: Role[]
  status: UserStatus
  createdAt: string
  addresses: Address[]
}

export const MAX_NAME_LENGTH = 100

/** Trims and collapses inner runs of whitespace: "  Ada   Lovelace " is "Ada Lovelace". */
export const normaliseName = (raw: string): string => raw.trim().replace(/\s+/g, ' ')

export function nameProblem(name: string): string | undefined {
  const length = [...name].length
  if (length === 0) return 'required'
  if (length > MAX_NAME_LENGTH) return `at most ${MAX_NAME_LENGTH} characters`
  if (/\p{Cc}/u.test(name)) return 'must not contain control characters'
  return undefined
}

export interface Registration {
  email: string
  password: string
  name: string
}

/** The registration with email and name normalised, and every field that is wrong. */
export function checkRegistration(input: Registration): { registration: Registration; errors: FieldError[] } {
  const registration = {
    email: normaliseEmail(input.email),
    password: input.password,
    name: normaliseName(input.name),
  }
  const errors: FieldError[] = []
  const email = emailProblem(registration.email)
  if (email) errors.push({ field: 'email', message: email })
  for (const message of passwordProblems(registration.password, registration.email))
    errors.push({ field: 'password', message })
  const name = nameProblem(registration.name)
  if (name) errors.push({ field: 'name', message: name })
  return { registration, errors }
}
