import { randomBytes } from 'node:crypto'
import {
  type DeployedService,
  databasesOf,
  environmentOf,
  GENERATED,
  HEALTH_PORT,
  type Infrastructure,
  startOrder,
  TLS_MOUNT,
} from './plan.js'
import { POSTGRES_IMAGE, passwordVariable } from './postgres-init.js'
import { toYaml as stringify } from './yaml.js'

export interface ComposeOptions {
  image: string
}

const INFRA: Infrastructure = {
  busUrl: 'nats://nats:4222',
  smtpUrl: 'smtp://mail:1025',
  otlpEndpoint: 'http://console:8081',
  // clients reach the gateway directly: the socket's address is the client's
  trustProxy: 'false',
}
const IMAGES = { postgres: POSTGRES_IMAGE, nats: 'nats:2.10-alpine' }
const CERTS_VOLUME = '/var/lib/microshop'

const required = (variable: string) => `\${${variable}:?set ${variable} in .env (see .env.example)}`
/** Docker's memory units are binary, as Kubernetes' Mi. */
const dockerMemory = (memory: string) => memory.replace(/Mi$/, 'M').replace(/Gi$/, 'G')

/** The secrets compose reads from .env, each a variable: PostgreSQL's, one password per role, the services' keys. */
export function composeSecrets(services: readonly DeployedService[]): string[] {
  return [
    'POSTGRES_PASSWORD',
    ...databasesOf(services).map(passwordVariable),
    'MICROSHOP_ADMIN_PASSWORD',
    'IDENTITY_KEY_ENCRYPTION_KEY',
    'ORDERS_FINGERPRINT_KEY',
  ]
}

// a key-encryption key is 32 random bytes (AES-256), base64url: what identity reads
const RANDOM_VALUE: Record<string, () => string> = {
  IDENTITY_KEY_ENCRYPTION_KEY: () => randomBytes(32).toString('base64url'),
}

/** A new random value for a secret variable, in the form the service reading it expects. */
export const newSecretValue = (name: string): string =>
  RANDOM_VALUE[name]?.() ?? randomBytes(24).toString('hex')

/** A container of the one image (`docker build -t <image> .` first): non-root, read-only, no capabilities. */
const ownImage = (opts: ComposeOptions) => ({
  image: opts.image,
  init: true,
  read_only: true,
  tmpfs: ['/tmp'],
  cap_drop: ['ALL'],
  security_opt: ['no-new-privileges:true'],
})

function serviceEntry(s: DeployedService, opts: ComposeOptions) {
  const { plain, secret } = environmentOf(s, INFRA)
  const environment: Record<string, string> = { ...plain }
  for (const name of secret) {
    if ((name === 'DATABASE_URL' || name === 'REGISTRY_URL') && s.database) {
      environment[name] =
        `postgres://${s.database}:${required(passwordVariable(s.database))}@postgres:5432/${s.database}`
    } else environment[name] = required(name)
  }
  const dependsOn: Record<string, { condition: string }> = {}
  if (s.database) dependsOn.postgres = { condition: 'service_healthy' }
  if (s.footprint.events) dependsOn.nats = { condition: 'service_healthy' }
  if (s.name === 'notifications') dependsOn.mail = { condition: 'service_healthy' }
  if (s.tls) dependsOn.certs = { condition: 'service_completed_successfully' }
  // as the launcher starts them: a service after those it calls (identity's keys, the catalog's products)
  for (const callee of s.callees) dependsOn[callee] = { condition: 'service_healthy' }
  return {
    ...ownImage(opts),
    command: [s.entry],
    restart: 'unless-stopped',
    environment,
    ...(s.publicPort !== undefined && {
      // from this machine only: the shop and the console's ops UI (publish it wider behind a proxy)
      ports: [`127.0.0.1:${s.publicPort}:${s.publicPort}`],
    }),
    ...(s.tls && {
      volumes: [
        {
          type: 'volume',
          source: 'tls',
          target: TLS_MOUNT,
          read_only: true,
          // each service sees its own certificate and key, not the others' nor the CA's key
          volume: { subpath: `tls/${s.name}` },
        },
      ],
    }),
    depends_on: dependsOn,
    healthcheck: {
      test: ['CMD', 'node', 'deploy/image/healthcheck.mjs'],
      interval: '5s',
      timeout: '3s',
      retries: 5,
      start_period: '60s',
      start_interval: '1s',
    },
    deploy: {
      ...(s.replicas > 1 && { replicas: s.replicas }),
      resources: { limits: { memory: dockerMemory(s.footprint.memory) } },
    },
  }
}

