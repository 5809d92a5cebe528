import type { Clock, Logger, ServiceClient } from '@microshop/chassis'
import type { IdentityServiceService } from '@microshop/contracts/identity/v1/identity'

/** What fraud knows of an account; `ageMs` undefined when identity could not tell. */
export interface AccountFacts {
  ageMs: number | undefined
  blocked: boolean
}

export type AccountLookup = (userId: string) => Promise<AccountFacts>

/** Account age from identity's GetUser; an outage or an unknown user makes the age unknown, never a failure. */
export function createAccountLookup(deps: {
  identity: ServiceClient<typeof IdentityServiceService>
  log: Logger
  clock: Clock
}): AccountLookup {
  const { identity, log, clock } = deps
  return async (userId) => {
    try {
      const { user } = await identity.call('getUser', { id: userId })
      const created = Date.parse(user?.createdAt ?? '')
      return { ageMs: Number.isNaN(created) ? undefined : clock().getTime() - created, blocked: false }
    } catch (err) {
      const code = (err as { code?: string }).code
      if (code === 'IDENTITY_USER_BLOCKED') return { ageMs: undefined, blocked: true }
      log.warn({ err, userId }, 'account age unknown: identity did not tell')
      return { ageMs: undefined, blocked: false }
    }
  }
}
