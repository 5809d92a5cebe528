import { normaliseEmail } from './email.js'

export const MIN_PASSWORD_LENGTH = 10
export const MAX_PASSWORD_LENGTH = 128

const CLASSES = [/\p{Ll}/u, /\p{Lu}/u, /\p{N}/u, /[^\p{Ll}\p{Lu}\p{N}]/u]

/** Which of lowercase, uppercase, digits and everything else a password draws on. */
const classesIn = (password: string) => CLASSES.filter((c) => c.test(password)).length

/** Every way a password breaks the policy, as messages a person can act on; empty when it is fine. */
export function passwordProblems(password: string, email: string): string[] {
  const length = [...password].length
  const problems: string[] = []
  if (length < MIN_PASSWORD_LENGTH) problems.push(`at least ${MIN_PASSWORD_LENGTH} characters`)
  if (length > MAX_PASSWORD_LENGTH) problems.push(`at most ${MAX_PASSWORD_LENGTH} characters`)
  if (length > 0 && classesIn(password) < 2)
    problems.push('mix at least two of: lowercase, uppercase, digits, symbols')
  if (email !== '' && normaliseEmail(password) === normaliseEmail(email))
    problems.push('must not be your email address')
  return problems
}
