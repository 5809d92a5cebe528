import { createHash, randomBytes } from 'node:crypto'

// 32 random bytes in base64url, unpadded: 43 characters
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/

/** A new anonymous cart token: the caller keeps it, the store keeps only its hash. */
export const newCartToken = () => randomBytes(32).toString('base64url')

export const hashCartToken = (token: string) => createHash('sha256').update(token).digest()

/** The hash to look a presented token up by; undefined when no cart token could look like it. */
export const lookupHashOf = (token: string | undefined) =>
  token !== undefined && TOKEN_SHAPE.test(token) ? hashCartToken(token) : undefined
