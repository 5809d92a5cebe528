import { TLSSocket } from 'node:tls'
import * as grpc from '@grpc/grpc-js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { rejectionOf, silentLogger, staticDiscovery } from '../../../test-support/grpc.js'
import { INSECURE_GRPC, type TestTls, testTls, testTlsDir } from '../../../test-support/tls.js'
import { ConfigError } from '../src/config.js'
import { bindGrpc, defineService, type Handlers, readConfig } from '../src/index.js'
import {
  createGrpcServer,
  createLocalTelemetry,
  createMetrics,
  createServiceClient,
} from '../src/internal.js'
import { EchoService } from './echo-service.js'

// the echo server is "catalog"; the policy lets gateway call WhoAmI, nobody calls Fail
const policy = (caller: string, path: string) => caller === 'gateway' && path.endsWith('/WhoAmI')
const ran: Array<{ method: string; peer: string | undefined }> = []
const handlers: Handlers<typeof EchoService> = {
  async whoAmI(_req, ctx) {
    ran.push({ method: 'whoAmI', peer: ctx.peerService })
    return { instanceId: 'catalog-1', requestId: ctx.peerService ?? '' }
  },
  async sleep(req) {
    return { sleptMs: req.ms }
  },
  async fail() {
    ran.push({ method: 'fail', peer: undefined })
    return {}
  },
  async flaky() {
    return { call: 1 }
  },
}

let server: ReturnType<typeof createGrpcServer>
let target: string

const clientAs = (tls: TestTls | undefined, service = 'catalog') =>
  createServiceClient({
    service,
    definition: EchoService,
    discovery: staticDiscovery([target]),
    log: silentLogger,
    deadlineMs: 3_000,
    retries: 0,
    tls,
  })

beforeAll(async () => {
  server = createGrpcServer({
    bindings: [bindGrpc(EchoService, handlers)],
    protoRoot: '',
    protoFiles: [],
    log: silentLogger,
    metrics: createMetrics({ service: 'catalog', instance: 'catalog-1' }),
    telemetry: createLocalTelemetry('catalog'),
    tls: await testTls('catalog'),
    policy,
  })
  target = `127.0.0.1:${await server.listen('127.0.0.1', 0)}`
  server.setServing(true)
})
afterAll(async () => {
  await server?.shutdown(1_000)
})

