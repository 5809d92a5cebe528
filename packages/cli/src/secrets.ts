import { randomBytes } from 'node:crypto'
import { existsSync, readFileSync } from 'node:fs'
import { chmod, writeFile } from 'node:fs/promises'
import { join } from 'node:path'

/** Passwords of the PostgreSQL superuser and of each role, and services' keys, generated once per data dir. */
export interface Secrets {
  superuser: string
  roles: Record<string, string>
  /**
   * Keys a service holds, by name: `ordersFingerprint` keys orders' idempotency fingerprints (HMAC),
   * `identityKeyEncryption` wraps identity's private signing keys (AES-256-GCM).
   */
  keys?: Record<string, string>
}

/** The keys every data dir has; a data dir made before a key existed gets it on its next start. */
const KEYS = ['ordersFingerprint', 'identityKeyEncryption'] as const
// 32 random bytes, base64url: an HMAC key for orders, an AES-256 key-encryption key for identity
const newKey = () => randomBytes(32).toString('base64url')

const newPassword = () => randomBytes(18).toString('base64url')

export const secretsPath = (dataDir: string) => join(dataDir, 'secrets.json')

/** Reads secrets.json; undefined when the data dir was never started. */
export function readSecrets(dataDir: string): Secrets | undefined {
  const file = secretsPath(dataDir)
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Secrets) : undefined
}

/**
 * Reads secrets.json, adding a password for each role and a key for each service key it lacks. The file is
 * the launcher user's alone (0600), made so again on every start whatever its mode was.
 */
export async function ensureSecrets(
  dataDir: string,
  roles: readonly string[],
): Promise<Secrets & { keys: Record<string, string> }> {
  const read = readSecrets(dataDir) ?? { superuser: newPassword(), roles: {} }
  const secrets = { ...read, keys: { ...read.keys } }
  const missing = roles.filter((r) => !secrets.roles[r])
  for (const role of missing) secrets.roles[role] = newPassword()
  const missingKeys = KEYS.filter((k) => !secrets.keys[k])
  for (const key of missingKeys) secrets.keys[key] = newKey()
  if (missing.length > 0 || missingKeys.length > 0 || !existsSync(secretsPath(dataDir))) {
    await writeFile(secretsPath(dataDir), `${JSON.stringify(secrets, null, 2)}\n`, { mode: 0o600 })
  }
  // writeFile's mode applies only to a file it creates
  await chmod(secretsPath(dataDir), 0o600)
  return secrets
}
