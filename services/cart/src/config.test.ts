import { ConfigError } from '@microshop/chassis'
import { describe, expect, it } from 'vitest'
import { loadConfig } from './config.js'

const DATABASE_URL = 'postgres://cart@127.0.0.1/cart'
const BUS_URL = 'postgres://bus@127.0.0.1/bus'

describe('cart config', () => {
  it('when only the database and the bus are set, then the limits and expiry take their documented defaults', () => {
    const config = loadConfig({ DATABASE_URL, BUS_URL })
    expect(config.maxQuantity).toBe(99)
    expect(config.maxLines).toBe(50)
    expect(config.anonymousTtlDays).toBe(30)
    expect(config.pruneIntervalMs).toBe(3_600_000)
  })

  it('when a limit is out of range, then start-up fails naming the variable', () => {
    const run = () => loadConfig({ DATABASE_URL, BUS_URL, CART_MAX_LINES: '500', CART_MAX_QUANTITY: '0' })
    expect(run).toThrow(ConfigError)
    expect(run).toThrow(/CART_MAX_LINES/)
    expect(run).toThrow(/CART_MAX_QUANTITY/)
  })
})

it('when the bus is not set, then start-up fails naming BUS_URL: the cart must hear of placed orders', () => {
  expect(() => loadConfig({ DATABASE_URL })).toThrow(/BUS_URL/)
})
