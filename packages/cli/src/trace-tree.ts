// A trace as the console answers it (GET /api/traces/:id), drawn as an indented tree of its spans.

/** One span of a whole trace, as much of it as the tree shows. */
export interface TraceSpan {
  spanId: string
  parentSpanId: string | null
  name: string
  service: string
  startMs: number
  durationMs: number
  status: { code: string; message: string }
}

/** A whole trace: its summary and its spans. */
export interface WholeTrace {
  traceId: string
  start: string
  durationMs: number
  spanCount: number
  services: string[]
  error: boolean
  spans: TraceSpan[]
}

/** `0.42 ms`, `12.3 ms`, `1.25 s`. */
export function formatDuration(ms: number): string {
  if (ms >= 999.95) return `${(ms / 1_000).toFixed(2)} s`
  const fine = ms.toFixed(2)
  return `${Number(fine) < 10 ? fine : ms.toFixed(1)} ms`
}

const statusOf = (span: TraceSpan) =>
  span.status.code === 'error'
    ? `ERROR${span.status.message ? ` ${span.status.message}` : ''}`
    : span.status.code === 'ok'
      ? 'ok'
      : ''

interface Line {
  label: string
  duration: string
  status: string
}

/**
 * The trace as a tree: one line per span (service, operation, duration, status), children under their
 * parent by start time. A span whose parent never reached the console is drawn at the top, marked.
 */
export function renderTraceTree(trace: WholeTrace, opts: { color?: boolean } = {}): string {
  const byId = new Map(trace.spans.map((s) => [s.spanId, s]))
  const children = new Map<string, TraceSpan[]>()
  const roots: TraceSpan[] = []
  for (const span of trace.spans) {
    if (span.parentSpanId !== null && byId.has(span.parentSpanId) && span.parentSpanId !== span.spanId) {
      const siblings = children.get(span.parentSpanId) ?? []
      siblings.push(span)
      children.set(span.parentSpanId, siblings)
    } else roots.push(span)
  }
  const byStart = (a: TraceSpan, b: TraceSpan) => a.startMs - b.startMs
  const lines: Line[] = []
  const drawn = new Set<string>()

  const draw = (span: TraceSpan, lead: string, branch: string, last: boolean) => {
    drawn.add(span.spanId)
    const orphan = span.parentSpanId !== null && !byId.has(span.parentSpanId) ? '  (parent not received)' : ''
    lines.push({
      label: `${lead}${branch}${span.service}  ${span.name}${orphan}`,
      duration: formatDuration(span.durationMs),
      status: statusOf(span),
    })
    const below = (children.get(span.spanId) ?? []).filter((c) => !drawn.has(c.spanId)).sort(byStart)
    const childLead = branch === '' ? lead : `${lead}${last ? '   ' : '│  '}`
    below.forEach((child, i) => {
      const isLast = i === below.length - 1
      draw(child, childLead, isLast ? '└─ ' : '├─ ', isLast)
    })
  }
  for (const root of roots.sort(byStart)) draw(root, '', '', true)
  // spans in a parent cycle are reachable from no root: shown rather than lost
  for (const span of [...trace.spans].sort(byStart)) if (!drawn.has(span.spanId)) draw(span, '', '', true)

  const labelWidth = Math.max(...lines.map((l) => l.label.length))
  const durationWidth = Math.max(...lines.map((l) => l.duration.length))
  const red = (text: string) => (opts.color && text.startsWith('ERROR') ? `\x1b[31m${text}\x1b[0m` : text)
  const header = [
    `trace ${trace.traceId}`,
    trace.start,
    formatDuration(trace.durationMs),
    `${trace.spanCount} span${trace.spanCount === 1 ? '' : 's'}`,
    `${trace.services.length} service${trace.services.length === 1 ? '' : 's'}`,
    ...(trace.error ? [red('ERROR')] : []),
  ].join('  ')
  return [
    header,
    ...lines.map((l) =>
      `${l.label.padEnd(labelWidth)}  ${l.duration.padStart(durationWidth)}  ${red(l.status)}`.trimEnd(),
    ),
  ].join('\n')
}
