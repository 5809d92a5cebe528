import { mkdir, mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** A service package of a test's own, with one migration, as a service's src/store/migrations: its module URL. */
export async function serviceModule(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), `microshop-${prefix}-`))
  await writeFile(join(dir, 'package.json'), '{}')
  await mkdir(join(dir, 'src/store/migrations'), { recursive: true })
  await writeFile(
    join(dir, 'src/store/migrations/0001_notes.sql'),
    'create table notes (id text primary key);',
  )
  return `file://${join(dir, 'src/main.js')}`
}
