import { ConfigError } from '@microshop/chassis'
import { describe, expect, it } from 'vitest'
import { loadConfig } from './config.js'

const DATABASE_URL = 'postgres://identity@127.0.0.1/identity'
const BUS_URL = 'postgres://bus@127.0.0.1/bus'

describe('identity config', () => {
  it('when the database and the bus are set, then the token lifetimes take their documented defaults', () => {
    const config = loadConfig({ DATABASE_URL, BUS_URL })
    expect(config.busUrl).toBe(BUS_URL)
    expect(config.accessTokenTtlSeconds).toBe(900)
    expect(config.refreshTokenTtlSeconds).toBe(2_592_000)
  })

  it('when the bus is not set, then start-up fails naming BUS_URL: registrations are announced on it', () => {
    const run = () => loadConfig({ DATABASE_URL })
    expect(run).toThrow(ConfigError)
    expect(run).toThrow(/BUS_URL/)
  })
})
