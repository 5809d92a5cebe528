// npm run bench:mtls — what mutual TLS costs a gRPC call: the chassis' server and client (deadlines, retry
// budget, breaker, tracing at 100 %, the call policy), plaintext and mTLS side by side in one process, in
// alternating rounds, C calls in flight for S seconds a round. The server and its client share this process,
// so a call's CPU on both ends is in the figure.
import { cpus } from 'node:os'
import { bindGrpc, type Handlers } from '@microshop/chassis'
import {
  createGrpcServer,
  createLocalTelemetry,
  createMetrics,
  createServiceClient,
} from '@microshop/chassis/internal'
import { silentLogger, staticDiscovery } from '@microshop/chassis/testing'
import { EchoService } from '../packages/chassis/test/echo-service.js'
import { testTls } from '../test-support/tls.js'

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5)
const IN_FLIGHT = Number(process.env.BENCH_CONCURRENCY ?? 32)
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3)

const handlers: Handlers<typeof EchoService> = {
  async whoAmI(_req, ctx) {
    return { instanceId: 'catalog-1', requestId: ctx.peerService ?? '' }
  },
  async sleep(req) {
    return { sleptMs: req.ms }
  },
  async fail() {
    return {}
  },
  async flaky() {
    return { call: 1 }
  },
}

async function serve(tls: boolean) {
  const server = createGrpcServer({
    bindings: [bindGrpc(EchoService, handlers)],
    protoRoot: '',
    protoFiles: [],
    log: silentLogger,
    metrics: createMetrics({ service: 'catalog', instance: `catalog-${tls ? 'tls' : 'plain'}` }),
    telemetry: createLocalTelemetry('catalog'),
    ...(tls ? { tls: await testTls('catalog'), policy: () => true } : {}),
  })
  const target = `127.0.0.1:${await server.listen('127.0.0.1', 0)}`
  server.setServing(true)
  const client = createServiceClient({
    service: 'catalog',
    definition: EchoService,
    discovery: staticDiscovery([target]),
    log: silentLogger,
    deadlineMs: 5_000,
    ...(tls ? { tls: await testTls('gateway') } : {}),
  })
  await client.call('whoAmI', {})
  return { server, client }
}

/** Calls per second and CPU µs per call over one round. */
async function round(client: Awaited<ReturnType<typeof serve>>['client']) {
  const until = performance.now() + SECONDS * 1000
  let calls = 0
  const cpu0 = process.cpuUsage()
  const t0 = performance.now()
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (performance.now() < until) {
        await client.call('whoAmI', {})
        calls++
      }
    }),
  )
  const cpu = process.cpuUsage(cpu0)
  return { perSecond: calls / ((performance.now() - t0) / 1000), cpuUs: (cpu.user + cpu.system) / calls }
}

const plain = await serve(false)
const mtls = await serve(true)
type Round = Awaited<ReturnType<typeof round>>
const results: Record<'plain' | 'mtls', Round[]> = { plain: [], mtls: [] }
try {
  for (let r = 0; r < ROUNDS; r++) {
    results.plain.push(await round(plain.client))
    results.mtls.push(await round(mtls.client))
  }
} finally {
  for (const { server, client } of [plain, mtls]) {
    client.close()
    await server.shutdown(1_000)
  }
}
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length
const rate = (k: 'plain' | 'mtls') => mean(results[k].map((x) => x.perSecond))
const cpu = (k: 'plain' | 'mtls') => mean(results[k].map((x) => x.cpuUs))
console.log(
  `mTLS benchmark (${cpus().length} cores, Node ${process.version}), ${ROUNDS} alternating rounds of ${SECONDS} s, ${IN_FLIGHT} calls in flight`,
)
console.log('| | plaintext (baseline) | mutual TLS | mTLS / plaintext |')
console.log('|---|---|---|---|')
console.log(
  `| unary calls/s | ${rate('plain').toFixed(0)} | ${rate('mtls').toFixed(0)} | ${(rate('mtls') / rate('plain')).toFixed(2)}× |`,
)
console.log(
  `| CPU per call, client and server, µs | ${cpu('plain').toFixed(0)} | ${cpu('mtls').toFixed(0)} | ${(cpu('mtls') / cpu('plain')).toFixed(2)}× |`,
)
