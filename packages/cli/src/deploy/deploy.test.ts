import { execFile } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { promisify } from 'node:util'
import { Certificate, Issuer } from '@kubernetes-models/cert-manager/cert-manager.io/v1'
import { withConnection } from '@microshop/chassis/internal'
import { callPolicy } from '@microshop/contracts'
import { Ajv } from 'ajv'
import { DCLinter } from 'dclint'
import { Deployment } from 'kubernetes-models/apps/v1'
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2'
import { Job } from 'kubernetes-models/batch/v1'
import { EndpointSlice } from 'kubernetes-models/discovery.k8s.io/v1'
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1'
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1'
import { ConfigMap, Namespace, Service } from 'kubernetes-models/v1'
import { describe, expect, inject, it } from 'vitest'
import { parseAllDocuments, parse as parseYaml } from 'yaml'
import '../../../../test-support/provided.js'
import { footprints, loadTopology, repoRoot, topology } from '../topology.js'
import { type DeployedService, planServices } from './plan.js'
import { postgresInit } from './postgres-init.js'
import { DEFAULT_IMAGE, DEFAULT_KUBERNETES, renderCompose, renderKubernetes } from './render.js'

const run = promisify(execFile)
const services = loadTopology()
const compose = renderCompose(services, { image: DEFAULT_IMAGE })
const kubernetes = renderKubernetes(services, DEFAULT_KUBERNETES)
const composeDoc = parseYaml(compose.get('compose.yaml') ?? '', { version: '1.1' }) as {
  services: Record<string, Record<string, unknown>>
}
type K8sObject = {
  apiVersion: string
  kind: string
  metadata: { name: string }
  spec?: Record<string, unknown>
}
const manifests: K8sObject[] = [...kubernetes]
  .filter(([name]) => name.endsWith('.yaml'))
  .flatMap(([, text]) => parseAllDocuments(text, { version: '1.1' }).map((d) => d.toJSON() as K8sObject))
const ofKind = (kind: string) => manifests.filter((m) => m.kind === kind)

// each kind by the model that validates it against the Kubernetes (or cert-manager) OpenAPI schema, offline
const models: Record<string, { new (data: never): { validate(): void } }> = {
  'v1/Namespace': Namespace,
  'v1/ConfigMap': ConfigMap,
  'v1/Service': Service,
  'apps/v1/Deployment': Deployment,
  'batch/v1/Job': Job,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler,
  'networking.k8s.io/v1/NetworkPolicy': NetworkPolicy,
  'discovery.k8s.io/v1/EndpointSlice': EndpointSlice,
  'cert-manager.io/v1/Certificate': Certificate,
  'cert-manager.io/v1/Issuer': Issuer,
}
const validationErrorOf = (m: K8sObject) => {
  const Model = models[`${m.apiVersion}/${m.kind}`]
  if (!Model) return `no schema for ${m.apiVersion} ${m.kind}`
  try {
    new Model(m as never).validate()
    return undefined
  } catch (err) {
    return `${m.kind} ${m.metadata.name}: ${(err as Error).message}`
  }
}

/** The Compose specification's JSON schema, as dclint ships it (its exports map hides the folder). */
const composeSchema = () => {
  const root = dirname(createRequire(import.meta.url).resolve('dclint/package.json'))
  const { $schema: _draft07, ...schema } = JSON.parse(
    readFileSync(join(root, 'schemas', 'compose.schema.json'), 'utf8'),
  )
  // draft-07 (Ajv's default), named by an https:// URL Ajv does not know by that name
  return schema
}

describe('generated deployment, committed', () => {
  it.each([
    ['compose', compose],
    ['k8s', kubernetes],
  ])(
    'when %s is regenerated from the topology, then deploy/ holds exactly that output (else: npx microshop deploy)',
    (target, rendered) => {
      const dir = join(repoRoot, 'deploy', target)
      const committed = readdirSync(dir).filter((f) => f !== '.env' && f !== 'tls' && f !== '.gitignore')
      expect(committed.sort()).toEqual([...rendered.keys()].sort())
      for (const [name, content] of rendered) {
        expect(readFileSync(join(dir, name), 'utf8'), `deploy/${target}/${name} is stale`).toBe(content)
      }
    },
  )
})

