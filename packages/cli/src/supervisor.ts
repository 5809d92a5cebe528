import { type ChildProcess, spawn } from 'node:child_process'
import { createInterface } from 'node:readline'
import { setTimeout as sleep } from 'node:timers/promises'
import { signal } from './processes.js'
import type { InstanceState } from './state.js'
import { nodeOptionsOf, type ResolvedService } from './topology.js'

const FIRST_BACKOFF_MS = 500
const MAX_BACKOFF_MS = 15_000
const STABLE_AFTER_MS = 30_000
const KEPT_LINES = 30
/** An instance that crashes this often before it was ever ready fails the start at once. */
const MAX_EARLY_CRASHES = 5

export type SupervisorEvent =
  | { type: 'ready'; instance: InstanceState; elapsedMs: number }
  | {
      type: 'exited'
      instance: InstanceState
      pid: number
      code: number | null
      signal: string | null
      restartInMs?: number
    }

export interface SupervisorOptions {
  services: readonly ResolvedService[]
  cwd: string
  env(service: ResolvedService, instanceId: string): NodeJS.ProcessEnv
  onLine(instance: InstanceState, serviceIndex: number, line: string): void
  onEvent(event: SupervisorEvent): void
  /** Services stopped only once every other instance has exited (the console: it receives their last spans). */
  stopLast?: readonly string[]
}

interface Instance extends InstanceState {
  spec: ResolvedService
  serviceIndex: number
  child?: ChildProcess
  exited?: Promise<void>
  spawnedAt: number
  backoffMs: number
  everReady: boolean
  earlyCrashes: number
  restartTimer?: NodeJS.Timeout
  lines: string[]
}

/** Raised when instances do not become ready in time; carries their last log lines. */
export class NotReadyError extends Error {
  constructor(readonly instances: { id: string; why: string; lines: string[] }[]) {
    super(`not ready: ${instances.map((i) => i.id).join(', ')}`)
    this.name = 'NotReadyError'
  }
}

/** What the launcher shows and saves of an instance, without what its host keeps beside it. */
export const instanceView = (i: InstanceState): InstanceState => ({
  id: i.id,
  service: i.service,
  entry: i.entry,
  pid: i.pid,
  grpcPort: i.grpcPort,
  httpPort: i.httpPort,
  publicPort: i.publicPort,
  status: i.status,
  restarts: i.restarts,
})

/** What both ways of running instances keep of each: its last lines, and who to tell of a change. */
export function createInstanceBook<I extends InstanceState & { lines: string[]; serviceIndex: number }>(
  onLine: SupervisorOptions['onLine'],
) {
  const changed = new Set<() => void>()
  return {
    changed,
    notify() {
      for (const listener of changed) listener()
    },
    keep(instance: I, line: string) {
      instance.lines.push(line)
      if (instance.lines.length > KEPT_LINES) instance.lines.shift()
      onLine(instanceView(instance), instance.serviceIndex, line)
    },
  }
}

interface Waited {
  id: string
  lines: string[]
}

/**
 * Resolves once `ready()` holds, looked at whenever `changed` fires; rejects with the instances `failed()`
 * names (and why), with those `late()` names after timeoutMs, or with the abort's reason.
 */
export function waitUntilReady<I extends Waited>(
  opts: {
    changed: Set<() => void>
    ready(): boolean
    failed(): Array<{ instance: I; why: string }>
    late(): I[]
  },
  timeoutMs: number,
  abort?: AbortSignal,
): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const finish = (err?: Error) => {
      clearTimeout(timer)
      opts.changed.delete(check)
      abort?.removeEventListener('abort', onAbort)
      if (err) reject(err)
      else resolve()
    }
    const notReady = (list: Array<{ instance: I; why: string }>) =>
      new NotReadyError(list.map(({ instance: i, why }) => ({ id: i.id, why, lines: [...i.lines] })))
    const check = () => {
      const failed = opts.failed()
      if (failed.length > 0) finish(notReady(failed))
      else if (opts.ready()) finish()
    }
    const onAbort = () => finish(abort?.reason ?? new Error('aborted'))
    const timer = setTimeout(
      () =>
        finish(
          notReady(
            opts.late().map((instance) => ({ instance, why: `not ready after ${timeoutMs / 1000} s` })),
          ),
        ),
      timeoutMs,
    )
    opts.changed.add(check)
    abort?.addEventListener('abort', onAbort)
    if (abort?.aborted) onAbort()
    else check()
  })
}

async function isHealthy(httpPort: number): Promise<boolean> {
  try {
    const res = await fetch(`http://127.0.0.1:${httpPort}/health/ready`, {
      signal: AbortSignal.timeout(1_000),
    })
    await res.body?.cancel()
    return res.status === 200
  } catch {
    return false
  }
}

