import { pathToFileURL } from 'node:url'
import type { RunningService, ServiceStarter } from '@microshop/chassis'
import { createInProcessRegistry } from '@microshop/chassis/internal'
import { CliError } from './cli-error.js'
import type { InstanceState } from './state.js'
import {
  createInstanceBook,
  instanceView,
  type Supervisor,
  type SupervisorOptions,
  waitUntilReady,
} from './supervisor.js'
import type { ResolvedService } from './topology.js'

/** Attempts at starting an instance (a peer or the database not ready yet) before the start fails. */
const START_ATTEMPTS = 5
const FIRST_BACKOFF_MS = 500

interface Instance extends InstanceState {
  spec: ResolvedService
  serviceIndex: number
  running?: RunningService
  started?: Promise<void>
  failure?: string
  lines: string[]
}

const pascal = (name: string) => name.replace(/(^|-)([a-z0-9])/g, (_, _dash, c: string) => c.toUpperCase())

/** The starter a service's main module exports: `start<Name>`, or its only `start…` function. */
async function loadStarter(spec: ResolvedService): Promise<ServiceStarter> {
  const exports = (await import(pathToFileURL(spec.entryPath).href)) as Record<string, unknown>
  const named = exports[`start${pascal(spec.name)}`]
  if (typeof named === 'function') return named as ServiceStarter
  const starters = Object.entries(exports).filter(
    ([k, v]) => k.startsWith('start') && typeof v === 'function',
  )
  if (starters.length === 1) return starters[0]![1] as ServiceStarter
  throw new CliError(`${spec.entry} exports no service starter (start${pascal(spec.name)}) to run in-process`)
}

/**
 * Every instance in this process, from the same code and with the same environment as a child process would
 * get: peers call each other through one in-process registry instead of gRPC, events still go through each
 * service's outbox and the event log. The supervisor's interface, so the launcher runs either.
 */
export function createInProcessHost(opts: SupervisorOptions): Supervisor {
  const registry = createInProcessRegistry()
  const instances: Instance[] = opts.services.flatMap((spec, serviceIndex) =>
    Array.from({ length: spec.replicas }, (_, i) => ({
      id: `${spec.name}-${i + 1}`,
      service: spec.name,
      entry: spec.entryPath,
      pid: process.pid,
      grpcPort: undefined,
      httpPort: undefined,
      publicPort: undefined,
      status: 'starting' as const,
      restarts: 0,
      spec,
      serviceIndex,
      lines: [],
    })),
  )
  let stopping = false
  const halt = new AbortController()
  const halted = new Promise<void>((resolve) => halt.signal.addEventListener('abort', () => resolve()))
  const { changed, notify, keep } = createInstanceBook<Instance>(opts.onLine)
  const view = instanceView

  // each instance's log lines, one pino line per write, labelled as the child's stdout would be
  const linesOf = (instance: Instance) => ({
    write(chunk: string) {
      for (const line of chunk.split('\n')) if (line !== '') keep(instance, line)
    },
  })

  async function launch(instance: Instance) {
    const began = Date.now()
    let backoffMs = FIRST_BACKOFF_MS
    for (let attempt = 1; !stopping; attempt++) {
      try {
        const start = await loadStarter(instance.spec)
        const running = await start(opts.env(instance.spec, instance.id), {
          handleSignals: false,
          inProcess: registry,
          logDestination: linesOf(instance),
        })
        instance.running = running
        if (stopping) return void (await running.stop())
        // ready as its /health/ready says, not as soon as it listens: its start-up work may wait for a peer
        await Promise.race([running.whenReady, halted])
        if (stopping) return
        instance.httpPort = running.httpPort
        instance.publicPort = running.publicPort
        instance.status = 'ready'
        opts.onEvent({ type: 'ready', instance: view(instance), elapsedMs: Date.now() - began })
        return notify()
      } catch (err) {
        const why = err instanceof Error ? err.message : String(err)
        keep(instance, `[microshop] ${instance.id} did not start: ${why}`)
        if (attempt >= START_ATTEMPTS || err instanceof CliError) {
          instance.failure = `did not start after ${attempt} attempts`
          return notify()
        }
        instance.restarts++
        await new Promise((resolve) => setTimeout(resolve, backoffMs))
        backoffMs *= 2
      }
    }
  }

  const stopGroup = async (group: Instance[], graceMs: number, force?: AbortSignal) => {
    const stopped = Promise.all(
      group.map(async (i) => {
        await i.started
        await i.running?.stop()
        i.status = 'stopped'
      }),
    )
    // a service cannot be killed apart from the process: past the grace, the launcher exits with it unstopped
    await Promise.race([
      stopped,
      new Promise((resolve) => setTimeout(resolve, graceMs).unref()),
      new Promise((resolve) => force?.addEventListener('abort', resolve, { once: true })),
    ])
  }

  return {
    start() {
      for (const instance of instances) instance.started = launch(instance)
    },

    instances: () => instances.map(view),

    waitAllReady: (timeoutMs: number, abort?: AbortSignal) =>
      waitUntilReady(
        {
          changed,
          ready: () => instances.every((i) => i.status === 'ready'),
          failed: () =>
            instances.flatMap((instance) => (instance.failure ? [{ instance, why: instance.failure }] : [])),
          late: () => instances.filter((i) => i.status !== 'ready'),
        },
        timeoutMs,
        abort,
      ),

    async stop(graceMs = 10_000, force?: AbortSignal) {
      stopping = true
      halt.abort()
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
