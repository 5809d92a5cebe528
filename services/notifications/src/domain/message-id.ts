import type { Channel } from './notice.js'

/** The domain part of a From address such as `shop <no-reply@shop.example>`. */
export function mailDomainOf(from: string): string {
  const match = /@([A-Za-z0-9.-]+)>?\s*$/.exec(from.trim())
  return match?.[1] ?? 'localhost'
}

/**
 * The Message-ID of the mail an event causes, the same on every attempt: a resend after a crash is
 * recognisably the same mail.
 */
export function messageIdFor(eventId: string, channel: Channel, domain: string): string {
  const local = `${eventId}.${channel}`.replace(/[^A-Za-z0-9._-]/g, '_')
  return `<${local}@${domain}>`
}
