import { type ChildProcess, execFile, spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import type { AppError } from '@microshop/chassis'
import { createServiceClient } from '@microshop/chassis/internal'
import { silentLogger, staticDiscovery } from '@microshop/chassis/testing'
import { IdentityServiceService } from '@microshop/contracts/identity/v1/identity'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestDatabase, type TestDatabase } from '../../../test-support/db.js'
import { rejectionOf } from '../../../test-support/grpc.js'
import { asCaller } from '../../../test-support/identity-service.js'
import { createKeyWrap } from '../src/app/key-wrap.js'

const root = fileURLToPath(new URL('../../../', import.meta.url))
const main = fileURLToPath(new URL('../dist/main.js', import.meta.url))
const PASSWORD = 'Log-secret-password-41'
const WRONG_PASSWORD = 'Wrong-secret-password-77'
const KEK = randomBytes(32)

interface Child {
  process: ChildProcess
  output: () => string
  exited: Promise<number | null>
}

/** The built service as its own process, the way the launcher runs it, with everything it prints kept. */
function spawnIdentity(env: Record<string, string>): Child {
  const child = spawn(process.execPath, [main], {
    cwd: root,
    env: {
      PATH: process.env.PATH ?? '',
      HOST: '127.0.0.1',
      GRPC_PORT: '0',
      HTTP_PORT: '0',
      GRPC_INSECURE: 'true',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  })
  const chunks: Buffer[] = []
  child.stdout!.on('data', (chunk: Buffer) => chunks.push(chunk))
  child.stderr!.on('data', (chunk: Buffer) => chunks.push(chunk))
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  return { process: child, output: () => Buffer.concat(chunks).toString(), exited }
}

const readyPort = (child: Child) =>
  new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`not ready:\n${child.output()}`)), 30_000)
    child.process.on('message', (msg: { type?: string; grpcPort?: number }) => {
      if (msg.type !== 'microshop:ready') return
      clearTimeout(timer)
      resolve(msg.grpcPort!)
    })
    child.exited.then((code) => reject(new Error(`exited with ${code}:\n${child.output()}`)))
  })

beforeAll(async () => {
  // the child runs the compiled service: build it (and what it references) to run the current source
  const tsc = join(root, 'node_modules/.bin/tsc')
  await promisify(execFile)(tsc, ['-b', 'services/identity'], { cwd: root }).catch((err) => {
    throw new Error(`services/identity does not compile:\n${err.stdout}`)
  })
}, 120_000)

