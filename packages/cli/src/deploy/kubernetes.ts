// the Kubernetes and cert-manager API types (type-only: erased from the build): a misspelt field does not compile
import type { ICertificate } from '@kubernetes-models/cert-manager/cert-manager.io/v1/Certificate'
import type { IIssuer } from '@kubernetes-models/cert-manager/cert-manager.io/v1/Issuer'
import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment'
import type { IHorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler'
import type { IJob } from 'kubernetes-models/batch/v1/Job'
import type { IEndpointSlice } from 'kubernetes-models/discovery.k8s.io/v1/EndpointSlice'
import type { INetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy'
import type { INetworkPolicyEgressRule } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicyEgressRule'
import type { INetworkPolicyIngressRule } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicyIngressRule'
import type { IPodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget'
import type { IConfigMap } from 'kubernetes-models/v1/ConfigMap'
import type { INamespace } from 'kubernetes-models/v1/Namespace'
import type { IService } from 'kubernetes-models/v1/Service'
import {
  type DeployedService,
  databasesOf,
  environmentOf,
  GENERATED,
  GRPC_PORT,
  HEALTH_PORT,
  type Infrastructure,
  TLS_MOUNT,
} from './plan.js'
import { POSTGRES_IMAGE, passwordVariable, postgresInit } from './postgres-init.js'
import { toYaml as stringify } from './yaml.js'

/** A host:port outside the cluster, as an IP (NetworkPolicies allow IP blocks, not names). */
export interface ExternalEndpoint {
  ip: string
  port: number
}

export interface KubernetesOptions {
  image: string
  namespace: string
  postgres: ExternalEndpoint
  nats: ExternalEndpoint
  smtp: ExternalEndpoint
  /** The namespace Prometheus scrapes from. */
  monitoringNamespace: string
}

/** A Kubernetes object as written. */
export type Manifest =
  | IConfigMap
  | ICertificate
  | IDeployment
  | IService
  | IPodDisruptionBudget
  | IHorizontalPodAutoscaler
  | INetworkPolicy
  | INamespace
  | IIssuer
  | IEndpointSlice
  | IJob

const UID = 1000
const TCP = 'TCP' as const
const UDP = 'UDP' as const
const NAME = 'app.kubernetes.io/name'
const PART_OF = { 'app.kubernetes.io/part-of': 'microshop' }
const labelsOf = (name: string) => ({ [NAME]: name, ...PART_OF })
const selectorOf = (name: string) => ({ matchLabels: { [NAME]: name } })
const pods = (names: readonly string[]) => names.map((n) => ({ podSelector: selectorOf(n) }))
const cidrOf = (e: ExternalEndpoint) => `${e.ip}/32`
const secretName = (s: DeployedService) => `${s.name}-secrets`

const infraOf = (opts: KubernetesOptions): Infrastructure => ({
  busUrl: `nats://nats:${opts.nats.port}`,
  smtpUrl: `smtp://smtp:${opts.smtp.port}`,
  otlpEndpoint: 'http://console:8081',
  // clients reach the gateway through one ingress controller: the address before it is the client's
  trustProxy: '1',
})

function deployment(s: DeployedService, opts: KubernetesOptions): IDeployment {
  const { secret } = environmentOf(s, infraOf(opts))
  const autoscaled = s.footprint.maxReplicas > s.replicas
  const ports = [
    ...(s.grpc ? [{ name: 'grpc', containerPort: GRPC_PORT, protocol: TCP }] : []),
    { name: 'health', containerPort: HEALTH_PORT, protocol: TCP },
    ...(s.publicPort !== undefined ? [{ name: 'http', containerPort: s.publicPort, protocol: TCP }] : []),
  ]
  const probe = (path: string, periodSeconds: number, failureThreshold: number) => ({
    httpGet: { path, port: 'health' },
    periodSeconds,
    timeoutSeconds: 2,
    failureThreshold,
  })
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: s.name, namespace: opts.namespace, labels: labelsOf(s.name) },
    spec: {
      // an autoscaled Deployment leaves its count to the HorizontalPodAutoscaler (minReplicas = the topology's)
      ...(autoscaled ? {} : { replicas: s.replicas }),
      selector: selectorOf(s.name),
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
      template: {
        metadata: {
          labels: labelsOf(s.name),
          annotations: {
            'prometheus.io/scrape': 'true',
            'prometheus.io/port': String(HEALTH_PORT),
            'prometheus.io/path': '/metrics',
          },
        },
        spec: {
          automountServiceAccountToken: false,
          // no <SERVICE>_PORT variables: peers are found by DNS, and a service reads only its own settings
          enableServiceLinks: false,
          // SIGTERM: not ready, in-flight calls finish (SHUTDOWN_TIMEOUT_MS, 10 s), then everything closes
          terminationGracePeriodSeconds: 30,
          securityContext: {
            runAsNonRoot: true,
            runAsUser: UID,
            runAsGroup: UID,
            fsGroup: UID,
            seccompProfile: { type: 'RuntimeDefault' },
          },
          topologySpreadConstraints: ['topology.kubernetes.io/zone', 'kubernetes.io/hostname'].map(
            (topologyKey) => ({
              maxSkew: 1,
              topologyKey,
              whenUnsatisfiable: 'ScheduleAnyway',
              labelSelector: selectorOf(s.name),
            }),
          ),
          containers: [
            {
              name: s.name,
              image: opts.image,
              imagePullPolicy: 'IfNotPresent',
              args: [s.entry],
              ports,
              envFrom: [{ configMapRef: { name: `${s.name}-config` } }],
              ...(secret.length > 0 && {
                env: secret.map((key) => ({
                  name: key,
                  valueFrom: { secretKeyRef: { name: secretName(s), key } },
                })),
              }),
              resources: {
                requests: { cpu: s.footprint.cpu, memory: s.footprint.memory },
                // no CPU limit: throttling a Node process stalls its event loop; memory is the hard bound
                limits: { memory: s.footprint.memory },
              },
              startupProbe: probe('/health/live', 2, 60),
              livenessProbe: probe('/health/live', 10, 3),
              readinessProbe: probe('/health/ready', 5, 2),
              securityContext: {
                allowPrivilegeEscalation: false,
                readOnlyRootFilesystem: true,
                runAsNonRoot: true,
                capabilities: { drop: ['ALL'] },
              },
              volumeMounts: [
                { name: 'tmp', mountPath: '/tmp' },
                ...(s.tls ? [{ name: 'tls', mountPath: TLS_MOUNT, readOnly: true }] : []),
              ],
            },
          ],
          volumes: [
            { name: 'tmp', emptyDir: { sizeLimit: '64Mi' } },
            // cert-manager's secret as is: ca.crt, tls.crt, tls.key (see the Certificate below)
            ...(s.tls ? [{ name: 'tls', secret: { secretName: `${s.name}-tls`, defaultMode: 0o440 } }] : []),
          ],
        },
      },
    },
  }
}

function service(s: DeployedService, opts: KubernetesOptions): IService {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: s.name, namespace: opts.namespace, labels: labelsOf(s.name) },
    spec: {
      // gRPC keeps one HTTP/2 connection: a headless Service gives callers every pod's address, and the
      // chassis' round-robin balances calls across them (a virtual IP would pin each caller to one pod)
      ...(s.grpc ? { clusterIP: 'None' } : { type: 'ClusterIP' }),
      selector: { [NAME]: s.name },
      ports: [
        ...(s.grpc
          ? [{ name: 'grpc', port: GRPC_PORT, targetPort: 'grpc', protocol: TCP, appProtocol: 'grpc' }]
          : []),
        ...(s.publicPort !== undefined
          ? [{ name: 'http', port: s.publicPort, targetPort: 'http', protocol: TCP, appProtocol: 'http' }]
          : []),
        { name: 'health', port: HEALTH_PORT, targetPort: 'health', protocol: TCP, appProtocol: 'http' },
      ],
    },
  }
}

