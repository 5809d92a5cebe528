import { randomBytes } from 'node:crypto'
import { ConfigError } from '@microshop/chassis'
import { describe, expect, it } from 'vitest'
import { loadConfig } from './config.js'

const DATABASE_URL = 'postgres://identity@127.0.0.1/identity'
const BUS_URL = 'postgres://bus@127.0.0.1/bus'

describe('identity config', () => {
  it('when the database and the bus are set, then the token lifetimes take their documented defaults', () => {
    const config = loadConfig({ DATABASE_URL, BUS_URL, MICROSHOP_LOCAL: '1' })
    expect(config.busUrl).toBe(BUS_URL)
    expect(config.accessTokenTtlSeconds).toBe(900)
    expect(config.refreshTokenTtlSeconds).toBe(2_592_000)
  })

  it('when the bus is not set, then start-up fails naming BUS_URL: registrations are announced on it', () => {
    const run = () => loadConfig({ DATABASE_URL, MICROSHOP_LOCAL: '1' })
    expect(run).toThrow(ConfigError)
    expect(run).toThrow(/BUS_URL/)
  })

  it('when not in local mode and no admin password is set, then start-up fails naming MICROSHOP_ADMIN_PASSWORD', () => {
    for (const local of [undefined, 'false', '0']) {
      const run = () => loadConfig({ DATABASE_URL, BUS_URL, MICROSHOP_LOCAL: local })
      expect(run, `MICROSHOP_LOCAL=${local}`).toThrow(ConfigError)
      expect(run, `MICROSHOP_LOCAL=${local}`).toThrow(/MICROSHOP_ADMIN_PASSWORD: required outside local mode/)
    }
  })

  it('when in local mode without an admin password, then the admin gets the README’s local password', () => {
    for (const local of ['true', '1'])
      expect(loadConfig({ DATABASE_URL, BUS_URL, MICROSHOP_LOCAL: local }).adminPassword).toBe(
        'microshop-admin-2026',
      )
  })

  it('when not in local mode and an admin password is set, then it is the admin’s', () => {
    const config = loadConfig({
      DATABASE_URL,
      BUS_URL,
      MICROSHOP_ADMIN_PASSWORD: 'Boss-password-2026',
      IDENTITY_KEY_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    })
    expect(config.adminPassword).toBe('Boss-password-2026')
    expect(Object.isFrozen(config)).toBe(true)
  })

  it('when not in local mode and no key-encryption key is set, then start-up fails naming IDENTITY_KEY_ENCRYPTION_KEY', () => {
    const run = () => loadConfig({ DATABASE_URL, BUS_URL, MICROSHOP_ADMIN_PASSWORD: 'Boss-password-2026' })
    expect(run).toThrow(/IDENTITY_KEY_ENCRYPTION_KEY: required outside local mode/)
  })

  it('when the key-encryption key is not 32 bytes of base64, then start-up fails naming it, without echoing it', () => {
    for (const key of [
      'c2hvcnQ=',
      'not base64 at all, but long enough for 32',
      randomBytes(48).toString('base64'),
    ]) {
      const run = () =>
        loadConfig({ DATABASE_URL, BUS_URL, MICROSHOP_LOCAL: '1', IDENTITY_KEY_ENCRYPTION_KEY: key })
      expect(run).toThrow(/IDENTITY_KEY_ENCRYPTION_KEY: expected 32 bytes, base64/)
      expect(run).not.toThrow(key)
    }
  })

  it('when the key-encryption key is 32 bytes in base64 or base64url, then it is the one that wraps the keys', () => {
    const key = randomBytes(32)
    for (const encoded of [key.toString('base64'), key.toString('base64url')])
      expect(
        loadConfig({ DATABASE_URL, BUS_URL, MICROSHOP_LOCAL: '1', IDENTITY_KEY_ENCRYPTION_KEY: encoded })
          .keyEncryptionKey,
      ).toEqual(key)
  })
})
