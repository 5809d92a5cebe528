import { join } from 'node:path'
import { bindGrpc, packageDir, runAsMain, startService } from '@microshop/chassis'
import { protoRoot } from '@microshop/contracts'
import { IdentityServiceService, protobufFileName } from '@microshop/contracts/identity/v1/identity'
import { createIdentityHandlers } from './api/grpc.js'
import { createAccessTokens } from './app/access-tokens.js'
import { createAccounts } from './app/accounts.js'
import { startHousekeeping } from './app/housekeeping.js'
import { createKeyRing, type KeyRing } from './app/key-ring.js'
import { createPasswordHasher } from './app/passwords.js'
import { createSessions } from './app/sessions.js'
import { loadConfig } from './config.js'
import { createAccountEvents } from './events/account-events.js'
import { createLoginFailureStore } from './store/login-failure-store.js'
import { createRefreshTokenStore } from './store/refresh-token-store.js'
import { createSigningKeyStore } from './store/signing-key-store.js'
import { createUserStore } from './store/user-store.js'

/** Composition root: config, stores, use cases and handlers, handed to the chassis. */
export function startIdentity(
  env: Record<string, string | undefined> = process.env,
  opts = { handleSignals: true },
) {
  const config = loadConfig(env)
  const clock = () => new Date()
  const lockout = {
    maxFailures: config.loginMaxFailures,
    windowMs: config.loginFailureWindowSeconds * 1000,
    lockMs: config.loginLockSeconds * 1000,
  }
  let keys: KeyRing | undefined
  return startService({
    name: 'identity',
    config,
    migrations: join(packageDir(import.meta.url), 'src/store/migrations'),
    handleSignals: opts.handleSignals,
    // identity verifies its callers with its own keys, not by calling itself
    jwks: async () => (keys ? keys.jwks() : { keys: [] }),
    async setup({ db, log, onStop, outbox }) {
      const users = createUserStore(db!)
      const refreshTokens = createRefreshTokenStore(db!)
      const failures = createLoginFailureStore(db!)
      keys = createKeyRing({
        store: createSigningKeyStore(db!),
        policy: {
          rotationMs: config.keyRotationHours * 3_600_000,
          accessTtlMs: config.accessTokenTtlSeconds * 1000,
        },
        clock,
        log,
      })
      await keys.ensureCurrent()
      const hasher = await createPasswordHasher({
        memoryKib: config.argon2MemoryKib,
        timeCost: config.argon2TimeCost,
      })
      const events = createAccountEvents(outbox!)
      const accounts = createAccounts({ db: db!, users, hasher, events, log })
      await accounts.ensureAdmin({ email: config.adminEmail, password: config.adminPassword })
      const accessTokens = createAccessTokens({ keys, ttlSeconds: config.accessTokenTtlSeconds, clock })
      const sessions = createSessions({
        db: db!,
        users,
        refreshTokens,
        failures,
        hasher,
        accessTokens,
        lockout,
        refreshTtlMs: config.refreshTokenTtlSeconds * 1000,
        clock,
      })
      const housekeeping = startHousekeeping({
        keys,
        refreshTokens,
        failures,
        lockout,
        intervalMs: config.housekeepingIntervalSeconds * 1000,
        clock,
        log,
      })
      onStop(() => housekeeping.stop())
      return {
        grpc: [bindGrpc(IdentityServiceService, createIdentityHandlers({ accounts, sessions, keys }))],
        proto: { root: protoRoot, files: [protobufFileName] },
      }
    },
  })
}

await runAsMain(import.meta.url, () => startIdentity())