/** compose.yaml: PostgreSQL with a database and role per service, NATS JetStream, a mail catcher, every service. */
export function composeFile(services: readonly DeployedService[], opts: ComposeOptions): string {
  const databases = databasesOf(services)
  const withTls = services.filter((s) => s.tls).map((s) => s.name)
  const doc = {
    name: 'microshop',
    services: {
      postgres: {
        image: IMAGES.postgres,
        restart: 'unless-stopped',
        environment: {
          POSTGRES_PASSWORD: required('POSTGRES_PASSWORD'),
          ...Object.fromEntries(databases.map((d) => [passwordVariable(d), required(passwordVariable(d))])),
        },
        volumes: [
          'postgres-data:/var/lib/postgresql',
          './postgres-init.sh:/docker-entrypoint-initdb.d/10-microshop.sh:ro',
        ],
        healthcheck: {
          test: ['CMD', 'pg_isready', '-U', 'postgres', '-d', 'postgres'],
          interval: '2s',
          timeout: '2s',
          retries: 30,
          start_period: '10s',
        },
      },
      nats: {
        image: IMAGES.nats,
        restart: 'unless-stopped',
        command: ['--jetstream', '--store_dir', '/data', '--http_port', '8222'],
        volumes: ['nats-data:/data'],
        healthcheck: {
          test: [
            'CMD',
            'wget',
            '-q',
            '-O',
            '/dev/null',
            'http://127.0.0.1:8222/healthz?js-enabled-only=true',
          ],
          interval: '2s',
          timeout: '2s',
          retries: 30,
        },
      },
      // the launcher's SMTP catcher, from the same image: each mail a file in the mail volume
      mail: {
        ...ownImage(opts),
        command: ['packages/cli/dist/deploy/mail-main.js', '/var/lib/microshop/mail'],
        restart: 'unless-stopped',
        volumes: ['mail:/var/lib/microshop/mail'],
        healthcheck: {
          test: ['CMD', 'node', 'deploy/image/healthcheck.mjs', 'tcp', '1025'],
          interval: '2s',
          timeout: '2s',
          retries: 30,
        },
      },
      // one CA and a certificate per service (SAN = its name), made once into the tls volume
      certs: {
        ...ownImage(opts),
        command: ['packages/cli/dist/deploy/certs-main.js', CERTS_VOLUME, ...withTls],
        restart: 'no',
        volumes: [`tls:${CERTS_VOLUME}`],
      },
      ...Object.fromEntries(startOrder(services).map((s) => [s.name, serviceEntry(s, opts)])),
    },
    volumes: { 'postgres-data': {}, 'nats-data': {}, tls: {}, mail: {} },
  }
  return `# ${GENERATED}\n# Health of every service: its /health/ready on port ${HEALTH_PORT}.\n${stringify(doc)}`
}

/** .env.example: every variable compose needs, empty (compose refuses to start while one is). */
export function envExample(services: readonly DeployedService[]): string {
  return [
    `# ${GENERATED}`,
    '# Copy to .env and fill in (e.g. `openssl rand -hex 24` each; IDENTITY_KEY_ENCRYPTION_KEY: `openssl rand -base64 32`),',
    '# or run `npx microshop deploy compose --secrets`.',
    ...composeSecrets(services).map((v) => `${v}=`),
    '',
  ].join('\n')
}

/** A .env with fresh random values for every variable (hex, safe inside a URL; keys base64url). */
export function randomEnv(services: readonly DeployedService[]): string {
  return `${composeSecrets(services)
    .map((v) => `${v}=${newSecretValue(v)}`)
    .join('\n')}\n`
}