describe('what the service prints', () => {
  let db: TestDatabase
  let busDb: TestDatabase
  let child: Child | undefined

  beforeAll(async () => {
    ;[db, busDb] = await Promise.all([
      createTestDatabase('identity_logs'),
      createTestDatabase('identity_logs_bus'),
    ])
  })
  afterAll(async () => {
    child?.process.kill('SIGKILL')
    await child?.exited
    await Promise.all([db?.drop(), busDb?.drop()])
  })

  it('when a whole session runs at debug level, then no password, token or key appears in the logs', async () => {
    child = spawnIdentity({
      DATABASE_URL: db.url,
      BUS_URL: busDb.url,
      LOG_LEVEL: 'trace',
      MICROSHOP_LOCAL: '1',
      IDENTITY_KEY_ENCRYPTION_KEY: KEK.toString('base64'),
    })
    const port = await readyPort(child)
    const client = createServiceClient({
      service: 'identity',
      definition: IdentityServiceService,
      discovery: staticDiscovery([`127.0.0.1:${port}`]),
      log: silentLogger,
      deadlineMs: 10_000,
    })
    const email = 'logs@example.com'
    const secrets: string[] = [PASSWORD, WRONG_PASSWORD, 'microshop-admin-2026']
    try {
      await client.call('register', { email, password: PASSWORD, name: 'Log Reader' })
      await rejectionOf(
        client.call('register', { email: 'weak@example.com', password: 'weak', name: 'Weak' }),
      )
      // a taken email is answered like a new one, and logged without the email or password
      await client.call('register', { email, password: PASSWORD, name: 'Again' })
      await rejectionOf(client.call('login', { email, password: WRONG_PASSWORD }))
      const first = (await client.call('login', { email, password: PASSWORD })).tokens!
      const second = (await client.call('refresh', { refreshToken: first.refreshToken })).tokens!
      const reused = await rejectionOf<AppError>(client.call('refresh', { refreshToken: first.refreshToken }))
      expect(reused.code).toBe('IDENTITY_REFRESH_REUSED')
      const third = (await client.call('login', { email, password: PASSWORD })).tokens!
      await asCaller(third.accessToken, () => client.call('getProfile', {}))
      await asCaller(third.accessToken, () =>
        client.call('updateProfile', { name: 'Log Reader II', replaceAddresses: false, addresses: [] }),
      )
      await rejectionOf(asCaller(`${third.accessToken}x`, () => client.call('getProfile', {})))
      await client.call('logout', { refreshToken: third.refreshToken })
      for (const t of [first, second, third])
        secrets.push(t.accessToken, t.refreshToken, t.accessToken.split('.')[2]!)
    } finally {
      client.close()
    }
    const pg = await import('pg')
    const admin = new pg.default.Client({ connectionString: db.url })
    await admin.connect()
    const { rows } = await admin.query<{ kid: string; wrapped: string; hash: string }>(
      `select kid, private_key_wrapped as wrapped, (select password_hash from users where email = $1) as hash
         from signing_keys`,
      [email],
    )
    await admin.end()
    const { kid, wrapped, hash } = rows[0]!
    secrets.push(createKeyWrap(KEK).unwrap(kid, wrapped).d as string, wrapped, hash, '$argon2')

    child.process.kill('SIGTERM')
    expect(await child.exited).toBe(0)
    const output = child.output()
    // the control: the logs are there and at debug level, so their silence about secrets means something
    expect(output).toContain('"msg":"identity ready"')
    expect(output).toContain('"msg":"user registered"')
    expect(output).toContain('call rejected')
    for (const secret of secrets)
      expect(output, `a secret (${secret.slice(0, 6)}…) was logged`).not.toContain(secret)
  })
})

describe('a bad configuration', () => {
  it('when DATABASE_URL is not a postgres URL, then the process stops with a message naming it', async () => {
    const child = spawnIdentity({
      DATABASE_URL: 'x',
      BUS_URL: 'postgres://127.0.0.1:1/bus',
      MICROSHOP_LOCAL: '1',
    })
    expect(await child.exited).toBe(78)
    expect(child.output()).toBe(
      'invalid configuration:\n  - DATABASE_URL: expected a postgres:// URL (got "x")\n',
    )
  })

  it('when the admin password breaks the policy, then the process stops without printing the password', async () => {
    const child = spawnIdentity({
      DATABASE_URL: 'postgres://127.0.0.1:1/identity',
      BUS_URL: 'postgres://127.0.0.1:1/bus',
      MICROSHOP_ADMIN_PASSWORD: 'onlyletterspassword',
      IDENTITY_ACCESS_TOKEN_TTL_SECONDS: '0',
    })
    expect(await child.exited).toBe(78)
    const output = child.output()
    expect(output).toContain('IDENTITY_ACCESS_TOKEN_TTL_SECONDS')
    expect(output).toContain('MICROSHOP_ADMIN_PASSWORD: fails the password policy: mix at least two of')
    expect(output).not.toContain('onlyletterspassword')
  })

  it('when outside local mode no admin password is set, then the process stops naming MICROSHOP_ADMIN_PASSWORD', async () => {
    const child = spawnIdentity({
      DATABASE_URL: 'postgres://127.0.0.1:1/identity',
      BUS_URL: 'postgres://127.0.0.1:1/bus',
    })
    expect(await child.exited).toBe(78)
    expect(child.output()).toContain('MICROSHOP_ADMIN_PASSWORD: required outside local mode')
  })
})
