import { ConfigError } from '@microshop/chassis'
import { describe, expect, it } from 'vitest'
import { loadConfig } from './config.js'

const DATABASE_URL = 'postgres://catalog@127.0.0.1/catalog'
const BUS_URL = 'postgres://bus@127.0.0.1/bus'

describe('catalog config', () => {
  it('when the database and the bus are set, then paging and seeding take their documented defaults', () => {
    const config = loadConfig({ DATABASE_URL, BUS_URL })
    expect(config.busUrl).toBe(BUS_URL)
    expect(config.maxPageSize).toBe(100)
    expect(config.seed).toBe(true)
  })

  it('when the bus is not set, then start-up fails naming BUS_URL: product changes are announced on it', () => {
    const run = () => loadConfig({ DATABASE_URL })
    expect(run).toThrow(ConfigError)
    expect(run).toThrow(/BUS_URL/)
  })
})
