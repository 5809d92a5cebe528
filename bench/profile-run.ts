// Not a benchmark: a measuring aid. Boots the system with pg_stat_statements and (optionally) CPU profiles,
// runs checkouts, prints the statements that cost the most in every database.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import pg from 'pg'
import { bootSystem, cpuBetween, cpuSnapshot, prepareBuyers, runCheckout } from './support.js'

const ORDERS = Number(process.env.BENCH_ORDERS ?? 150)
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 8)
const system = await bootSystem({ MICROSHOP_POSTGRES_ARGS: '-c shared_preload_libraries=pg_stat_statements' })
const secrets = JSON.parse(readFileSync(join(system.dataDir, 'secrets.json'), 'utf8'))
const state = JSON.parse(readFileSync(join(system.dataDir, 'state.json'), 'utf8'))
const dbs = [
  'postgres',
  'bus',
  'orders',
  'payments',
  'inventory',
  'shipping',
  'notifications',
  'fraud',
  'cart',
]
const su = (db: string) =>
  new pg.Client({
    host: '127.0.0.1',
    port: state.pgPort,
    user: 'postgres',
    password: secrets.superuser,
    database: db,
  })
try {
  for (const db of dbs) {
    const c = su(db)
    await c.connect()
    await c.query('create extension if not exists pg_stat_statements')
    await c.end()
  }
  const tokens = await prepareBuyers(system.base, CONCURRENCY)
  await runCheckout(system.base, tokens, 10, 0)
  const c0 = su('postgres')
  c0.on('error', () => undefined)
  await c0.connect()
  await c0.query('select pg_stat_statements_reset()')
  const before = await cpuSnapshot(system.launcherPid)
  const r = await runCheckout(system.base, tokens, ORDERS, 0)
  const cpu = cpuBetween(before, await cpuSnapshot(system.launcherPid))
  console.log(`orders/s ${r.ordersPerSecond.toFixed(1)}, failed ${r.failures.length}`, r.failures.slice(0, 3))
  for (const [n, s] of [...cpu].sort((a, b) => b[1] - a[1]).slice(0, 14))
    console.log(`${n.padEnd(24)} ${((s * 1000) / ORDERS).toFixed(1)} ms/order`)
  const { rows } = await c0.query(
    `select d.datname, s.calls, round(s.total_exec_time::numeric, 1) as ms, s.rows, left(regexp_replace(s.query, '\\s+', ' ', 'g'), 150) as q
       from pg_stat_statements s join pg_database d on d.oid = s.dbid
      order by s.total_exec_time desc limit 40`,
  )
  for (const row of rows)
    console.log(
      `${row.datname.padEnd(13)} ${String(row.calls).padStart(6)} ${String(row.ms).padStart(8)}ms  ${row.q}`,
    )
  const perDb = await c0.query(
    `select d.datname, s.calls, left(regexp_replace(s.query, '\\s+', ' ', 'g'), 110) as q
       from pg_stat_statements s join pg_database d on d.oid = s.dbid
      where d.datname = any($1::text[]) and s.calls >= $2 order by d.datname, s.calls desc`,
    [(process.env.BENCH_DBS ?? 'orders,payments').split(','), ORDERS / 2],
  )
  for (const row of perDb.rows)
    console.log(`${row.datname.padEnd(13)} ${(row.calls / ORDERS).toFixed(2).padStart(6)}/order  ${row.q}`)
  const calls = await c0.query(
    `select d.datname, sum(s.calls)::int as calls from pg_stat_statements s join pg_database d on d.oid = s.dbid group by 1 order by 2 desc`,
  )
  for (const row of calls.rows)
    console.log(`${row.datname.padEnd(13)} ${(row.calls / ORDERS).toFixed(1)} statements/order`)
  await c0.end()
} catch (err) {
  console.error(err)
} finally {
  await system.stop()
}
