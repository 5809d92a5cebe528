import { busSettings, databaseSettings, readConfig, schemas, setting, z } from '@microshop/chassis'
import { parseBlocklist } from './domain/blocklist.js'

const cents = z.coerce.number().int().min(0)

export const paymentsSettings = {
  ...databaseSettings,
  // payments hears of orders only through the bus
  ...busSettings,
  slowCardDelayMs: setting('PAYMENTS_SLOW_CARD_DELAY_MS', cents.default(2_000)),
  fraudDeadlineMs: setting('PAYMENTS_FRAUD_DEADLINE_MS', schemas.positiveInt.default(1_000)),
  fraudBreakerFailures: setting('PAYMENTS_FRAUD_BREAKER_FAILURES', schemas.positiveInt.default(5)),
  fraudBreakerHalfOpenMs: setting('PAYMENTS_FRAUD_BREAKER_HALF_OPEN_MS', schemas.positiveInt.default(10_000)),
  fraudFallbackMaxAmount: setting('PAYMENTS_FRAUD_FALLBACK_MAX_AMOUNT', cents.default(20_000)),
  fraudReviewMaxAmount: setting('PAYMENTS_FRAUD_REVIEW_MAX_AMOUNT', cents.default(20_000)),
  // the one card blocklist of the system: payments refuses these cards before it asks fraud
  cardBlocklist: setting(
    'PAYMENTS_CARD_BLOCKLIST',
    z
      .string()
      .default('410000:0019')
      .transform((text, ctx) => {
        const cards = parseBlocklist(text)
        if (!cards) ctx.addIssue({ code: 'custom', message: 'expected bin:last4 entries, e.g. 410000:0019' })
        return cards ?? []
      }),
  ),
  claimLeaseMs: setting('PAYMENTS_CLAIM_LEASE_MS', schemas.positiveInt.default(30_000)),
  sweepIntervalMs: setting('PAYMENTS_SWEEP_INTERVAL_MS', schemas.positiveInt.default(5_000)),
  sweepGraceMs: setting('PAYMENTS_SWEEP_GRACE_MS', cents.default(10_000)),
  consumerConcurrency: setting('PAYMENTS_CONSUMER_CONCURRENCY', schemas.positiveInt.default(8)),
}

export const loadConfig = (env: Record<string, string | undefined> = process.env) =>
  readConfig('payments', paymentsSettings, env)

export type PaymentsConfig = ReturnType<typeof loadConfig>
