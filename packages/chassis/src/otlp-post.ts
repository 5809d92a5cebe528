import http from 'node:http'
import https from 'node:https'

// The one place the services' code makes an outbound HTTP request: telemetry to OTEL_EXPORTER_OTLP_ENDPOINT.
// node:http on a kept-alive connection, not the global fetch: undici's fetch cost ~1 ms of CPU a POST
// (streams, a Headers object, an abort signal), which a gateway exporting twenty batches a second paid on
// its own event loop.

const TIMEOUT_MS = 5_000

/**
 * OTEL_EXPORTER_OTLP_HEADERS and the signal's own (OTEL_EXPORTER_OTLP_TRACES_HEADERS, _LOGS_HEADERS):
 * `key=value,key2=value2`, URL-encoded; the signal's own win.
 */
export function otlpHeaders(
  signal: 'TRACES' | 'LOGS',
  env: Record<string, string | undefined> = process.env,
): Record<string, string> {
  const headers: Record<string, string> = {}
  for (const list of [env.OTEL_EXPORTER_OTLP_HEADERS, env[`OTEL_EXPORTER_OTLP_${signal}_HEADERS`]])
    for (const pair of list?.split(',') ?? []) {
      const at = pair.indexOf('=')
      if (at <= 0) continue
      try {
        headers[decodeURIComponent(pair.slice(0, at).trim()).toLowerCase()] = decodeURIComponent(
          pair.slice(at + 1).trim(),
        )
      } catch {
        // a malformed pair is skipped, as the SDK's own exporter does
      }
    }
  return headers
}

/** Posts bodies to one OTLP/HTTP URL; each resolves to whether the receiver took it (a 2xx in time). */
export function otlpPoster(
  url: string,
  contentType: string,
  signal: 'TRACES' | 'LOGS',
): (body: Buffer | string) => Promise<boolean> {
  const target = new URL(url)
  const client = target.protocol === 'https:' ? https : http
  // idle kept-alive sockets are unref'd by the agent: they hold no process open
  const agent = new client.Agent({ keepAlive: true, maxSockets: 2 })
  const headers = { ...otlpHeaders(signal), 'content-type': contentType }
  return (body) =>
    new Promise<boolean>((resolve) => {
      const req = client.request(
        target,
        {
          method: 'POST',
          agent,
          headers: { ...headers, 'content-length': Buffer.byteLength(body) },
        },
        (res) => {
          const ok = res.statusCode !== undefined && res.statusCode >= 200 && res.statusCode < 300
          res.once('end', () => resolve(ok))
          res.once('error', () => resolve(false))
          res.resume()
        },
      )
      const timer = setTimeout(
        () => req.destroy(new Error('OTLP receiver did not answer in time')),
        TIMEOUT_MS,
      )
      timer.unref()
      req.once('error', () => resolve(false))
      // after the answer's end this changes nothing; before it, the request failed
      req.once('close', () => {
        clearTimeout(timer)
        resolve(false)
      })
      req.end(body)
    })
}
