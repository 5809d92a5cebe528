import type { ChildProcess } from 'node:child_process'
import { readdir, readFile } from 'node:fs/promises'

/** Whether the child has exited or died of a signal. */
export const hasExited = (child: ChildProcess) => child.exitCode !== null || child.signalCode !== null

/**
 * Stops a child as a user or an orchestrator does: `signal` by its PID, and SIGKILL only when it has not
 * exited after forceAfterMs (a backstop for a hung test run, well past every service's own shutdown budget).
 * Resolves with its exit code (null when a signal ended it).
 */
export async function stopChild(
  child: ChildProcess,
  signal: NodeJS.Signals,
  forceAfterMs = 30_000,
): Promise<number | null> {
  if (hasExited(child)) return child.exitCode
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  const force = setTimeout(() => child.kill('SIGKILL'), forceAfterMs)
  child.kill(signal)
  try {
    return await exited
  } finally {
    clearTimeout(force)
  }
}

/** Every process under root (root included), read from /proc. */
export async function processTree(root: number): Promise<number[]> {
  const children = new Map<number, number[]>()
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '')
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1])
    if (!children.has(ppid)) children.set(ppid, [])
    children.get(ppid)!.push(Number(entry))
  }
  const all: number[] = []
  const visit = (pid: number) => {
    all.push(pid)
    for (const child of children.get(pid) ?? []) visit(child)
  }
  visit(root)
  return all
}
