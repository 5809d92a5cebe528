import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { calleesOf, callPolicy, mayCall } from './policy.js'

const root = join(import.meta.dirname, '../../..')
const services = readdirSync(join(root, 'services'))
const sources = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) return sources(path)
    return path.endsWith('.ts') && !path.endsWith('.test.ts') ? [path] : []
  })
const pascal = (method: string) => method[0]!.toUpperCase() + method.slice(1)

/** Every `caller → service.Rpc` the services' code makes: `<peer>.call('rpc'` and `jwksOf(identity)`. */
function callsInCode(): Set<string> {
  const edges = new Set<string>()
  for (const caller of services) {
    let files: string[]
    try {
      files = sources(join(root, 'services', caller, 'src'))
    } catch {
      continue
    }
    for (const file of files) {
      const text = readFileSync(file, 'utf8')
      for (const [, chain = '', method = ''] of text.matchAll(/([\w.]+)\s*\.call\(\s*'(\w+)'/g)) {
        const peer = chain.split('.').find((part) => part in callPolicy)
        if (!peer) throw new Error(`${file}: cannot tell which service "${chain}.call('${method}')" calls`)
        edges.add(`${caller} → ${peer}.${pascal(method)}`)
      }
      if (/jwksOf\(\s*identity\s*\)/.test(text)) edges.add(`${caller} → identity.GetJwks`)
    }
  }
  return edges
}

const policyEdges = () =>
  new Set(
    Object.entries(callPolicy as Record<string, Record<string, readonly string[]>>).flatMap(
      ([service, rpcs]) =>
        Object.entries(rpcs).flatMap(([rpc, callers]) =>
          callers.map((caller) => `${caller} → ${service}.${rpc}`),
        ),
    ),
  )

describe('the call policy', () => {
  it('allows exactly the calls the services make: no call in code is denied, no grant goes unused', () => {
    expect([...policyEdges()].sort()).toEqual([...callsInCode()].sort())
  })

  it('names only services that exist, and only RPCs their .proto declares', () => {
    for (const [service, rpcs] of Object.entries(callPolicy)) {
      expect(services).toContain(service)
      const proto = readFileSync(
        join(root, `packages/contracts/proto/microshop/${service}/v1/${service}.proto`),
        'utf8',
      )
      for (const [rpc, callers] of Object.entries(rpcs)) {
        expect(proto).toMatch(new RegExp(`rpc ${rpc}\\(`))
        for (const caller of callers) expect(services).toContain(caller)
      }
    }
  })

  it('when asked about a path, answers from the table, and denies what it does not list', () => {
    expect(mayCall('gateway', '/microshop.catalog.v1.CatalogService/UpsertProduct')).toBe(true)
    expect(mayCall('fraud', '/microshop.catalog.v1.CatalogService/UpsertProduct')).toBe(false)
    expect(mayCall('orders', '/microshop.inventory.v1.InventoryService/ReserveStock')).toBe(true)
    expect(mayCall('gateway', '/microshop.inventory.v1.InventoryService/ReserveStock')).toBe(false)
    expect(mayCall('payments', '/microshop.fraud.v1.FraudService/Score')).toBe(true)
    expect(mayCall('gateway', '/microshop.fraud.v1.FraudService/Score')).toBe(false)
    expect(mayCall('gateway', '/microshop.catalog.v1.CatalogService/DropEverything')).toBe(false)
    expect(mayCall('gateway', '/grpc.health.v1.Health/Check')).toBe(false)
    expect(calleesOf('payments')).toEqual(['identity', 'fraud'])
  })
})