/** Runs each instance as a child process, restarts crashed ones with backoff, and stops them all. */
export function createSupervisor(opts: SupervisorOptions) {
  const instances: Instance[] = opts.services.flatMap((spec, serviceIndex) =>
    Array.from({ length: spec.replicas }, (_, i) => ({
      id: `${spec.name}-${i + 1}`,
      service: spec.name,
      entry: spec.entryPath,
      pid: undefined,
      grpcPort: undefined,
      httpPort: undefined,
      publicPort: undefined,
      status: 'starting' as const,
      restarts: 0,
      spec,
      serviceIndex,
      spawnedAt: 0,
      backoffMs: FIRST_BACKOFF_MS,
      everReady: false,
      earlyCrashes: 0,
      lines: [],
    })),
  )
  let stopping = false
  const { changed, notify, keep } = createInstanceBook<Instance>(opts.onLine)
  const view = instanceView

  async function awaitHealthy(instance: Instance, child: ChildProcess, httpPort: number) {
    while (instance.child === child && !stopping) {
      if (await isHealthy(httpPort)) {
        if (instance.child !== child) return
        instance.status = 'ready'
        instance.everReady = true
        instance.earlyCrashes = 0
        opts.onEvent({ type: 'ready', instance: view(instance), elapsedMs: Date.now() - instance.spawnedAt })
        notify()
        return
      }
      await sleep(100)
    }
  }

  function launch(instance: Instance) {
    instance.restartTimer = undefined
    if (stopping) return
    instance.status = 'starting'
    instance.spawnedAt = Date.now()
    // detached: its own process group, so a terminal Ctrl-C reaches only the launcher, which stops it in order
    const child = spawn(
      process.execPath,
      [...nodeOptionsOf(instance.spec.name), ...nodeArgs(), instance.entry],
      {
        cwd: opts.cwd,
        env: opts.env(instance.spec, instance.id),
        stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
        detached: true,
      },
    )
    instance.child = child
    instance.pid = child.pid
    for (const stream of [child.stdout, child.stderr]) {
      if (stream)
        createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY }).on('line', (l) =>
          keep(instance, l),
        )
    }
    child.on(
      'message',
      (message: { type?: string; grpcPort?: number; httpPort?: number; publicPort?: number }) => {
        if (message?.type !== 'microshop:ready' || instance.child !== child) return
        instance.grpcPort = message.grpcPort
        instance.httpPort = message.httpPort
        instance.publicPort = message.publicPort
        if (message.httpPort) void awaitHealthy(instance, child, message.httpPort)
      },
    )
    child.on('error', (err) => keep(instance, `[microshop] could not start ${instance.id}: ${err.message}`))
    instance.exited = new Promise((resolve) => {
      child.once('exit', (code, sig) => {
        onExit(instance, child, code, sig)
        resolve()
      })
    })
  }

  function onExit(instance: Instance, child: ChildProcess, code: number | null, sig: string | null) {
    if (instance.child !== child) return
    instance.child = undefined
    const pid = child.pid ?? 0
    if (stopping) {
      instance.status = 'stopped'
      opts.onEvent({ type: 'exited', instance: view(instance), pid, code, signal: sig })
      return
    }
    if (!instance.everReady) instance.earlyCrashes++
    if (Date.now() - instance.spawnedAt >= STABLE_AFTER_MS) instance.backoffMs = FIRST_BACKOFF_MS
    const delay = instance.backoffMs
    instance.backoffMs = Math.min(delay * 2, MAX_BACKOFF_MS)
    instance.status = 'restarting'
    instance.restarts++
    instance.restartTimer = setTimeout(() => launch(instance), delay)
    opts.onEvent({ type: 'exited', instance: view(instance), pid, code, signal: sig, restartInMs: delay })
    notify()
  }

  return {
    /** Spawns every instance. */
    start() {
      for (const instance of instances) launch(instance)
    },

    instances: () => instances.map(view),

    /** Resolves once every instance has been ready; rejects on timeout, on a crash loop, or on abort. */
    waitAllReady: (timeoutMs: number, abort?: AbortSignal) =>
      waitUntilReady(
        {
          changed,
          ready: () => instances.every((i) => i.everReady),
          failed: () =>
            instances
              .filter((i) => i.earlyCrashes >= MAX_EARLY_CRASHES)
              .map((instance) => ({
                instance,
                why: `crashed ${instance.earlyCrashes} times before it was ready`,
              })),
          late: () => instances.filter((i) => !i.everReady),
        },
        timeoutMs,
        abort,
      ),

    /**
     * SIGTERM to every instance, SIGKILL to those still running after graceMs or once `force` aborts; the
     * services named in `stopLast` get the same once all the others have exited.
     */
    async stop(graceMs = 10_000, force?: AbortSignal) {
      stopping = true
      for (const instance of instances) clearTimeout(instance.restartTimer)
      const last = new Set(opts.stopLast ?? [])
      await stopGroup(
        instances.filter((i) => !last.has(i.service)),
        graceMs,
        force,
      )
      await stopGroup(
        instances.filter((i) => last.has(i.service)),
        graceMs,
        force,
      )
    },
  }
}

async function stopGroup(group: readonly Instance[], graceMs: number, force?: AbortSignal) {
  const running = group.filter((i) => i.child?.pid)
  if (running.length === 0) return
  const killAll = (sig: NodeJS.Signals) => {
    // the negative pid addresses the instance's process group: it and anything it spawned
    for (const i of running) if (i.child?.pid) signal(-i.child.pid, sig)
  }
  killAll('SIGTERM')
  const allExited = Promise.all(running.map((i) => i.exited))
  const forced = new Promise<void>((resolve) => {
    if (force?.aborted) resolve()
    force?.addEventListener('abort', () => resolve(), { once: true })
  })
  const grace = sleep(graceMs, undefined, { ref: false })
  await Promise.race([allExited, grace, forced])
  killAll('SIGKILL')
  await Promise.race([allExited, sleep(2_000, undefined, { ref: false })])
}

export type Supervisor = ReturnType<typeof createSupervisor>

/**
 * Extra Node options for every service, from MICROSHOP_NODE_ARGS (space-separated): for profiling, e.g.
 * `--cpu-prof --cpu-prof-dir=/tmp/prof`, which NODE_OPTIONS does not accept.
 */
const nodeArgs = () => (process.env.MICROSHOP_NODE_ARGS ?? '').split(' ').filter(Boolean)
