import type { RiskVerdict } from './fraud-policy.js'

/** A card on the blocklist, known by its BIN (first 6 digits) and last 4: never the whole number. */
export interface BlockedCard {
  bin: string
  last4: string
}

const ENTRY = /^(\d{6}):(\d{4})$/

/** Parses `bin:last4` entries separated by commas; undefined when one is malformed. */
export function parseBlocklist(text: string): BlockedCard[] | undefined {
  const entries = text
    .split(',')
    .map((e) => e.trim())
    .filter((e) => e.length > 0)
  const cards: BlockedCard[] = []
  for (const entry of entries) {
    const match = ENTRY.exec(entry)
    if (!match) return undefined
    cards.push({ bin: match[1]!, last4: match[2]! })
  }
  return cards
}

export const isBlocked = (list: readonly BlockedCard[], card: BlockedCard) =>
  list.some((c) => c.bin === card.bin && c.last4 === card.last4)

/** Payments' own refusal, decided before fraud is asked: a blocklisted card is never charged, fraud up or down. */
export const blocklistVerdict = (list: readonly BlockedCard[], card: BlockedCard): RiskVerdict | undefined =>
  isBlocked(list, card)
    ? { approved: false, code: 'fraud_blocked', reason: 'the card is on the blocklist' }
    : undefined
