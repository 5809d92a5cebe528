import { IdentityErrors } from './errors.js'

// services that look an account up with no user in the call (fraud scores a payment an event started): they
// learn its age and status, never who the person is or where they live
const ACCOUNT_FACTS_CALLERS: readonly string[] = ['fraud']

/** How much of a user GetUser shows: the whole profile, or only the account's facts (id, roles, status, age). */
export type UserView = 'profile' | 'facts'

/**
 * What a GetUser call may see of user `id`: the profile with a forwarded token of that user or an admin; the
 * facts for a service named above, calling with no token (any caller on plaintext, where none is known);
 * PERMISSION_DENIED otherwise, decided before the user is looked up (no probing which ids exist).
 */
export function userViewFor(
  id: string,
  call: { caller: { userId: string; roles: readonly string[] } | undefined; peerService: string | undefined },
): UserView {
  const { caller, peerService } = call
  if (caller) {
    if (caller.userId === id || caller.roles.includes('admin')) return 'profile'
    throw IdentityErrors.notYourAccount()
  }
  if (peerService === undefined || ACCOUNT_FACTS_CALLERS.includes(peerService)) return 'facts'
  throw IdentityErrors.userTokenRequired(peerService)
}
