import { ConsoleErrors } from '../domain/errors.js'
import type { RegistryInstances } from '../store/registry-instances.js'

/** One target group of Prometheus' HTTP service discovery (prometheus.io/docs: http_sd_config). */
export interface TargetGroup {
  targets: string[]
  labels: Record<string, string>
}

/** Every healthy instance's health and metrics listener as a scrape target, labelled with its service. */
export function createPrometheusTargets(deps: { registry: RegistryInstances }) {
  return {
    async list(): Promise<TargetGroup[]> {
      const instances = await deps.registry.list().catch((err: unknown) => {
        throw ConsoleErrors.registryUnavailable(err)
      })
      return instances
        .filter((i) => i.httpPort !== null)
        .map((i) => ({
          targets: [`${i.host}:${i.httpPort}`],
          labels: { service: i.service, instance: i.instanceId },
        }))
    },
  }
}

export type PrometheusTargets = ReturnType<typeof createPrometheusTargets>
