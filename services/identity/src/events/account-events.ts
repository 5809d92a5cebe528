import { defineEvent, type Outbox } from '@microshop/chassis'
import { UserRegistered } from '@microshop/contracts/identity/v1/events'
import type { AccountEvents } from '../app/accounts.js'

export const UserRegisteredEvent = defineEvent('identity.UserRegistered.v1', UserRegistered)

/** Account changes as contract events, recorded in the outbox within the change's transaction. */
export function createAccountEvents(outbox: Outbox): AccountEvents {
  return {
    async userRegistered(user, tx) {
      await outbox.append(tx, [
        UserRegisteredEvent.create(user.id, {
          userId: user.id,
          email: user.email,
          name: user.name,
          registeredAt: user.createdAt,
        }),
      ])
    },
  }
}
