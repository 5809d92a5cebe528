// npm run bench:compare-http — this checkout's gateway against another one's (BENCH_BASE: a directory holding
// another commit, installed and built), side by side in front of one system. The system is booted from this
// checkout; two more gateways are started with the Node options and the environment of its own gateway, one
// from each checkout's build, and wrk loads them in alternating turns (this, base, base, this, …), so that the
// machine's drift falls on both alike. Prints, for each path, every turn's and the median CPU each gateway's
// process took a request. Read the turns: on a busy machine one turn of the same code has moved by a third;
// more turns (BENCH_TURNS) or longer ones (BENCH_WRK_SECONDS) narrow it.
import { type ChildProcess, spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { waitFor } from '@microshop/chassis/testing'
import { freePort } from '../test-support/net.js'
import { processTree, stopChild } from '../test-support/processes.js'
import { bootSystem, cpuSecondsOf, machine, PRODUCT, percentile, wrk } from './support.js'

const BASE = process.env.BENCH_BASE
const gatewayIn = (dir: string) => join(resolve(dir), 'services', 'gateway', 'dist', 'main.js')
if (!BASE || !existsSync(gatewayIn(BASE))) {
  console.error('BENCH_BASE must name another checkout of microshop, installed and built')
  process.exit(2)
}
const TURNS = Number(process.env.BENCH_TURNS ?? 5)
const SECONDS = Number(process.env.BENCH_WRK_SECONDS ?? 3)

/** The CPU µs a request took in the process `pid` while wrk (one thread, 50 connections) loaded `url`. */
async function cpuPerRequest(pid: number, url: string, seconds = SECONDS): Promise<number> {
  const before = await cpuSecondsOf(pid)
  const { requests, non2xx } = await wrk(url, seconds)
  if (non2xx > 0 && !url.includes('/api/nope')) throw new Error(`${url} answered with errors under load`)
  return ((await cpuSecondsOf(pid)) - before) * (1e6 / requests)
}

/** How the system's gateway was started: the Node options before its script, and its environment. */
interface Launch {
  nodeArgs: string[]
  env: NodeJS.ProcessEnv
}

interface Gateway {
  name: string
  url: string
  child: ChildProcess
}

/** A gateway from `dir`'s build with the Node options and environment of the system's own, on a port of its own. */
async function startGateway(name: string, dir: string, own: Launch): Promise<Gateway> {
  const port = await freePort()
  const child = spawn(process.execPath, [...own.nodeArgs, gatewayIn(dir)], {
    env: { ...own.env, PORT: String(port), INSTANCE_ID: `gateway-${name}` },
    stdio: ['ignore', 'ignore', 'inherit'],
  })
  const url = `http://127.0.0.1:${port}`
  const outcome = await waitFor(
    async () =>
      child.exitCode !== null
        ? 'exited'
        : (await fetch(`${url}/api/nope`).catch(() => undefined))?.status === 404 && 'ready',
    { what: `the ${name} gateway`, timeoutMs: 60_000, everyMs: 200 },
  )
  if (outcome === 'exited') throw new Error(`the ${name} gateway exited with ${child.exitCode}`)
  return { name, url, child }
}

const system = await bootSystem()
const gateways: Gateway[] = []
try {
  const pids = await processTree(system.launcherPid)
  const cmdlines = await Promise.all(
    pids.map(async (pid) => (await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')).split('\0')),
  )
  const at = cmdlines.findIndex((args) =>
    args.some((a) => a.endsWith(join('services', 'gateway', 'dist', 'main.js'))),
  )
  if (at < 0) throw new Error("the system's gateway was not found")
  const args = cmdlines[at]!
  const own: Launch = {
    nodeArgs: args.slice(
      1,
      args.findIndex((a) => a.endsWith('main.js')),
    ),
    env: Object.fromEntries(
      (await readFile(`/proc/${pids[at]}/environ`, 'utf8'))
        .split('\0')
        .filter((entry) => entry.includes('=') && !entry.startsWith('NODE_CHANNEL'))
        .map((entry) => [entry.slice(0, entry.indexOf('=')), entry.slice(entry.indexOf('=') + 1)]),
    ),
  }
  gateways.push(await startGateway('this', join(import.meta.dirname, '..'), own))
  gateways.push(await startGateway('base', BASE, own))
  const paths = [
    '/api/nope',
    '/api/products?pageSize=20',
    `/api/products/${PRODUCT}`,
    '/.well-known/jwks.json',
  ]
  // warm each gateway on each path: its code compiled, its caches and channels open
  for (const g of gateways) for (const path of paths) await cpuPerRequest(g.child.pid!, `${g.url}${path}`, 2)

  console.log(`gateway side by side (${machine()}): this checkout against ${resolve(BASE)}`)
  console.log(`wrk -t1 -c50 ${SECONDS} s a turn, ${TURNS} turns each, alternating; CPU µs a request, medians`)
  console.log('| path | this | base | this / base | turns: this | turns: base |')
  console.log('|---|---|---|---|---|---|')
  for (const path of paths) {
    const turns = new Map<string, number[]>(gateways.map((g) => [g.name, []]))
    for (let turn = 0; turn < TURNS; turn++) {
      const order = turn % 2 === 0 ? gateways : [...gateways].reverse()
      for (const g of order) turns.get(g.name)!.push(await cpuPerRequest(g.child.pid!, `${g.url}${path}`))
    }
    const median = (name: string) =>
      percentile(
        [...turns.get(name)!].sort((a, b) => a - b),
        50,
      )
    const list = (name: string) =>
      turns
        .get(name)!
        .map((v) => v.toFixed(0))
        .join(' ')
    console.log(
      `| ${path} | ${median('this').toFixed(0)} µs | ${median('base').toFixed(0)} µs | ` +
        `${(median('this') / median('base')).toFixed(2)}× | ${list('this')} | ${list('base')} |`,
    )
  }
} finally {
  for (const g of gateways) await stopChild(g.child, 'SIGTERM')
  await system.stop()
}
