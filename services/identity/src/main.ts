import { bindGrpc, defineService, emitterOf, runAsMain } from '@microshop/chassis'
import { protoRoot } from '@microshop/contracts'
import { IdentityServiceService, protobufFileName } from '@microshop/contracts/identity/v1/identity'
import { createIdentityHandlers } from './api/grpc.js'
import { createAccessTokens } from './app/access-tokens.js'
import { createAccounts } from './app/accounts.js'
import { createHousekeeping } from './app/housekeeping.js'
import { createKeyRing } from './app/key-ring.js'
import { createKeyWrap } from './app/key-wrap.js'
import { createPasswordHasher } from './app/passwords.js'
import { createSessions } from './app/sessions.js'
import { loadConfig } from './config.js'
import { toContractEvents } from './events/account-events.js'
import { loginFailureStore } from './store/login-failure-store.js'
import { refreshTokenStore } from './store/refresh-token-store.js'
import { signingKeyStore } from './store/signing-key-store.js'
import { userStore } from './store/user-store.js'

/** Composition root: config, stores, use cases and handlers, handed to the chassis. */
export const startIdentity = defineService({
  name: 'identity',
  module: import.meta.url,
  config: loadConfig,
  database: true,
  events: true,
  async setup({ config, db, events, log, clock, every }) {
    const lockout = {
      maxFailures: config.loginMaxFailures,
      windowMs: config.loginFailureWindowSeconds * 1000,
      lockMs: config.loginLockSeconds * 1000,
    }
    const keys = createKeyRing({
      db,
      store: signingKeyStore,
      policy: {
        rotationMs: config.keyRotationHours * 3_600_000,
        accessTtlMs: config.accessTokenTtlSeconds * 1000,
      },
      clock,
      log,
      keyWrap: createKeyWrap(config.keyEncryptionKey),
    })
    await keys.checkUnwraps()
    await keys.ensureCurrent()
    const hasher = await createPasswordHasher({
      memoryKib: config.argon2MemoryKib,
      timeCost: config.argon2TimeCost,
    })
    const emit = emitterOf(events, toContractEvents)
    const accounts = createAccounts({ db, users: userStore, hasher, emit, log, clock })
    await accounts.ensureAdmin({ email: config.adminEmail, password: config.adminPassword })
    const accessTokens = createAccessTokens({ keys, ttlSeconds: config.accessTokenTtlSeconds, clock })
    const sessions = createSessions({
      db,
      users: userStore,
      refreshTokens: refreshTokenStore,
      failures: loginFailureStore,
      hasher,
      accessTokens,
      lockout,
      refreshTtlMs: config.refreshTokenTtlSeconds * 1000,
      clock,
    })
    every(
      createHousekeeping({
        db,
        keys,
        refreshTokens: refreshTokenStore,
        failures: loginFailureStore,
        lockout,
        intervalMs: config.housekeepingIntervalSeconds * 1000,
        clock,
      }),
    )
    return {
      grpc: [bindGrpc(IdentityServiceService, createIdentityHandlers({ accounts, sessions, keys }))],
      proto: { root: protoRoot, files: [protobufFileName] },
      // identity checks its callers with its own keys, not by calling itself
      accessTokenKeys: () => keys.jwks(),
    }
  },
})

await runAsMain(import.meta.url, startIdentity)
