import { chmod, mkdtemp, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { ensureSecrets, secretsPath } from './secrets.js'

const dirs: string[] = []
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true })
})

describe('secrets.json', () => {
  it('when it exists with a wider mode, then it is 0600 again after ensureSecrets, its passwords kept', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'microshop-secrets-'))
    dirs.push(dir)
    const first = await ensureSecrets(dir, ['platform', 'orders'])
    expect((await stat(secretsPath(dir))).mode & 0o777).toBe(0o600)
    await chmod(secretsPath(dir), 0o644)
    const again = await ensureSecrets(dir, ['platform', 'orders'])
    expect((await stat(secretsPath(dir))).mode & 0o777).toBe(0o600)
    expect(again.roles).toEqual(first.roles)
  })

  it('when a file made by hand is world-readable, then it is 0600 after ensureSecrets', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'microshop-secrets-'))
    dirs.push(dir)
    await writeFile(
      secretsPath(dir),
      JSON.stringify({ superuser: 's', roles: { platform: 'p' }, keys: { ordersFingerprint: 'k' } }),
      { mode: 0o644 },
    )
    await ensureSecrets(dir, ['platform'])
    expect((await stat(secretsPath(dir))).mode & 0o777).toBe(0o600)
  })

  it('when a data dir made before the key-encryption key starts again, then it gets one (32 bytes) and keeps its other keys', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'microshop-secrets-'))
    dirs.push(dir)
    await writeFile(
      secretsPath(dir),
      JSON.stringify({ superuser: 's', roles: { platform: 'p' }, keys: { ordersFingerprint: 'k' } }),
    )
    const { keys } = await ensureSecrets(dir, ['platform'])
    expect(keys.ordersFingerprint).toBe('k')
    expect(Buffer.from(keys.identityKeyEncryption ?? '', 'base64url')).toHaveLength(32)
    expect((await ensureSecrets(dir, ['platform'])).keys).toEqual(keys)
  })
})
