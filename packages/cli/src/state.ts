import { existsSync, readFileSync } from 'node:fs'
import { rename, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'

/** One running instance, as the launcher knows it. */
export interface InstanceState {
  id: string
  service: string
  entry: string
  pid: number | undefined
  grpcPort: number | undefined
  httpPort: number | undefined
  publicPort: number | undefined
  status: 'starting' | 'ready' | 'restarting' | 'stopped'
  restarts: number
}

/** What `<dataDir>/state.json` holds while a launcher runs. */
export interface SystemState {
  launcherPid: number
  pgPort: number
  pgPid: number
  gatewayUrl: string | undefined
  /** The console's query API and OTLP receiver; undefined when the topology has no console. */
  consoleUrl?: string | undefined
  startedAt: string
  instances: InstanceState[]
}

export const statePath = (dataDir: string) => join(dataDir, 'state.json')

export function readState(dataDir: string): SystemState | undefined {
  const file = statePath(dataDir)
  if (!existsSync(file)) return undefined
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as SystemState
  } catch {
    return undefined
  }
}

/** Writes state.json atomically, so a reader never sees half a file. */
export async function writeState(dataDir: string, state: SystemState): Promise<void> {
  const tmp = `${statePath(dataDir)}.${process.pid}.tmp`
  await writeFile(tmp, `${JSON.stringify(state, null, 2)}\n`)
  await rename(tmp, statePath(dataDir))
}

export const removeState = (dataDir: string) => rm(statePath(dataDir), { force: true })
