import { ACCESS_TOKEN, type Db, type Logger } from '@microshop/chassis'
import {
  type CryptoKey,
  calculateJwkThumbprint,
  exportJWK,
  generateKeyPair,
  importJWK,
  type JSONWebKeySet,
  type JWK,
} from 'jose'
import { isPublished, type KeyPolicy, needsNewKey, publishedKeys } from '../domain/signing-keys.js'
import type { SigningKeyStore, StoredSigningKey } from '../store/signing-key-store.js'
import type { KeyWrap } from './key-wrap.js'

async function generateSigningKey(createdAt: Date, keyWrap: KeyWrap) {
  const { publicKey, privateKey } = await generateKeyPair('Ed25519', { extractable: true })
  const publicJwk = await exportJWK(publicKey)
  const kid = await calculateJwkThumbprint(publicJwk)
  const privateJwk = { ...(await exportJWK(privateKey)), kid, alg: ACCESS_TOKEN.algorithm }
  return {
    kid,
    publicJwk: { ...publicJwk, kid, alg: ACCESS_TOKEN.algorithm, use: 'sig' },
    wrappedPrivateKey: keyWrap.wrap(kid, privateJwk),
    createdAt,
    retiredAt: null,
  }
}

export type KeyRing = ReturnType<typeof createKeyRing>

/** The Ed25519 keys that sign access tokens: created, rotated and pruned under one lock for all replicas. */
export function createKeyRing(deps: {
  db: Db
  store: SigningKeyStore
  policy: KeyPolicy
  clock: () => Date
  log: Logger
  /** Wraps private halves before they reach the database (IDENTITY_KEY_ENCRYPTION_KEY). */
  keyWrap: KeyWrap
}) {
  const { db, store, policy, clock, log, keyWrap } = deps
  const imported = new Map<string, Promise<CryptoKey>>()
  const privateJwkOf = (key: StoredSigningKey) =>
    'wrapped' in key.privateKey ? keyWrap.unwrap(key.kid, key.privateKey.wrapped) : key.privateKey.unwrapped

  const ensureCurrent = () =>
    db.tx(async (tx) => {
      await store.lock(tx)
      const keys = await store.list(tx)
      // rows of an earlier version keep the private half in the clear: wrapped here, by whichever replica
      const clear = keys.filter((k) => 'unwrapped' in k.privateKey)
      for (const key of clear) await store.wrap(tx, key.kid, keyWrap.wrap(key.kid, privateJwkOf(key)))
      if (clear.length > 0) log.info({ kids: clear.map((k) => k.kid) }, 'stored signing keys wrapped')
      const now = clock()
      const gone = keys.filter((k) => !isPublished(k, now, policy)).map((k) => k.kid)
      if (gone.length > 0) {
        await store.remove(tx, gone)
        log.info({ kids: gone }, 'retired signing keys removed')
      }
      if (!needsNewKey(keys, now, policy)) return false
      const key = await generateSigningKey(now, keyWrap)
      await store.rotateTo(tx, key)
      log.info({ kid: key.kid }, keys.length === 0 ? 'first signing key created' : 'signing key rotated')
      return true
    })

  return {
    /**
     * Fails, naming IDENTITY_KEY_ENCRYPTION_KEY, when a stored key does not unwrap with it: checked at start,
     * before this key wraps anything, so a wrong key refuses to start instead of failing each login.
     */
    async checkUnwraps(): Promise<void> {
      for (const key of await store.list(db)) privateJwkOf(key)
    },

    /** Creates the first key, or rotates an active key that has signed long enough; true when a key was made. */
    ensureCurrent,

    /** The key to sign with now, as the database says, so every replica signs with the same one. */
    async signingKey(): Promise<{ kid: string; key: CryptoKey }> {
      let active = await store.active(db)
      if (!active) {
        await ensureCurrent()
        active = await store.active(db)
      }
      if (!active) throw new Error('no active signing key')
      let key = imported.get(active.kid)
      if (!key) {
        key = importJWK(privateJwkOf(active) as JWK, ACCESS_TOKEN.algorithm) as Promise<CryptoKey>
        imported.set(active.kid, key)
      }
      return { kid: active.kid, key: await key }
    },

    /** The public keys that verify tokens live now. */
    async jwks(): Promise<JSONWebKeySet> {
      const keys = publishedKeys(await store.list(db), clock(), policy)
      return { keys: keys.map((k) => k.publicJwk as JWK) }
    },
  }
}