const disruptionBudget = (s: DeployedService, opts: KubernetesOptions): IPodDisruptionBudget => ({
  apiVersion: 'policy/v1',
  kind: 'PodDisruptionBudget',
  metadata: { name: s.name, namespace: opts.namespace, labels: labelsOf(s.name) },
  // one pod at a time: a drain never takes a service down to zero when it runs two or more
  spec: { maxUnavailable: 1, selector: selectorOf(s.name) },
})

const autoscaler = (s: DeployedService, opts: KubernetesOptions): IHorizontalPodAutoscaler => ({
  apiVersion: 'autoscaling/v2',
  kind: 'HorizontalPodAutoscaler',
  metadata: { name: s.name, namespace: opts.namespace, labels: labelsOf(s.name) },
  spec: {
    scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: s.name },
    minReplicas: s.replicas,
    maxReplicas: s.footprint.maxReplicas,
    metrics: [
      {
        type: 'Resource',
        resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } },
      },
    ],
  },
})

const tcp = (port: number) => ({ protocol: TCP, port })
const external = (e: ExternalEndpoint): INetworkPolicyEgressRule => ({
  to: [{ ipBlock: { cidr: cidrOf(e) } }],
  ports: [tcp(e.port)],
})
/** Names are looked up at the cluster's DNS. */
const DNS: INetworkPolicyEgressRule = {
  to: [
    {
      namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } },
      podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
    },
  ],
  ports: [
    { protocol: UDP, port: 53 },
    { protocol: TCP, port: 53 },
  ],
}

