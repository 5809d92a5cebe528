import type { ConnectionOptions } from '@nats-io/transport-node'

const NAMESPACE = /^[a-z][a-z0-9_]{0,30}$/

/** What a `nats://[user:pass@]host[:port][?namespace=ns]` BUS_URL names: the server, and the namespace's streams. */
export function natsTarget(url: string) {
  const parsed = new URL(url)
  const ns = parsed.searchParams.get('namespace') ?? 'microshop'
  if (!NAMESPACE.test(ns)) throw new Error(`BUS_URL namespace ${ns}: lowercase letters, digits and _`)
  const connection: ConnectionOptions = {
    servers: `${parsed.hostname}:${parsed.port || 4222}`,
    ...(parsed.username ? { user: decodeURIComponent(parsed.username) } : {}),
    ...(parsed.password ? { pass: decodeURIComponent(parsed.password) } : {}),
  }
  return {
    ns,
    connection,
    streams: {
      events: `${ns.toUpperCase()}_EVENTS`,
      dead: `${ns.toUpperCase()}_DEAD_LETTERS`,
      redrive: `${ns.toUpperCase()}_REDRIVE`,
      attempts: `${ns.toUpperCase()}_ATTEMPTS`,
    },
  }
}