describe('gRPC over mutual TLS', () => {
  it('when an allowed service calls with its certificate, then the handler runs and knows the caller', async () => {
    const client = clientAs(await testTls('gateway'))
    try {
      const res = await client.call('whoAmI', {})
      expect(res.requestId).toBe('gateway')
      expect(ran.at(-1)).toEqual({ method: 'whoAmI', peer: 'gateway' })
    } finally {
      client.close()
    }
  })

  it('when a service the policy does not name calls, then PERMISSION_DENIED and the handler never runs', async () => {
    const before = ran.length
    const client = clientAs(await testTls('fraud'))
    try {
      const err = await rejectionOf<{ code: string; cause?: { code?: number } }>(client.call('whoAmI', {}))
      expect(err.code).toBe('PEER_FORBIDDEN')
      expect(err.cause?.code).toBe(grpc.status.PERMISSION_DENIED)
      // an allowed caller on an RPC not granted to it is refused the same way
      const gateway = clientAs(await testTls('gateway'))
      const denied = await rejectionOf<{ cause?: { code?: number } }>(gateway.call('fail', { message: 'x' }))
      gateway.close()
      expect(denied.cause?.code).toBe(grpc.status.PERMISSION_DENIED)
      expect(ran.length).toBe(before)
    } finally {
      client.close()
    }
  })

  it('when two services call over their own connections in turn, then each call is judged by its own connection, whose certificate is read once', async () => {
    const reads = { count: 0 }
    const read = TLSSocket.prototype.getPeerCertificate
    TLSSocket.prototype.getPeerCertificate = function (this: TLSSocket, ...args) {
      reads.count++
      return read.apply(this, args)
    } as typeof read
    const gateway = clientAs(await testTls('gateway'))
    const fraud = clientAs(await testTls('fraud'))
    try {
      // the first call of each opens its connection (the handshakes read certificates too)
      expect((await gateway.call('whoAmI', {})).requestId).toBe('gateway')
      expect((await rejectionOf<{ code: string }>(fraud.call('whoAmI', {}))).code).toBe('PEER_FORBIDDEN')
      const afterFirst = reads.count
      for (let turn = 0; turn < 3; turn++) {
        expect((await gateway.call('whoAmI', {})).requestId).toBe('gateway')
        expect((await rejectionOf<{ code: string }>(fraud.call('whoAmI', {}))).code).toBe('PEER_FORBIDDEN')
      }
      expect(ran.at(-1)).toEqual({ method: 'whoAmI', peer: 'gateway' })
      expect(reads.count).toBe(afterFirst)
    } finally {
      TLSSocket.prototype.getPeerCertificate = read
      gateway.close()
      fraud.close()
    }
  })

  it('when a client presents no certificate, a plaintext one, or one from another CA, then no call gets through', async () => {
    const before = ran.length
    const gatewayTls = await testTls('gateway')
    // trusts the server, but has no certificate to show
    const Echo = grpc.makeGenericClientConstructor(EchoService as grpc.ServiceDefinition, 'echo')
    const raw = new Echo(target, grpc.credentials.createSsl(gatewayTls.ca), {
      'grpc.ssl_target_name_override': 'catalog',
    }) as unknown as Record<string, (...args: unknown[]) => void> & grpc.Client
    const rawCall = () =>
      new Promise<unknown>((resolve, reject) =>
        raw.whoAmI!(
          {},
          new grpc.Metadata(),
          { deadline: Date.now() + 3_000 },
          (err: unknown, res: unknown) => (err ? reject(err) : resolve(res)),
        ),
      )
    const refused = await rejectionOf<grpc.ServiceError>(rawCall())
    raw.close()
    expect(refused.code).toBe(grpc.status.UNAVAILABLE)
    const plaintext = clientAs(undefined)
    const forged = clientAs(await testTls('gateway', { untrusted: true }))
    try {
      for (const client of [plaintext, forged]) {
        const err = await rejectionOf<{ cause?: { code?: number } }>(client.call('whoAmI', {}))
        expect(err.cause?.code).toBe(grpc.status.UNAVAILABLE)
      }
      expect(ran.length).toBe(before)
    } finally {
      for (const client of [plaintext, forged]) client.close()
    }
  })

  it('when the server is not the service the client means to reach, then the client refuses it', async () => {
    // a genuine certificate (catalog's) where the client expects identity: no impersonation by address
    const client = clientAs(await testTls('gateway'), 'identity')
    try {
      const err = await rejectionOf<{ cause?: { code?: number } }>(client.call('whoAmI', {}))
      expect(err.cause?.code).toBe(grpc.status.UNAVAILABLE)
    } finally {
      client.close()
    }
  })
})

describe('the TLS settings', () => {
  const start = (env: Record<string, string>) =>
    defineService({
      name: 'echo',
      module: import.meta.url,
      config: (e) => readConfig('echo', {}, e),
      setup: () => ({ grpc: [bindGrpc(EchoService, handlers)] }),
    })(
      { HOST: '127.0.0.1', GRPC_PORT: '0', HTTP_PORT: '0', LOG_LEVEL: 'silent', ...env },
      { handleSignals: false },
    )

  it('when neither a certificate nor GRPC_INSECURE is given, then the service refuses to start naming TLS_DIR', async () => {
    const err = await rejectionOf<ConfigError>(start({}))
    expect(err).toBeInstanceOf(ConfigError)
    expect(err.message).toContain('TLS_DIR')
    expect(err.message).toContain('GRPC_INSECURE=true')
  })

  it('when TLS_DIR names a folder without the files, then the service refuses to start naming each file', async () => {
    const err = await rejectionOf<ConfigError>(start({ TLS_DIR: '/nonexistent/tls' }))
    expect(err.problems).toEqual([
      'TLS_CA_FILE: cannot read /nonexistent/tls/ca.crt: ENOENT',
      'TLS_CERT_FILE: cannot read /nonexistent/tls/tls.crt: ENOENT',
      'TLS_KEY_FILE: cannot read /nonexistent/tls/tls.key: ENOENT',
    ])
  })

  it('when TLS_DIR holds a cert-manager secret, then the service serves TLS only', async () => {
    const running = await start({ TLS_DIR: await testTlsDir('catalog') })
    try {
      target = `127.0.0.1:${running.grpcPort}`
      const plaintext = clientAs(undefined)
      const err = await rejectionOf<{ cause?: { code?: number } }>(plaintext.call('whoAmI', {}))
      plaintext.close()
      expect(err.cause?.code).toBe(grpc.status.UNAVAILABLE)
    } finally {
      await running.stop()
    }
  })

  it('when GRPC_INSECURE=true, then it serves plaintext', async () => {
    const running = await start({ ...INSECURE_GRPC })
    try {
      expect(running.grpcPort).toBeGreaterThan(0)
    } finally {
      await running.stop()
    }
  })
})
