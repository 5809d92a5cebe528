import { hostname } from 'node:os'
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { ConfigError, readConfig, schemas, setting } from './config.js'

const spec = {
  databaseUrl: setting('DATABASE_URL', schemas.postgresUrl),
  maxPageSize: setting('MAX_PAGE_SIZE', z.coerce.number().int().min(1).max(500).default(100)),
  seed: setting('SEED', schemas.boolean.default(true)),
}
const db = 'postgres://u:p@127.0.0.1:5432/x'

const problemsOf = (env: Record<string, string | undefined>): string[] => {
  try {
    readConfig('catalog', spec, env)
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError)
    return (err as ConfigError).problems
  }
  throw new Error('expected a ConfigError')
}

describe('readConfig', () => {
  it('when only the required values are set, then every default applies', () => {
    const config = readConfig('catalog', spec, { DATABASE_URL: db })
    expect(config).toMatchObject({
      service: 'catalog',
      host: '127.0.0.1',
      grpcPort: 50051,
      httpPort: 9464,
      logLevel: 'info',
      shutdownTimeoutMs: 10_000,
      databaseUrl: db,
      maxPageSize: 100,
      seed: true,
    })
    expect(config.registryUrl).toBeUndefined()
    expect(config.instanceId).toBe(`catalog-${hostname()}-${process.pid}`)
  })

  it('when values are given as strings, then they are coerced to their types', () => {
    const config = readConfig('catalog', spec, {
      DATABASE_URL: db,
      GRPC_PORT: '0',
      HTTP_PORT: '8081',
      MAX_PAGE_SIZE: '7',
      SEED: 'false',
      INSTANCE_ID: 'catalog-1',
      LOG_LEVEL: 'silent',
    })
    expect(config.grpcPort).toBe(0)
    expect(config.httpPort).toBe(8081)
    expect(config.maxPageSize).toBe(7)
    expect(config.seed).toBe(false)
    expect(config.instanceId).toBe('catalog-1')
    expect(config.logLevel).toBe('silent')
  })

  it('when a variable is set to the empty string, then it counts as unset', () => {
    expect(readConfig('catalog', spec, { DATABASE_URL: db, GRPC_PORT: '', SEED: '' })).toMatchObject({
      grpcPort: 50051,
      seed: true,
    })
    expect(problemsOf({ DATABASE_URL: '' })).toEqual([expect.stringMatching(/^DATABASE_URL: .*\(not set\)$/)])
  })

  it('when several values are wrong, then every problem is reported at once, each naming its variable', () => {
    const problems = problemsOf({
      DATABASE_URL: 'mysql://nope',
      GRPC_PORT: '70000',
      HTTP_PORT: 'eighty',
      LOG_LEVEL: 'loud',
      MAX_PAGE_SIZE: '0',
      SEED: 'yes',
      REGISTRY_URL: 'redis://x',
    })
    const named = problems.map((p) => p.slice(0, p.indexOf(':')))
    expect(named.sort()).toEqual(
      ['DATABASE_URL', 'GRPC_PORT', 'HTTP_PORT', 'LOG_LEVEL', 'MAX_PAGE_SIZE', 'REGISTRY_URL', 'SEED'].sort(),
    )
    expect(problems.find((p) => p.startsWith('DATABASE_URL'))).toContain('expected a postgres:// URL')
    expect(problems.find((p) => p.startsWith('GRPC_PORT'))).toContain('(got "70000")')
  })

  it('when a required value is missing, then the problem says it is not set', () => {
    expect(problemsOf({})).toEqual([expect.stringMatching(/^DATABASE_URL: .*\(not set\)$/)])
  })

  it('when the config is invalid, then the ConfigError message lists every problem', () => {
    let caught: unknown
    try {
      readConfig('catalog', spec, { GRPC_PORT: '-1' })
    } catch (err) {
      caught = err
    }
    expect(caught).toBeInstanceOf(ConfigError)
    expect(caught).toBeInstanceOf(Error)
    const error = caught as ConfigError
    expect(error.name).toBe('ConfigError')
    expect(error.problems).toHaveLength(2)
    for (const problem of error.problems) expect(error.message).toContain(problem)
  })

  it('when the config is read, then it is frozen', () => {
    const config = readConfig('catalog', spec, { DATABASE_URL: db })
    expect(Object.isFrozen(config)).toBe(true)
    expect(() => {
      ;(config as { grpcPort: number }).grpcPort = 1
    }).toThrow(TypeError)
    expect(config.grpcPort).toBe(50051)
  })

  it('when it reads, then it reads only the env it is given', () => {
    process.env.GRPC_PORT = '1234'
    try {
      expect(readConfig('catalog', spec, { DATABASE_URL: db }).grpcPort).toBe(50051)
    } finally {
      delete process.env.GRPC_PORT
    }
  })
})
