import { callPolicy } from '@microshop/contracts'
import { describe, expect, it } from 'vitest'
import { CliError } from './cli-error.js'
import { applyOverrides, CONSOLE, parseReplicas, type ResolvedService, topology } from './topology.js'

const services: ResolvedService[] = [
  { name: 'catalog', entry: 'c.js', entryPath: '/c.js', database: true, replicas: 1 },
  { name: 'gateway', entry: 'g.js', entryPath: '/g.js', database: false, replicas: 1, publicPort: 8080 },
]

const usageErrorOf = (fn: () => unknown) => {
  try {
    fn()
  } catch (err) {
    expect(err).toBeInstanceOf(CliError)
    expect((err as CliError).exitCode).toBe(2)
    return (err as CliError).message
  }
  throw new Error('expected a usage error')
}

describe('replicas', () => {
  it('when replicas are given as name=count, then each count applies and the rest keep theirs', () => {
    const replicas = parseReplicas('catalog=3', services)
    const applied = applyOverrides(services, { replicas, publicPorts: new Map() })
    expect(applied.map((s) => [s.name, s.replicas])).toEqual([
      ['catalog', 3],
      ['gateway', 1],
    ])
  })

  it('when the syntax is wrong, then a usage error names the bad part', () => {
    expect(usageErrorOf(() => parseReplicas('catalog:2', services))).toContain('"catalog:2"')
  })

  it('when a service is unknown, then the usage error lists the known ones', () => {
    expect(usageErrorOf(() => parseReplicas('cart=2', services))).toContain('known: catalog, gateway')
  })

  it('when the service with the public port gets 2 replicas, then it is refused', () => {
    const replicas = parseReplicas('gateway=2', services)
    expect(usageErrorOf(() => applyOverrides(services, { replicas, publicPorts: new Map() }))).toContain(
      '8080',
    )
  })

  it('when a port is given, then only the service with a public port takes it', () => {
    const applied = applyOverrides(services, {
      replicas: new Map(),
      publicPorts: new Map([['gateway', 9090]]),
    })
    expect(applied.map((s) => s.publicPort)).toEqual([undefined, 9090])
  })

  it('when ports are given for the gateway and the console, then each takes its own', () => {
    const withConsole: ResolvedService[] = [
      ...services,
      { name: 'console', entry: 'k.js', entryPath: '/k.js', database: false, replicas: 1, publicPort: 8081 },
    ]
    const applied = applyOverrides(withConsole, {
      replicas: new Map(),
      publicPorts: new Map([
        ['gateway', 9090],
        ['console', 9091],
      ]),
    })
    expect(applied.map((s) => [s.name, s.publicPort])).toEqual([
      ['catalog', undefined],
      ['gateway', 9090],
      ['console', 9091],
    ])
  })
})

describe('the call policy and the topology', () => {
  it('when the launcher runs the topology, then every service of the call policy is one it starts, and each service it starts but the console has a place in the policy', () => {
    const launched = topology.map((s) => s.name)
    const policy = callPolicy as Record<string, Record<string, readonly string[]>>
    const named = new Set([
      ...Object.keys(policy),
      ...Object.values(policy).flatMap((rpcs) => Object.values(rpcs).flat()),
    ])
    for (const service of named) expect(launched).toContain(service)
    expect(launched.filter((s) => s !== CONSOLE).sort()).toEqual([...named].sort())
  })
})
