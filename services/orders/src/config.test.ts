import { describe, expect, it } from 'vitest'
import { loadConfig } from './config.js'

const base = { DATABASE_URL: 'postgres://localhost/orders', BUS_URL: 'postgres://localhost/bus' }

describe('the orders configuration', () => {
  it('when only the database is set, then the documented defaults apply', () => {
    expect(loadConfig(base)).toMatchObject({
      reservationTtlSeconds: 900,
      fallbackShippingCents: 999,
      idempotencyRetentionHours: 24,
      idempotencyInFlightSeconds: 60,
    })
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
