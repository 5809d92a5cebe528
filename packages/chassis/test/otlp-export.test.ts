import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { createLogExporter } from '../src/log-export.js'
import { createTelemetry } from '../src/telemetry.js'

interface Received {
  path: string
  contentType: string | undefined
  authorization: string | undefined
  body: Buffer
}

async function receiver(status: number): Promise<{ url: string; received: Received[]; server: Server }> {
  const received: Received[] = []
  const server = createServer(async (req: IncomingMessage, res) => {
    const chunks: Buffer[] = []
    for await (const chunk of req) chunks.push(chunk as Buffer)
    received.push({
      path: req.url ?? '',
      contentType: req.headers['content-type'],
      authorization: req.headers.authorization,
      body: Buffer.concat(chunks),
    })
    res.writeHead(status).end()
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, received, server }
}

const servers: Server[] = []
afterEach(async () => {
  for (const s of servers.splice(0)) await new Promise((r) => s.close(r))
})

describe('OTLP span export', () => {
  it('when spans end, then they reach <endpoint>/v1/traces as OTLP/protobuf, all of them, by shutdown', async () => {
    const { url, received, server } = await receiver(200)
    servers.push(server)
    let dropped = 0
    const telemetry = createTelemetry({
      service: 'orders',
      instance: 'orders-1',
      endpoint: `${url}/`,
      sampler: 'always_on',
      onDrop: (n) => {
        dropped += n
      },
    })
    const ids: string[] = []
    for (let i = 0; i < 700; i++)
      await telemetry.span(`step-${i}`, {}, async (span) => {
        ids.push(span.spanContext().spanId)
      })
    await telemetry.shutdown(5_000)
    expect(dropped).toBe(0)
    expect(received.length).toBeGreaterThanOrEqual(2)
    expect(received.every((r) => r.path === '/v1/traces' && r.contentType === 'application/x-protobuf')).toBe(
      true,
    )
    const all = Buffer.concat(received.map((r) => r.body))
    expect(all.includes(Buffer.from('orders-1'))).toBe(true)
    for (const [i, id] of ids.entries()) {
      expect(all.includes(Buffer.from(id, 'hex'))).toBe(true)
      // Span.name: field 5, length-delimited, then the name
      const name = Buffer.from(`step-${i}`)
      expect(all.includes(Buffer.concat([Buffer.from([0x2a, name.length]), name]))).toBe(true)
    }
  })

  it('when the receiver refuses or is gone, then the spans are dropped and counted, and nothing waits', async () => {
    const { url, server } = await receiver(503)
    servers.push(server)
    for (const endpoint of [url, 'http://127.0.0.1:9']) {
      let dropped = 0
      const telemetry = createTelemetry({
        service: 'orders',
        instance: 'orders-1',
        endpoint,
        sampler: 'always_on',
        onDrop: (n) => {
          dropped += n
        },
      })
      for (let i = 0; i < 10; i++) await telemetry.span('work', {}, async () => undefined)
      await telemetry.shutdown(5_000)
      expect(dropped).toBe(10)
    }
  })

  it('when OTEL_EXPORTER_OTLP_HEADERS names headers, then every export carries them (a collector behind auth)', async () => {
    const { url, received, server } = await receiver(200)
    servers.push(server)
    vi.stubEnv('OTEL_EXPORTER_OTLP_HEADERS', 'Authorization=Bearer%20s3cret,broken')
    try {
      const telemetry = createTelemetry({ service: 'orders', instance: 'orders-1', endpoint: url })
      await telemetry.span('work', {}, async () => undefined)
      await telemetry.shutdown(5_000)
    } finally {
      vi.unstubAllEnvs()
    }
    expect(received.map((r) => r.authorization)).toEqual(['Bearer s3cret'])
  })

  it('when OTEL_EXPORTER_OTLP_LOGS_HEADERS names headers, then the log export carries them too, over the shared ones', async () => {
    const { url, received, server } = await receiver(200)
    servers.push(server)
    vi.stubEnv('OTEL_EXPORTER_OTLP_HEADERS', 'Authorization=Bearer%20shared')
    vi.stubEnv('OTEL_EXPORTER_OTLP_LOGS_HEADERS', 'authorization=Bearer%20logs')
    try {
      const logs = createLogExporter({ endpoint: url, service: 'orders', instance: 'orders-1' })
      logs.stream.write(`${JSON.stringify({ level: 30, time: Date.now(), msg: 'placed' })}\n`)
      await logs.shutdown(5_000)
    } finally {
      vi.unstubAllEnvs()
    }
    expect(received.map((r) => [r.path, r.contentType, r.authorization])).toEqual([
      ['/v1/logs', 'application/json', 'Bearer logs'],
    ])
    expect(received[0]!.body.toString()).toContain('"placed"')
  })
})