describe('the compose file', () => {
  it('when checked against the Compose specification schema, then it is valid; a misspelt key is not', () => {
    const ajv = new Ajv({ allErrors: true, strict: false })
    const validate = ajv.compile(composeSchema())
    expect(validate(composeDoc), JSON.stringify(validate.errors, null, 2)).toBe(true)
    const broken = structuredClone(composeDoc)
    ;(broken.services.catalog as Record<string, unknown>).depends_onn = {}
    expect(validate(broken)).toBe(false)
  })

  it('when linted by dclint, then it has no error', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'microshop-compose-'))
    try {
      const file = join(dir, 'compose.yaml')
      await writeFile(file, compose.get('compose.yaml') ?? '')
      // errors only: its warnings are about order (ours is the start order) and quoting style
      const linter = new DCLinter({ rules: {}, quiet: true, debug: false, exclude: [] } as never)
      const results: Array<{ messages: Array<{ type: string }> }> = linter.lintFiles([file], false)
      const errors = results.flatMap((r) => r.messages.filter((m) => m.type === 'error'))
      expect(errors, await linter.formatResults(results, 'stylish')).toEqual([])
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })

  it('when started, then every service of the topology runs with a healthcheck, after what it needs being healthy', () => {
    for (const s of planServices(services)) {
      const entry = composeDoc.services[s.name] as {
        command: string[]
        healthcheck: { test: string[] }
        depends_on: Record<string, { condition: string }>
      }
      expect(entry.command).toEqual([s.entry])
      expect(entry.healthcheck.test).toContain('deploy/image/healthcheck.mjs')
      const needs = [
        ...(s.database ? ['postgres'] : []),
        ...(s.footprint.events ? ['nats'] : []),
        ...(s.tls ? ['certs'] : []),
        ...s.callees,
      ]
      for (const need of needs) {
        const condition = need === 'certs' ? 'service_completed_successfully' : 'service_healthy'
        expect(entry.depends_on[need], `${s.name} → ${need}`).toEqual({ condition })
      }
    }
    const nats = composeDoc.services.nats as { command: string[] }
    expect(nats.command).toContain('--jetstream')
  })

  it("when PostgreSQL's init script runs (twice), then each service has its own database and role, and no other role gets in", async () => {
    const suffix = randomBytes(4).toString('hex')
    const names = ['catalog', 'orders'].map((n) => `${n}_${suffix}`)
    const planned = names.map((name) => ({ name, database: name }) as DeployedService)
    const dir = await mkdtemp(join(tmpdir(), 'microshop-init-'))
    const admin = new URL(inject('pgAdminUrl'))
    const passwords = Object.fromEntries(names.map((n) => [`${n.toUpperCase()}_DB_PASSWORD`, `pw-${n}'"x`]))
    const asAdmin = (sql: string) => withConnection(admin.toString(), (c) => c.query(sql))
    try {
      const script = join(dir, 'init.sh')
      await writeFile(script, postgresInit(planned), { mode: 0o755 })
      const env = {
        ...process.env,
        ...passwords,
        POSTGRES_USER: decodeURIComponent(admin.username),
        PGHOST: admin.hostname,
        PGPORT: admin.port,
        PGPASSWORD: decodeURIComponent(admin.password),
      }
      await run('sh', [script], { env })
      // a Job's retry runs it again over what the first try made
      await run('sh', [script], { env })
      const as = (role: string, database: string) => {
        const url = new URL(admin.toString())
        url.username = role
        url.password = passwords[`${role.toUpperCase()}_DB_PASSWORD`] ?? ''
        url.pathname = `/${database}`
        return url.toString()
      }
      const [own, other] = names as [string, string]
      await withConnection(as(own, own), async (c) => {
        await c.query('create table t (id int)')
      })
      await expect(withConnection(as(own, other), (c) => c.query('select 1'))).rejects.toThrow(
        /permission denied/,
      )
    } finally {
      for (const n of names) await asAdmin(`drop database if exists "${n}" with (force)`)
      for (const n of names) await asAdmin(`drop role if exists "${n}"`)
      await rm(dir, { recursive: true, force: true })
    }
  })
})

