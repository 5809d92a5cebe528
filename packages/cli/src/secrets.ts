import { randomBytes } from 'node:crypto'
import { existsSync, readFileSync } from 'node:fs'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'

/** Passwords of the PostgreSQL superuser and of each role, generated once per data dir. */
export interface Secrets {
  superuser: string
  roles: Record<string, string>
}

const newPassword = () => randomBytes(18).toString('base64url')

export const secretsPath = (dataDir: string) => join(dataDir, 'secrets.json')

/** Reads secrets.json; undefined when the data dir was never started. */
export function readSecrets(dataDir: string): Secrets | undefined {
  const file = secretsPath(dataDir)
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Secrets) : undefined
}

/** Reads secrets.json, adding a password for each role that has none yet (mode 0600). */
export async function ensureSecrets(dataDir: string, roles: readonly string[]): Promise<Secrets> {
  const secrets = readSecrets(dataDir) ?? { superuser: newPassword(), roles: {} }
  const missing = roles.filter((r) => !secrets.roles[r])
  for (const role of missing) secrets.roles[role] = newPassword()
  if (missing.length > 0 || !existsSync(secretsPath(dataDir))) {
    await writeFile(secretsPath(dataDir), `${JSON.stringify(secrets, null, 2)}\n`, { mode: 0o600 })
  }
  return secrets
}