function networkPolicy(s: DeployedService, opts: KubernetesOptions): INetworkPolicy {
  const ingress: INetworkPolicyIngressRule[] = []
  if (s.grpc) ingress.push({ from: pods(s.callers), ports: [tcp(GRPC_PORT)] })
  if (s.name === 'gateway' && s.publicPort !== undefined) ingress.push({ ports: [tcp(s.publicPort)] })
  // the console receives every service's telemetry (OTLP/HTTP) and serves the ops UI in the namespace
  if (s.name === 'console' && s.publicPort !== undefined)
    ingress.push({ from: [{ podSelector: {} }], ports: [tcp(s.publicPort)] })
  ingress.push({
    from: [
      { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': opts.monitoringNamespace } } },
    ],
    ports: [tcp(HEALTH_PORT)],
  })
  const egress: INetworkPolicyEgressRule[] = [DNS]
  if (s.callees.length > 0) egress.push({ to: pods(s.callees), ports: [tcp(GRPC_PORT)] })
  if (s.name !== 'console') egress.push({ to: pods(['console']), ports: [tcp(8081)] })
  if (s.database) egress.push(external(opts.postgres))
  if (s.footprint.events) egress.push(external(opts.nats))
  if (s.name === 'notifications') egress.push(external(opts.smtp))
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: s.name, namespace: opts.namespace, labels: labelsOf(s.name) },
    spec: { podSelector: selectorOf(s.name), policyTypes: ['Ingress', 'Egress'], ingress, egress },
  }
}

const configMap = (s: DeployedService, opts: KubernetesOptions): IConfigMap => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: `${s.name}-config`, namespace: opts.namespace, labels: labelsOf(s.name) },
  data: environmentOf(s, infraOf(opts)).plain,
})

/** The service's identity for mTLS: cert-manager keeps `<name>-tls` (ca.crt, tls.crt, tls.key) issued and renewed. */
const certificate = (s: DeployedService, opts: KubernetesOptions): ICertificate => ({
  apiVersion: 'cert-manager.io/v1',
  kind: 'Certificate',
  metadata: { name: s.name, namespace: opts.namespace, labels: labelsOf(s.name) },
  spec: {
    secretName: `${s.name}-tls`,
    commonName: s.name,
    // the first DNS name is the identity the call policy knows the service by
    dnsNames: [s.name, `${s.name}.${opts.namespace}.svc`, `${s.name}.${opts.namespace}.svc.cluster.local`],
    usages: ['server auth', 'client auth', 'digital signature'],
    duration: '2160h',
    renewBefore: '360h',
    privateKey: { algorithm: 'ECDSA', size: 256, rotationPolicy: 'Always' },
    issuerRef: { name: 'microshop-ca', kind: 'Issuer', group: 'cert-manager.io' },
  },
})

/** Every object of one service, in apply order. */
export function serviceManifests(s: DeployedService, opts: KubernetesOptions): Manifest[] {
  return [
    configMap(s, opts),
    ...(s.tls ? [certificate(s, opts)] : []),
    deployment(s, opts),
    service(s, opts),
    disruptionBudget(s, opts),
    ...(s.footprint.maxReplicas > s.replicas ? [autoscaler(s, opts)] : []),
    networkPolicy(s, opts),
  ]
}

