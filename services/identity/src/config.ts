import { createHash } from 'node:crypto'
import { busSettings, ConfigError, databaseSettings, readConfig, setting, z } from '@microshop/chassis'
import { emailProblem, normaliseEmail } from './domain/email.js'
import { passwordProblems } from './domain/password-policy.js'

// local defaults, documented in the README; outside local mode the password has none: it is published
const DEFAULT_ADMIN_EMAIL = 'admin@microshop.local'
const LOCAL_ADMIN_PASSWORD = 'microshop-admin-2026'
// the launcher passes a key from secrets.json; only a local run without one falls back to this published one
const LOCAL_KEY_ENCRYPTION_KEY = createHash('sha256').update('microshop-local-key-encryption-key').digest()

const seconds = (max: number) => z.coerce.number().int().min(1).max(max)

export const identitySettings = {
  ...databaseSettings,
  ...busSettings,
  accessTokenTtlSeconds: setting('IDENTITY_ACCESS_TOKEN_TTL_SECONDS', seconds(86_400).default(900)),
  refreshTokenTtlSeconds: setting(
    'IDENTITY_REFRESH_TOKEN_TTL_SECONDS',
    seconds(31_536_000).default(2_592_000),
  ),
  keyRotationHours: setting(
    'IDENTITY_KEY_ROTATION_HOURS',
    z.coerce.number().positive().max(8_760).default(24),
  ),
  housekeepingIntervalSeconds: setting('IDENTITY_HOUSEKEEPING_INTERVAL_SECONDS', seconds(86_400).default(60)),
  loginMaxFailures: setting(
    'IDENTITY_LOGIN_MAX_FAILURES',
    z.coerce.number().int().min(1).max(1_000).default(5),
  ),
  loginFailureWindowSeconds: setting('IDENTITY_LOGIN_FAILURE_WINDOW_SECONDS', seconds(86_400).default(900)),
  // the longest wait after repeated failures: a delay that grows, never a lockout an attacker can impose
  loginLockSeconds: setting('IDENTITY_LOGIN_LOCK_SECONDS', seconds(3_600).default(60)),
  argon2MemoryKib: setting(
    'IDENTITY_ARGON2_MEMORY_KIB',
    z.coerce.number().int().min(8_192).max(1_048_576).default(19_456),
  ),
  argon2TimeCost: setting('IDENTITY_ARGON2_TIME_COST', z.coerce.number().int().min(1).max(10).default(2)),
  adminEmail: setting(
    'MICROSHOP_ADMIN_EMAIL',
    z
      .string()
      .default(DEFAULT_ADMIN_EMAIL)
      .transform(normaliseEmail)
      .refine((email) => !emailProblem(email), 'expected an email address'),
  ),
  // checked below rather than here: a schema failure would echo the password into the error
  adminPassword: setting('MICROSHOP_ADMIN_PASSWORD', z.string().optional()),
  // wraps the private signing keys in the database (AES-256-GCM); checked below, for the same reason
  keyEncryptionKey: setting('IDENTITY_KEY_ENCRYPTION_KEY', z.string().optional()),
}

/** IDENTITY_KEY_ENCRYPTION_KEY: 32 bytes, base64 or base64url; the problem with it, or the key. */
function keyEncryptionKeyOf(value: string | undefined, local: boolean): Buffer | string {
  if (!value)
    return local
      ? LOCAL_KEY_ENCRYPTION_KEY
      : 'IDENTITY_KEY_ENCRYPTION_KEY: required outside local mode (MICROSHOP_LOCAL is not true/1): 32 random bytes, base64 (openssl rand -base64 32)'
  const bytes = Buffer.from(value, /^[A-Za-z0-9_-]+$/.test(value) ? 'base64url' : 'base64')
  return bytes.length === 32 && /^[A-Za-z0-9+/_-]+={0,2}$/.test(value)
    ? bytes
    : `IDENTITY_KEY_ENCRYPTION_KEY: expected 32 bytes, base64 (openssl rand -base64 32); got ${bytes.length} bytes`
}

/** Reads the settings and checks the admin password against the policy, reporting every problem at once. */
export function loadConfig(env: Record<string, string | undefined> = process.env) {
  const problems: string[] = []
  let config: ReturnType<typeof readConfig<typeof identitySettings>> | undefined
  try {
    config = readConfig('identity', identitySettings, env)
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err
    problems.push(...err.problems)
  }
  const adminEmail = normaliseEmail(env.MICROSHOP_ADMIN_EMAIL || DEFAULT_ADMIN_EMAIL)
  // only a launcher's local run may have the README's published password
  const local = config?.localMode ?? ['true', '1'].includes(env.MICROSHOP_LOCAL ?? '')
  const adminPassword = env.MICROSHOP_ADMIN_PASSWORD || (local ? LOCAL_ADMIN_PASSWORD : undefined)
  if (adminPassword === undefined)
    problems.push(
      'MICROSHOP_ADMIN_PASSWORD: required outside local mode (MICROSHOP_LOCAL is not true/1); the default is published',
    )
  else {
    const weak = passwordProblems(adminPassword, adminEmail)
    if (weak.length > 0)
      problems.push(`MICROSHOP_ADMIN_PASSWORD: fails the password policy: ${weak.join('; ')}`)
  }
  const keyEncryptionKey = keyEncryptionKeyOf(env.IDENTITY_KEY_ENCRYPTION_KEY, local)
  if (typeof keyEncryptionKey === 'string') problems.push(keyEncryptionKey)
  if (!config || adminPassword === undefined || typeof keyEncryptionKey === 'string' || problems.length > 0)
    throw new ConfigError(problems)
  return Object.freeze({ ...config, adminPassword, keyEncryptionKey })
}

export type IdentityConfig = ReturnType<typeof loadConfig>
