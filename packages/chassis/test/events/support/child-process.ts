import { type ChildProcess, spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const loader = new URL('./register-ts.mjs', import.meta.url).href

export interface Child {
  process: ChildProcess
  /** Resolves with the signal (or exit code) the child ended with. */
  exited: Promise<string>
  /** Resolves at the child's first IPC message (it is ready). */
  ready: Promise<void>
}

/** Runs one of this folder's TypeScript scripts as a real process, its config in CHILD_CONFIG. */
export function startChild(script: string, config: Record<string, unknown>): Child {
  const child = spawn(
    process.execPath,
    ['--import', loader, fileURLToPath(new URL(script, import.meta.url))],
    {
      env: { ...process.env, CHILD_CONFIG: JSON.stringify(config) },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    },
  )
  const exited = new Promise<string>((resolve) =>
    child.once('exit', (code, signal) => resolve(signal ?? `exit ${code}`)),
  )
  const ready = new Promise<void>((resolve, reject) => {
    child.once('message', () => resolve())
    void exited.then((how) => reject(new Error(`child ${script} ended before it was ready: ${how}`)))
  })
  ready.catch(() => undefined)
  return { process: child, exited, ready }
}

export const hasEnded = (child: Child) => child.process.exitCode !== null || child.process.signalCode !== null

/** Kills the children that still run, as a test ends whatever its outcome; empties the list. */
export function killRunning(children: Child[]): void {
  for (const child of children.splice(0)) if (!hasEnded(child)) child.process.kill('SIGKILL')
}
