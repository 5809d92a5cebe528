import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { CliError } from './cli-error.js'
import { askConsole, consoleUrlOf, pathWith } from './console-client.js'
import { freePort } from './ports.js'
import { type SystemState, writeState } from './state.js'

let dataDir: string
beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'microshop-console-client-'))
})
afterEach(() => rm(dataDir, { recursive: true, force: true }))

const state = (overrides: Partial<SystemState>): SystemState => ({
  launcherPid: process.pid,
  pgPort: 1,
  pgPid: 1,
  gatewayUrl: undefined,
  consoleUrl: 'http://127.0.0.1:8081/',
  startedAt: new Date().toISOString(),
  instances: [],
  ...overrides,
})

const cliErrorOf = async (fn: () => unknown) => {
  try {
    await fn()
  } catch (err) {
    expect(err).toBeInstanceOf(CliError)
    return (err as CliError).message
  }
  throw new Error('expected a CliError')
}

describe('finding the console', () => {
  it('when no system ever ran here, then the error says it is not running and how to start it', async () => {
    expect(await cliErrorOf(() => consoleUrlOf(dataDir))).toBe(
      `microshop is not running from ${dataDir}: start it with \`npm start\` first`,
    )
  })

  it('when the launcher named in the state is gone, then it is not running either', async () => {
    // a pid above the kernel's pid_max names no process
    await writeState(dataDir, state({ launcherPid: 2 ** 22 + 1 }))
    expect(await cliErrorOf(() => consoleUrlOf(dataDir))).toContain('microshop is not running')
  })

  it('when the launcher runs, then the console URL comes from its state', async () => {
    await writeState(dataDir, state({}))
    expect(consoleUrlOf(dataDir)).toBe('http://127.0.0.1:8081')
  })

  it('when the console does not listen, then the error names its URL and where to look', async () => {
    const base = `http://127.0.0.1:${await freePort()}`
    const message = await cliErrorOf(() => askConsole(base, '/api/traces'))
    expect(message).toContain(`the console at ${base} does not answer (ECONNREFUSED)`)
    expect(message).toContain('npx microshop status')
  })

  it('when parameters are not given, then they are left out of the query', () => {
    expect(pathWith('/api/logs', { service: 'catalog', level: undefined, limit: 5 })).toBe(
      '/api/logs?service=catalog&limit=5',
    )
    expect(pathWith('/api/traces', {})).toBe('/api/traces')
  })
})
