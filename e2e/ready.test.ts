import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { loadTopology } from '../packages/cli/src/topology.js'
import { freePort } from '../test-support/net.js'
import { type Launcher, launch } from './launcher.js'
import { CARDS, cardOf, shopAt } from './shop.js'

// "ready" means the README's order can be placed at once. The inventory gets its opening stock from the
// catalog after it starts; here the catalog starts only once the inventory has tried without it, and the next
// try is far off: a launcher that announced ready before the stock was there would take the order to a 422.
const LATE_CATALOG = join(import.meta.dirname, 'fixtures', 'late-catalog.mjs')
const SEED_RETRY_MS = '20000'

let port: number
let launcher: Launcher | undefined
const dirs: string[] = []
const shop = shopAt(() => `http://127.0.0.1:${port}`)

/** `microshop up` with the late catalog in the topology, on a fresh data dir. */
async function upWithLateCatalog(args: string[] = []) {
  const [dataDir, topologyDir] = [
    await mkdtemp(join(tmpdir(), 'microshop-ready-')),
    await mkdtemp(join(tmpdir(), 'microshop-ready-topology-')),
  ]
  dirs.push(dataDir, topologyDir)
  await chmod(dataDir, 0o755)
  const topologyFile = join(topologyDir, 'topology.json')
  const services = loadTopology().map(({ entryPath, ...s }) => ({
    ...s,
    entry: s.name === 'catalog' ? LATE_CATALOG : entryPath,
  }))
  await writeFile(topologyFile, JSON.stringify(services))
  port = await freePort()
  launcher = await launch(dataDir, port, {
    args: ['--topology', topologyFile, ...args],
    env: { LOG_LEVEL: 'info', INVENTORY_SEED_RETRY_MS: SEED_RETRY_MS },
  })
  await launcher.ready()
  return launcher
}

/** The README's "Try it with curl": sign up, sign in, tokenise the card, order one enamel camp mug. */
async function readmeOrder() {
  const token = await shop.buyer()
  const card = await shop.call<{ token: string }>('/api/payments/tokens', {
    method: 'POST',
    token,
    json: { card: cardOf(CARDS.ok) },
  })
  expect(card.status, JSON.stringify(card.body)).toBe(201)
  return shop.orderPaidWith(token, 'enamel-camp-mug', { token: card.body.token }, 'my-first-order')
}

afterEach(async () => {
  if (launcher) expect(await launcher.stop()).toBe(0)
  launcher = undefined
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })))
}, 60_000)

describe('microshop up says ready once the README order can be placed', () => {
  for (const [how, args] of [
    ['as processes', []],
    ['--in-process', ['--in-process']],
  ] as const) {
    it(`when the inventory first tries to seed before the catalog answers (${how}), then the order placed right after ready is accepted`, async () => {
      const up = await upWithLateCatalog([...args])
      const placed = await readmeOrder()
      expect(placed.status, JSON.stringify(placed.body)).toBe(202)
      expect(placed.body.status).toBe('PENDING_PAYMENT')
      // the case this is about did happen: a seeding run without the catalog, then the stock, then ready
      const output = up.output
      expect(output).toContain('stock-seeding failed')
      const seeded = output.indexOf('opening stock seeded from the catalog')
      expect(seeded).toBeGreaterThan(output.indexOf('stock-seeding failed'))
      expect(seeded).toBeLessThan(output.search(/all \d+ instances ready/))
    }, 180_000)
  }
})
