import { eventOf, type PendingEvent } from '@microshop/chassis'
import { events } from '@microshop/contracts/events'
import type { AccountEvent } from '../app/accounts.js'

/** The contract event of an account change; its subject is the user id. */
export function toContractEvents(event: AccountEvent): PendingEvent {
  const { user } = event
  return eventOf(events.UserRegistered, {
    userId: user.id,
    email: user.email,
    name: user.name,
    registeredAt: user.createdAt,
  })
}
