// npm run bench:console — what the console pays per span it receives (decoding OTLP/protobuf, keeping it in the
// store, evicting the oldest), and the heap the store really keeps against its budget, measured after a full
// collection. Baseline in the same run: what the official OTLP serializer costs the sender for the same spans.
// Spans as the chassis makes them: a gateway request (one span per trace) and a checkout (40 spans per trace).
import { cpus } from 'node:os'
import { type Attributes, ROOT_CONTEXT, SpanKind, trace } from '@opentelemetry/api'
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer'
import { resourceFromAttributes } from '@opentelemetry/resources'
import { type ReadableSpan, TracerProvider } from '@opentelemetry/sdk-trace'
import { decodeTracesProtobuf } from '../src/domain/otlp-protobuf.js'
import { createTelemetryStore } from '../src/store/telemetry-store.js'

const gc = (globalThis as { gc?: () => void }).gc
if (!gc) throw new Error('run with node --expose-gc (npm run bench:console does)')
const BUDGET = 16 * 1024 * 1024
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 300)
const BATCH = 512

function spansOf(shape: 'request' | 'checkout'): ReadableSpan[] {
  const ended: ReadableSpan[] = []
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'gateway', 'service.instance.id': 'gateway-1' }),
    spanProcessors: [
      {
        onStart() {},
        onEnd: (span) => void ended.push(span),
        forceFlush: async () => {},
        shutdown: async () => {},
      },
    ],
  })
  const tracer = provider.getTracer('microshop-chassis')
  const http: Attributes = {
    'http.request.method': 'POST',
    'http.route': '/api/orders',
    'url.path': '/api/orders',
    'url.scheme': 'http',
    'server.address': '127.0.0.1',
    'server.port': 8080,
    'user_agent.original': 'bench',
    'client.address': '127.0.0.1',
    'network.protocol.version': '1.1',
  }
  while (ended.length < BATCH) {
    const root = tracer.startSpan('POST /api/orders', { kind: SpanKind.SERVER, attributes: http })
    if (shape === 'checkout') {
      const parent = trace.setSpan(ROOT_CONTEXT, root)
      for (let i = 0; i < 39; i++)
        tracer
          .startSpan(
            `orders.v1.OrdersService/Step${i % 13}`,
            {
              kind: SpanKind.CLIENT,
              attributes: {
                'rpc.system': 'grpc',
                'rpc.service': 'orders.v1.OrdersService',
                'rpc.method': `Step${i % 13}`,
                'rpc.grpc.status_code': 0,
                'order.id': `0b9c6f2e-5d7a-4f51-9a43-${String(ended.length).padStart(12, '0')}`,
              },
            },
            parent,
          )
          .end()
    }
    root.setAttribute('http.response.status_code', 202)
    root.end()
  }
  return ended.slice(0, BATCH)
}

function measure(shape: 'request' | 'checkout') {
  const spans = spansOf(shape)
  const body = Buffer.from(ProtobufTraceSerializer.serializeRequest(spans)!)
  // where each span's trace id is in the body
  const traceIdsAt = [...new Set(spans.map((s) => s.spanContext().traceId))].flatMap((id) => {
    const at: number[] = []
    const bytes = Buffer.from(id, 'hex')
    for (let i = body.indexOf(bytes); i >= 0; i = body.indexOf(bytes, i + 1)) at.push(i)
    return at
  })
  const store = createTelemetryStore({ maxBytes: 2 * BUDGET, maxSpansPerTrace: 10_000 })
  gc!()
  // the heap and the memory of buffers (spans are kept as bytes, outside the heap)
  const used = () => {
    const { heapUsed, arrayBuffers } = process.memoryUsage()
    return heapUsed + arrayBuffers
  }
  const before = used()
  let serialize = 0
  let ingest = 0
  for (let round = 0; round < ROUNDS; round++) {
    let t = process.cpuUsage()
    ProtobufTraceSerializer.serializeRequest(spans)
    serialize += process.cpuUsage(t).user
    t = process.cpuUsage()
    // every round is new traffic: new trace ids, written into the body as a sender would
    for (const at of traceIdsAt) body.writeUInt32BE(round, at + 12)
    // as the receiver does: each span is kept as its message's bytes
    const raw: Uint8Array[] = []
    store.addSpans(decodeTracesProtobuf(body, raw), raw)
    ingest += process.cpuUsage(t).user
  }
  // twice: buffers are freed by a sweep that follows a collection
  gc!()
  gc!()
  const kept = used() - before
  const n = ROUNDS * BATCH
  return { shape, serialize: serialize / n, ingest: ingest / n, kept, stats: store.stats().traces }
}

const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(1)
console.log(
  `console ingest benchmark (${cpus().length} cores, Node ${process.version}), ${ROUNDS} × ${BATCH} spans`,
)
console.log(
  '| spans | sender: official OTLP serializer, µs/span (baseline) | console: decode + store, µs/span | spans kept | store budget, MB | store says, MB | heap and buffers really kept, MB |',
)
console.log('|---|---|---|---|---|---|---|')
for (const shape of ['request', 'checkout'] as const) {
  const r = measure(shape)
  console.log(
    `| ${shape === 'request' ? 'gateway requests (1 span per trace)' : 'checkouts (40 spans per trace)'} | ${r.serialize.toFixed(1)} | ${r.ingest.toFixed(1)} | ${r.stats.spans} | ${mb(r.stats.limitBytes)} | ${mb(r.stats.bytes)} | ${mb(r.kept)} |`,
  )
}
