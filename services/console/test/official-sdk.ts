// The official OpenTelemetry JS SDK and exporter (chassis dependencies, at the repository root), making what
// any service of ours or anyone else's sends: the receiver is checked against them, not against itself.
import { context, SpanStatusCode, trace } from '@opentelemetry/api'
import { SeverityNumber } from '@opentelemetry/api-logs'
import { ExportResultCode } from '@opentelemetry/core'
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto'
import { CompressionAlgorithm } from '@opentelemetry/otlp-exporter-base'
import {
  JsonLogsSerializer,
  JsonTraceSerializer,
  ProtobufLogsSerializer,
  ProtobufMetricsSerializer,
  ProtobufTraceSerializer,
} from '@opentelemetry/otlp-transformer'
import { resourceFromAttributes } from '@opentelemetry/resources'
import { InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs'
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics'
import {
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
  TracerProvider,
} from '@opentelemetry/sdk-trace'

export interface MadeTrace {
  traceId: string
  rootSpanId: string
  childSpanId: string
  spans: ReadableSpan[]
}

/** A root span and a failing child, about one order, made by the SDK's tracer and kept in memory. */
export async function makeTrace(service: string, orderId: string): Promise<MadeTrace> {
  const memory = new InMemorySpanExporter()
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ 'service.name': service, 'service.instance.id': `${service}-7` }),
    spanProcessors: [new SimpleSpanProcessor({ exporter: memory })],
  })
  const tracer = provider.getTracer('official-sdk-test')
  const root = tracer.startSpan('POST /api/orders', {
    attributes: { 'order.id': orderId, 'http.route': '/api/orders' },
  })
  const child = tracer.startSpan(
    'orders.v1.OrdersService/PlaceOrder',
    { attributes: { 'order.id': orderId, 'rpc.system': 'grpc' } },
    trace.setSpan(context.active(), root),
  )
  child.addEvent('reserved', { items: 2 })
  child.setStatus({ code: SpanStatusCode.ERROR, message: 'out of stock' })
  child.end()
  root.end()
  await provider.forceFlush()
  const spans = memory.getFinishedSpans()
  await provider.shutdown()
  return {
    traceId: root.spanContext().traceId,
    rootSpanId: root.spanContext().spanId,
    childSpanId: child.spanContext().spanId,
    spans,
  }
}

/** Sends spans with the official OTLP/HTTP protobuf exporter; resolves with its result ('success' or why not). */
export function exportWithOfficialExporter(
  url: string,
  spans: ReadableSpan[],
  opts: { gzip?: boolean } = {},
): Promise<string> {
  const exporter = new OTLPTraceExporter({
    url,
    ...(opts.gzip ? { compression: CompressionAlgorithm.GZIP } : {}),
  })
  return new Promise((resolve) =>
    exporter.export(spans, (result) => {
      void exporter.shutdown()
      resolve(result.code === ExportResultCode.SUCCESS ? 'success' : `failed: ${result.error?.message}`)
    }),
  )
}

export const tracesProtobuf = (spans: ReadableSpan[]) => ProtobufTraceSerializer.serializeRequest(spans)!
export const tracesJson = (spans: ReadableSpan[]) => JsonTraceSerializer.serializeRequest(spans)!

/** Log records made by the SDK's logger, one inside the given trace. */
export async function makeLogs(service: string, inTrace?: { traceId: string; spanId: string }) {
  const memory = new InMemoryLogRecordExporter()
  const provider = new LoggerProvider({
    resource: resourceFromAttributes({ 'service.name': service, 'service.instance.id': `${service}-7` }),
    processors: [new SimpleLogRecordProcessor({ exporter: memory })],
  })
  const logger = provider.getLogger('official-sdk-test')
  const inSpan = inTrace
    ? trace.setSpanContext(context.active(), { ...inTrace, traceFlags: 1, isRemote: false })
    : context.active()
  logger.emit({
    severityNumber: SeverityNumber.WARN,
    severityText: 'WARN',
    body: 'stock is low',
    attributes: { productId: 'enamel-camp-mug' },
    context: inSpan,
  })
  logger.emit({ severityNumber: SeverityNumber.INFO, body: { msg: 'structured', n: 1 } })
  await provider.forceFlush()
  const records = memory.getFinishedLogRecords()
  await provider.shutdown()
  return records
}

export const logsProtobuf = (records: Awaited<ReturnType<typeof makeLogs>>) =>
  ProtobufLogsSerializer.serializeRequest(records)!
export const logsJson = (records: Awaited<ReturnType<typeof makeLogs>>) =>
  JsonLogsSerializer.serializeRequest(records)!

class CollectOnDemand extends MetricReader {
  protected async onForceFlush() {}
  protected async onShutdown() {}
}

/** A counter, a gauge and a histogram made by the SDK's meter, collected once. */
export async function makeMetrics(service: string) {
  const reader = new CollectOnDemand()
  const provider = new MeterProvider({
    resource: resourceFromAttributes({ 'service.name': service }),
    readers: [reader],
  })
  const meter = provider.getMeter('official-sdk-test')
  meter.createCounter('orders_placed').add(3, { channel: 'web' })
  meter.createGauge('queue_depth').record(42)
  meter.createHistogram('checkout_seconds').record(0.25)
  const { resourceMetrics } = await reader.collect()
  await provider.shutdown()
  return ProtobufMetricsSerializer.serializeRequest(resourceMetrics)!
}
