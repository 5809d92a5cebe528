import { existsSync } from 'node:fs'
import { mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { usageError } from '../cli-error.js'
import { type Command, parseFlags } from '../command.js'
import { randomEnv } from '../deploy/compose.js'
import type { ExternalEndpoint } from '../deploy/kubernetes.js'
import { GENERATED, planServices } from '../deploy/plan.js'
import {
  DEFAULT_IMAGE,
  DEFAULT_KUBERNETES,
  type Rendered,
  renderCompose,
  renderKubernetes,
} from '../deploy/render.js'
import { loadTopology } from '../topology.js'

const usage = `usage: microshop deploy compose|k8s [--out DIR] [--image IMAGE] [--topology FILE]
  compose   deploy/compose: compose.yaml, postgres-init.sh, .env.example
            [--secrets]  also make .env with random passwords and keys (kept if there)
  k8s       deploy/k8s: one YAML file per service and the shared objects, SECRETS.md
            [--postgres IP:PORT] [--nats IP:PORT] [--smtp IP:PORT]  where they run outside the cluster
            [--namespace NAME] [--monitoring-namespace NAME]  (Prometheus scrapes from there)
Generated from the topology and the call policy; CI fails when the committed output is stale.`

const endpoint = (flag: string, value: string | undefined, fallback: ExternalEndpoint): ExternalEndpoint => {
  if (value === undefined) return fallback
  const match = /^(\d{1,3}(?:\.\d{1,3}){3}):(\d{1,5})$/.exec(value)
  if (!match) throw usageError(`--${flag} ${value}: expected IP:PORT, e.g. 10.0.0.5:5432`)
  return { ip: match[1] ?? '', port: Number(match[2]) }
}

/** Writes the rendered files into `dir`, removing files an earlier run generated that are gone now (only those). */
export async function writeRendered(dir: string, files: Rendered) {
  await mkdir(dir, { recursive: true })
  for (const name of await readdir(dir)) {
    const path = join(dir, name)
    if (files.has(name) || !(await stat(path)).isFile()) continue
    if ((await readFile(path, 'utf8')).includes(GENERATED)) await rm(path)
  }
  for (const [name, content] of files) {
    await writeFile(join(dir, name), content, { mode: name.endsWith('.sh') ? 0o755 : 0o644 })
  }
}

async function run(args: string[]): Promise<number> {
  const [target, ...rest] = args
  if (target === '--help' || target === '-h' || target === undefined) {
    process.stdout.write(`${usage}\n`)
    return target === undefined ? 2 : 0
  }
  if (target !== 'compose' && target !== 'k8s') throw usageError(`unknown target "${target}": compose or k8s`)
  const { values } = parseFlags(rest, {
    out: { type: 'string' },
    image: { type: 'string' },
    topology: { type: 'string' },
    secrets: { type: 'boolean' },
    postgres: { type: 'string' },
    nats: { type: 'string' },
    smtp: { type: 'string' },
    namespace: { type: 'string' },
    'monitoring-namespace': { type: 'string' },
  })
  const topology = loadTopology(values.topology)
  const out = resolve(values.out ?? join('deploy', target))
  const image = values.image ?? DEFAULT_IMAGE
  if (target === 'compose') {
    await writeRendered(out, renderCompose(topology, { image }))
    if (values.secrets) {
      const env = join(out, '.env')
      if (!existsSync(env)) await writeFile(env, randomEnv(planServices(topology)), { mode: 0o600 })
      process.stdout.write(`secrets in ${env} (keep it out of version control)\n`)
    }
  } else {
    const files = renderKubernetes(topology, {
      ...DEFAULT_KUBERNETES,
      image,
      namespace: values.namespace ?? DEFAULT_KUBERNETES.namespace,
      monitoringNamespace: values['monitoring-namespace'] ?? DEFAULT_KUBERNETES.monitoringNamespace,
      postgres: endpoint('postgres', values.postgres, DEFAULT_KUBERNETES.postgres),
      nats: endpoint('nats', values.nats, DEFAULT_KUBERNETES.nats),
      smtp: endpoint('smtp', values.smtp, DEFAULT_KUBERNETES.smtp),
    })
    await writeRendered(out, files)
  }
  process.stdout.write(`${target}: written to ${out}\n`)
  return 0
}

export const deploy: Command = {
  summary: 'generate the compose file or the Kubernetes manifests from the topology',
  usage,
  run,
}