describe('the Kubernetes manifests', () => {
  it("when the provisioning Job runs, then it runs compose's init script, with a password for every service's role, reaching only PostgreSQL", () => {
    const script = ofKind('ConfigMap').find((m) => m.metadata.name === 'postgres-init') as unknown as {
      data: Record<string, string>
    }
    expect(script.data['postgres-init.sh']).toBe(compose.get('postgres-init.sh'))
    const job = ofKind('Job').find((m) => m.metadata.name === 'postgres-init') as unknown as {
      spec: {
        template: {
          spec: { containers: Array<{ command: string[]; env: Array<{ name: string; value?: string }> }> }
        }
      }
    }
    const [container] = job.spec.template.spec.containers
    expect(container?.command).toEqual(['sh', '/init/postgres-init.sh'])
    const given = container?.env.map((e) => e.name) ?? []
    for (const variable of compose.get('postgres-init.sh')?.match(/\$\{?[A-Z_]+/g) ?? [])
      expect(given, variable).toContain(variable.replace(/^\$\{?/, ''))
    const policy = ofKind('NetworkPolicy').find((m) => m.metadata.name === 'postgres-init') as unknown as {
      spec: { egress: Array<{ ports: Array<{ port: number }> }> }
    }
    expect(policy.spec.egress.flatMap((r) => r.ports.map((p) => p.port))).toEqual([53, 53, 5432])
  })

  it('when each is checked against the Kubernetes and cert-manager OpenAPI schemas, then all are valid', () => {
    expect(manifests.length).toBeGreaterThan(50)
    expect(manifests.map(validationErrorOf).filter(Boolean)).toEqual([])
  })

  it('when a manifest breaks the schema, then the check says so', () => {
    const deployment = structuredClone(ofKind('Deployment')[0]) as unknown as {
      kind: string
      metadata: { name: string }
      spec: { template: { spec: { containers: Array<{ ports: Array<{ containerPort: unknown }> }> } } }
    }
    const port = deployment.spec.template.spec.containers[0]?.ports[0]
    if (port) port.containerPort = 'fifty'
    expect(validationErrorOf(deployment as unknown as K8sObject)).toMatch(/containerPort must be integer/)
  })

  it('when every service is deployed, then each has a Deployment with probes, limits, non-root read-only pods, spread; a Service; a budget', () => {
    for (const s of topology) {
      const d = ofKind('Deployment').find((m) => m.metadata.name === s.name) as unknown as {
        spec: {
          template: {
            metadata: { annotations: Record<string, string> }
            spec: {
              securityContext: { runAsNonRoot: boolean }
              topologySpreadConstraints: unknown[]
              containers: Array<Record<string, { httpGet?: { port: string } } | unknown>>
            }
          }
        }
      }
      expect(d, s.name).toBeDefined()
      const pod = d.spec.template.spec
      const [container] = pod.containers as Array<{
        startupProbe: { httpGet: { port: string } }
        livenessProbe: { httpGet: { path: string } }
        readinessProbe: { httpGet: { path: string } }
        resources: { requests: { cpu: string; memory: string }; limits: { memory: string } }
        securityContext: { readOnlyRootFilesystem: boolean; allowPrivilegeEscalation: boolean }
        args: string[]
      }>
      expect(pod.securityContext.runAsNonRoot).toBe(true)
      expect(pod.topologySpreadConstraints).toHaveLength(2)
      expect(container?.args).toEqual([s.entry])
      expect(container?.startupProbe.httpGet.port).toBe('health')
      expect(container?.livenessProbe.httpGet.path).toBe('/health/live')
      expect(container?.readinessProbe.httpGet.path).toBe('/health/ready')
      expect(container?.resources.requests.memory).toBe(footprints[s.name]?.memory)
      expect(container?.securityContext).toMatchObject({
        readOnlyRootFilesystem: true,
        allowPrivilegeEscalation: false,
      })
      expect(d.spec.template.metadata.annotations['prometheus.io/scrape']).toBe('true')
      for (const kind of ['Service', 'PodDisruptionBudget', 'NetworkPolicy', 'ConfigMap'])
        expect(
          ofKind(kind).some((m) => m.metadata.name === s.name || m.metadata.name === `${s.name}-config`),
          `${kind} ${s.name}`,
        ).toBe(true)
    }
  })

  it("when the NetworkPolicies are read as a graph, then their gRPC edges are exactly the call policy's", () => {
    type Rule = { from?: Peer[]; to?: Peer[]; ports?: Array<{ port: number }> }
    type Peer = { podSelector?: { matchLabels?: Record<string, string> } }
    const named = (peers: Peer[] | undefined) =>
      (peers ?? []).map((p) => p.podSelector?.matchLabels?.['app.kubernetes.io/name']).filter(Boolean)
    const ingressEdges = new Set<string>()
    const egressEdges = new Set<string>()
    for (const policy of ofKind('NetworkPolicy')) {
      const spec = policy.spec as { ingress?: Rule[]; egress?: Rule[] }
      const grpc = (r: Rule) => r.ports?.some((p) => p.port === 50051)
      for (const rule of (spec.ingress ?? []).filter(grpc))
        for (const caller of named(rule.from)) ingressEdges.add(`${caller}→${policy.metadata.name}`)
      for (const rule of (spec.egress ?? []).filter(grpc))
        for (const callee of named(rule.to)) egressEdges.add(`${policy.metadata.name}→${callee}`)
    }
    const policyEdges = new Set(
      Object.entries(callPolicy).flatMap(([callee, rpcs]) =>
        Object.values(rpcs).flatMap((callers: readonly string[]) =>
          callers.map((caller) => `${caller}→${callee}`),
        ),
      ),
    )
    expect([...ingressEdges].sort()).toEqual([...policyEdges].sort())
    expect([...egressEdges].sort()).toEqual([...policyEdges].sort())
    expect(ofKind('NetworkPolicy').find((p) => p.metadata.name === 'default-deny')?.spec).toEqual({
      podSelector: {},
      policyTypes: ['Ingress', 'Egress'],
    })
  })

  it('when a service speaks gRPC, then cert-manager issues its identity into the secret it mounts', () => {
    for (const s of planServices(services).filter((p) => p.tls)) {
      const cert = ofKind('Certificate').find((c) => c.metadata.name === s.name)
      expect(cert?.spec).toMatchObject({ secretName: `${s.name}-tls`, commonName: s.name })
      expect((cert?.spec?.dnsNames as string[] | undefined)?.[0]).toBe(s.name)
    }
    expect(existsSync(join(repoRoot, 'deploy', 'k8s', 'SECRETS.md'))).toBe(true)
  })
})
