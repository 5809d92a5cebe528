import { describe, expect, it } from 'vitest'
import { loadConfig } from './config.js'

const base = {
  DATABASE_URL: 'postgres://localhost/orders',
  BUS_URL: 'postgres://localhost/bus',
  MICROSHOP_LOCAL: '1',
}

describe('the orders configuration', () => {
  it('when only the database is set, then the documented defaults apply', () => {
    expect(loadConfig(base)).toMatchObject({
      reservationTtlSeconds: 900,
      fallbackShippingCents: 999,
      idempotencyRetentionHours: 24,
      idempotencyInFlightSeconds: 60,
      maxPendingOrders: 5,
      maxReservedUnits: 200,
    })
  })

  it('when not in local mode and no fingerprint key is set, then start-up fails naming ORDERS_FINGERPRINT_KEY', () => {
    expect(() => loadConfig({ ...base, MICROSHOP_LOCAL: undefined })).toThrow(
      /ORDERS_FINGERPRINT_KEY: required outside local mode/,
    )
  })

  it('when the fingerprint key is short, then start-up fails naming it without printing it', () => {
    const run = () => loadConfig({ ...base, ORDERS_FINGERPRINT_KEY: 'short-secret' })
    expect(run).toThrow(/ORDERS_FINGERPRINT_KEY: at least 32 characters/)
    expect(run).not.toThrow(/short-secret/)
  })

  it('when a fingerprint key is given, then it is the one used, local or not', () => {
    const key = 'k'.repeat(40)
    expect(
      loadConfig({ ...base, MICROSHOP_LOCAL: undefined, ORDERS_FINGERPRINT_KEY: key }).fingerprintKey,
    ).toBe(key)
  })

  it('when BUS_URL is missing, then start-up fails naming it: without it the saga would never move', () => {
    expect(() => loadConfig({ DATABASE_URL: base.DATABASE_URL })).toThrow(/BUS_URL/)
  })

  it('when keys would be kept less than a day or a TTL is not a number, then start-up fails naming the variables', () => {
    expect(() =>
      loadConfig({
        ...base,
        ORDERS_IDEMPOTENCY_RETENTION_HOURS: '2',
        ORDERS_RESERVATION_TTL_SECONDS: 'soon',
      }),
    ).toThrow(
      /ORDERS_IDEMPOTENCY_RETENTION_HOURS[\s\S]*ORDERS_RESERVATION_TTL_SECONDS|ORDERS_RESERVATION_TTL_SECONDS[\s\S]*ORDERS_IDEMPOTENCY_RETENTION_HOURS/,
    )
  })
})
