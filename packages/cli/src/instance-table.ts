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

/** The public URLs (the gateway's, the console's) and the folder the services' emails land in. */
export function renderUrls(urls: {
  gatewayUrl?: string | undefined
  consoleUrl?: string | undefined
  mailDir?: string | undefined
}): string {
  const lines: string[] = []
  if (urls.gatewayUrl) {
    const base = urls.gatewayUrl.replace(/\/$/, '')
    lines.push(
      `  gateway     ${base}/`,
      `  API         ${base}/api/products`,
      `  API docs    ${base}/api/docs`,
      `  OpenAPI     ${base}/api/openapi.json`,
    )
  }
  if (urls.consoleUrl) {
    const base = urls.consoleUrl.replace(/\/$/, '')
    lines.push(
      `  console     ${base}/   (npx microshop traces | logs)`,
      `  Prometheus  ${base}/sd/prometheus   (http_sd_configs)`,
    )
  }
  if (urls.mailDir) lines.push(`  mail        ${urls.mailDir}/`)
  return lines.join('\n')
}