/** The namespace, the CA cert-manager issues from, the default-deny policy and the endpoints outside. */
export function sharedManifests(opts: KubernetesOptions): Manifest[] {
  const ns = opts.namespace
  const externals = [
    ['postgres', opts.postgres],
    ['nats', opts.nats],
    ['smtp', opts.smtp],
  ] as const
  return [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns, labels: PART_OF } },
    // cert-manager's CA bootstrap: a self-signed root, kept in microshop-ca, issuing every service's certificate
    {
      apiVersion: 'cert-manager.io/v1',
      kind: 'Issuer',
      metadata: { name: 'microshop-selfsigned', namespace: ns, labels: PART_OF },
      spec: { selfSigned: {} },
    },
    {
      apiVersion: 'cert-manager.io/v1',
      kind: 'Certificate',
      metadata: { name: 'microshop-ca', namespace: ns, labels: PART_OF },
      spec: {
        isCA: true,
        commonName: 'microshop CA',
        secretName: 'microshop-ca',
        duration: '87600h',
        privateKey: { algorithm: 'ECDSA', size: 256 },
        issuerRef: { name: 'microshop-selfsigned', kind: 'Issuer', group: 'cert-manager.io' },
      },
    },
    {
      apiVersion: 'cert-manager.io/v1',
      kind: 'Issuer',
      metadata: { name: 'microshop-ca', namespace: ns, labels: PART_OF },
      spec: { ca: { secretName: 'microshop-ca' } },
    },
    // nothing moves in the namespace unless a service's own policy allows it
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'default-deny', namespace: ns, labels: PART_OF },
      spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] },
    },
    // PostgreSQL, NATS and SMTP run outside the cluster: a Service without selector names each, its
    // EndpointSlice says where it is (`microshop deploy k8s --postgres IP:PORT …` regenerates both)
    ...externals.flatMap(([name, e]): Manifest[] => [
      {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name, namespace: ns, labels: PART_OF },
        spec: { type: 'ClusterIP', ports: [{ name, port: e.port, targetPort: e.port, protocol: TCP }] },
      },
      {
        apiVersion: 'discovery.k8s.io/v1',
        kind: 'EndpointSlice',
        metadata: {
          name: `${name}-external`,
          namespace: ns,
          labels: { 'kubernetes.io/service-name': name, ...PART_OF },
        },
        addressType: 'IPv4',
        endpoints: [{ addresses: [e.ip] }],
        ports: [{ name, port: e.port, protocol: TCP }],
      },
    ]),
  ]
}

/** The Secret the provisioning Job reads: the superuser's name and password, and each role's password. */
export const PROVISION_SECRET = 'postgres-init-secrets'
const PROVISION = 'postgres-init'

/** The keys of the provisioning Job's Secret. */
export const provisionSecretKeys = (services: readonly DeployedService[]) => [
  'POSTGRES_USER',
  'POSTGRES_PASSWORD',
  ...databasesOf(services).map(passwordVariable),
]

/**
 * A role and a database per service on the PostgreSQL outside: the same script compose's PostgreSQL runs on
 * first start (postgres-init.sh), run once by a Job with psql from PostgreSQL's image, allowed to reach only it.
 */
export function provisionManifests(
  services: readonly DeployedService[],
  opts: KubernetesOptions,
): Manifest[] {
  const ns = opts.namespace
  const fromSecret = (name: string, key = name) => ({
    name,
    valueFrom: { secretKeyRef: { name: PROVISION_SECRET, key } },
  })
  // the image's postgres user (alpine: 70), by number so Kubernetes can check runAsNonRoot
  const postgresUid = 70
  return [
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: PROVISION, namespace: ns, labels: labelsOf(PROVISION) },
      data: { 'postgres-init.sh': postgresInit(services) },
    },
    {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: PROVISION, namespace: ns, labels: labelsOf(PROVISION) },
      spec: {
        backoffLimit: 6,
        template: {
          metadata: { labels: labelsOf(PROVISION) },
          spec: {
            restartPolicy: 'OnFailure',
            automountServiceAccountToken: false,
            enableServiceLinks: false,
            securityContext: {
              runAsNonRoot: true,
              runAsUser: postgresUid,
              runAsGroup: postgresUid,
              seccompProfile: { type: 'RuntimeDefault' },
            },
            containers: [
              {
                name: PROVISION,
                image: POSTGRES_IMAGE,
                command: ['sh', '/init/postgres-init.sh'],
                env: [
                  { name: 'PGHOST', value: 'postgres' },
                  { name: 'PGPORT', value: String(opts.postgres.port) },
                  fromSecret('POSTGRES_USER'),
                  fromSecret('PGPASSWORD', 'POSTGRES_PASSWORD'),
                  ...databasesOf(services).map((d) => fromSecret(passwordVariable(d))),
                ],
                resources: { requests: { cpu: '50m', memory: '64Mi' }, limits: { memory: '64Mi' } },
                securityContext: {
                  allowPrivilegeEscalation: false,
                  readOnlyRootFilesystem: true,
                  runAsNonRoot: true,
                  capabilities: { drop: ['ALL'] },
                },
                volumeMounts: [{ name: 'init', mountPath: '/init', readOnly: true }],
              },
            ],
            volumes: [{ name: 'init', configMap: { name: PROVISION, defaultMode: 0o444 } }],
          },
        },
      },
    },
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: PROVISION, namespace: ns, labels: labelsOf(PROVISION) },
      spec: {
        podSelector: selectorOf(PROVISION),
        policyTypes: ['Ingress', 'Egress'],
        ingress: [],
        egress: [DNS, external(opts.postgres)],
      },
    },
  ]
}

/** One YAML stream of manifests, with the generated-file header. */
export const toYaml = (manifests: readonly Manifest[], about: string) =>
  `# ${GENERATED}\n# ${about}\n${manifests.map((m) => stringify(m)).join('---\n')}`
