export const MAX_EMAIL_LENGTH = 254
const MAX_LOCAL_PART_LENGTH = 64

// one @, no spaces or control characters, a dotted domain whose labels neither start nor end with a dash
const EMAIL_SHAPE = /^[^\s@\p{Cc}]+@(?:[\p{L}\p{N}](?:[\p{L}\p{N}-]*[\p{L}\p{N}])?\.)+[\p{L}\p{N}]{2,}$/u

/** The form an email is stored and compared in: trimmed, NFC, lowercase. */
export const normaliseEmail = (raw: string): string => raw.trim().normalize('NFC').toLowerCase()

/** Why a normalised email is not acceptable, or undefined when it is. */
export function emailProblem(email: string): string | undefined {
  if (email.length === 0) return 'required'
  if (email.length > MAX_EMAIL_LENGTH) return `at most ${MAX_EMAIL_LENGTH} characters`
  if (!EMAIL_SHAPE.test(email)) return 'not an email address, e.g. ada@example.com'
  const local = email.slice(0, email.lastIndexOf('@'))
  if (local.length > MAX_LOCAL_PART_LENGTH) return `at most ${MAX_LOCAL_PART_LENGTH} characters before the @`
  return undefined
}
