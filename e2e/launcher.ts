import { type ChildProcess, execFile, spawn } from 'node:child_process'
import { join } from 'node:path'
import { eventually } from '@microshop/chassis/testing'
import { freePort } from '../test-support/net.js'
import { hasExited, stopChild } from '../test-support/processes.js'

/** The CLI as a user runs it, from the compiled dist/. */
export const CLI = join(import.meta.dirname, '..', 'packages', 'cli', 'bin', 'microshop.js')
const READY = 'Ctrl-C to stop'

export interface Launcher {
  readonly child: ChildProcess
  /** Everything it printed so far, stdout and stderr together. */
  readonly output: string
  /** Resolves once it reports every service ready; fails at once when it exits first. */
  ready(timeoutMs?: number): Promise<void>
  /** Ctrl-C, then SIGKILL when it has not exited after forceAfterMs; resolves with its exit code. */
  stop(forceAfterMs?: number): Promise<number | null>
}

/** `microshop up` on this data dir and port (the console on a free port unless args name one), in its own process group. */
export async function launch(
  dataDir: string,
  port: number,
  opts: { args?: string[]; env?: Record<string, string> } = {},
): Promise<Launcher> {
  const args = opts.args ?? []
  // a console of its own: files run in parallel, and a user's system may hold 8081
  const consolePort = args.includes('--console-port') ? [] : ['--console-port', String(await freePort())]
  const child = spawn(
    process.execPath,
    [CLI, 'up', '--data-dir', dataDir, '--port', String(port), ...consolePort, ...args],
    { detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...opts.env } },
  )
  let output = ''
  child.stdout!.on('data', (d) => {
    output += d
  })
  child.stderr!.on('data', (d) => {
    output += d
  })
  const gone = () => hasExited(child)

  return {
    child,
    get output() {
      return output
    },
    async ready(timeoutMs = 120_000) {
      const outcome = await eventually(
        () => {
          if (gone()) return 'exited'
          if (!output.includes(READY)) throw new Error(`not ready yet:\n${output.slice(-3000)}`)
          return 'ready'
        },
        { what: 'microshop up', timeoutMs, everyMs: 100 },
      )
      if (outcome === 'exited')
        throw new Error(`launcher exited (${child.exitCode ?? child.signalCode}):\n${output.slice(-3000)}`)
    },
    stop: (forceAfterMs = 30_000) => stopChild(child, 'SIGINT', forceAfterMs),
  }
}

/** `microshop audit` with these flags, as a user runs it: its exit code and what it printed. */
export const auditWith = (args: string[], sagaLimitSeconds = 30) =>
  new Promise<{ code: number; text: string }>((resolve) =>
    execFile(
      process.execPath,
      [CLI, 'audit', ...args, '--saga-limit-seconds', String(sagaLimitSeconds)],
      (err, stdout, stderr) =>
        resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, text: `${stdout}${stderr}` }),
    ),
  )

/** `microshop audit` on the launcher's data dir. */
export const audit = (dataDir: string, sagaLimitSeconds = 30) =>
  auditWith(['--data-dir', dataDir], sagaLimitSeconds)
