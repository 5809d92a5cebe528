import type { InstanceState } from './state.js'
import { renderTable } from './table.js'

/** One row of the instance table; `heartbeat` only where the registry was read. */
export interface InstanceRow {
  instance: InstanceState
  health: string
  heartbeat?: string
}

const port = (p: number | null | undefined) => (p ? String(p) : '-')

/** The table `up` and `status` print: one row per instance. */
export function renderInstances(rows: readonly InstanceRow[]): string {
  const withHeartbeat = rows.some((r) => r.heartbeat !== undefined)
  const headers = ['SERVICE', 'INSTANCE', 'PID', 'GRPC', 'HTTP', 'PUBLIC', 'HEALTH']
  if (withHeartbeat) headers.push('HEARTBEAT')
  return renderTable(
    headers,
    rows.map(({ instance: i, health, heartbeat }) => {
      const cells = [
        i.service,
        i.id,
        String(i.pid ?? '-'),
        port(i.grpcPort),
        port(i.httpPort),
        port(i.publicPort),
        health,
      ]
      if (withHeartbeat) cells.push(heartbeat ?? '-')
      return cells
    }),
  )
}

/** The public URLs, given the gateway's base URL, and the folder the services' emails land in. */
export function renderUrls(gatewayUrl: string, opts: { mailDir?: string } = {}): string {
  const base = gatewayUrl.replace(/\/$/, '')
  const lines = [
    `  gateway     ${base}/`,
    `  API         ${base}/api/products`,
    `  API docs    ${base}/api/docs`,
    `  OpenAPI     ${base}/api/openapi.json`,
  ]
  if (opts.mailDir) lines.push(`  mail        ${opts.mailDir}/`)
  return lines.join('\n')
}
