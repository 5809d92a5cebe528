import { eventOf, type PendingEvent } from '@microshop/chassis'
import { events } from '@microshop/contracts/events'
import type { AccountEvent } from '../app/accounts.js'

/** The contract event of an account change; its subject is the user id. */
export function toContractEvents(event: AccountEvent): PendingEvent {
  switch (event.kind) {
    case 'UserRegistered':
      return eventOf(events.UserRegistered, {
        userId: event.user.id,
        email: event.user.email,
        name: event.user.name,
        registeredAt: event.user.createdAt,
      })
    case 'DuplicateSignUpAttempted':
      return eventOf(events.DuplicateSignUpAttempted, {
        userId: event.owner.id,
        email: event.owner.email,
        name: event.owner.name,
        attemptedAt: event.at.toISOString(),
      })
  }
}
