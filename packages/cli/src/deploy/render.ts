import type { ServiceSpec } from '../topology.js'
import { composeFile, envExample } from './compose.js'
import {
  type KubernetesOptions,
  PROVISION_SECRET,
  provisionManifests,
  provisionSecretKeys,
  serviceManifests,
  sharedManifests,
  toYaml,
} from './kubernetes.js'
import { environmentOf, GENERATED, planServices, startOrder } from './plan.js'
import { postgresInit } from './postgres-init.js'

/** A generated output: file name (relative to its folder) → content. */
export type Rendered = Map<string, string>

export const DEFAULT_IMAGE = 'microshop:0.1.0'

/** The compose folder: compose.yaml, PostgreSQL's init script, the variables it needs. */
export function renderCompose(topology: readonly ServiceSpec[], opts: { image: string }): Rendered {
  const services = planServices(topology)
  return new Map([
    ['compose.yaml', composeFile(services, opts)],
    ['postgres-init.sh', postgresInit(services)],
    ['.env.example', envExample(services)],
  ])
}

export const DEFAULT_KUBERNETES: KubernetesOptions = {
  image: DEFAULT_IMAGE,
  namespace: 'microshop',
  // documentation addresses (RFC 5737): regenerate with yours
  postgres: { ip: '192.0.2.10', port: 5432 },
  nats: { ip: '192.0.2.11', port: 4222 },
  smtp: { ip: '192.0.2.12', port: 587 },
  monitoringNamespace: 'monitoring',
}

/** The Kubernetes folder: the shared objects, then one file per service in start order, and what to create by hand. */
export function renderKubernetes(topology: readonly ServiceSpec[], opts: KubernetesOptions): Rendered {
  const services = startOrder(planServices(topology))
  const files: Rendered = new Map()
  files.set(
    '00-shared.yaml',
    toYaml(sharedManifests(opts), 'The namespace, the CA, default deny, the endpoints outside.'),
  )
  files.set(
    '01-postgres-init.yaml',
    toYaml(
      // in the topology's order, as compose's: one script, byte for byte
      provisionManifests(planServices(topology), opts),
      'Once: a role and a database per service on PostgreSQL, by the script compose runs (postgres-init.sh).',
    ),
  )
  services.forEach((s, i) => {
    const file = `${String(10 + i).padStart(2, '0')}-${s.name}.yaml`
    files.set(
      file,
      toYaml(
        serviceManifests(s, opts),
        `${s.name}: its settings, identity, pods, Service, budget, scaling, network.`,
      ),
    )
  })
  const secrets = services
    .map((s) => ({
      s,
      keys: environmentOf(s, { busUrl: '', smtpUrl: '', otlpEndpoint: '', trustProxy: '' }).secret,
    }))
    .filter(({ keys }) => keys.length > 0)
  files.set(
    'SECRETS.md',
    [
      `<!-- ${GENERATED} -->`,
      '# Secrets to create before applying',
      '',
      `Each service reads its credentials from a Secret \`<service>-secrets\` in the \`${opts.namespace}\` namespace,`,
      `made by whoever provisions its database role (never committed); the Job \`postgres-init\` (01-postgres-init.yaml)`,
      `creates the roles with the passwords in \`${PROVISION_SECRET}\`, which each DATABASE_URL must repeat. For example:`,
      '',
      '```sh',
      `kubectl -n ${opts.namespace} create secret generic ${PROVISION_SECRET} ${provisionSecretKeys(services)
        .map((k) => `--from-literal=${k}=…`)
        .join(' ')}`,
      ...secrets.map(
        ({ s, keys }) =>
          `kubectl -n ${opts.namespace} create secret generic ${s.name}-secrets ${keys.map((k) => `--from-literal=${k}=…`).join(' ')}`,
      ),
      '```',
      '',
    ].join('\n'),
  )
  return files
}
