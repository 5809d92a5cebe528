// After `vite build`: gzips every text file of dist/ beside itself (the gateway serves the .gz twin), prints what
// the first page loads gzipped, and fails the build when its JavaScript is over the budget.
import { readdir, readFile, writeFile } from 'node:fs/promises'
import { extname, join, relative } from 'node:path'
import { gzipSync } from 'node:zlib'

const DIST = join(import.meta.dirname, '..', 'dist')
const BUDGET_BYTES = 150_000
const TEXT = new Set(['.html', '.js', '.css', '.svg', '.json', '.txt', '.webmanifest'])

/** @param {string} dir @returns {Promise<string[]>} */
async function filesUnder(dir) {
  const entries = await readdir(dir, { withFileTypes: true })
  const nested = await Promise.all(
    entries.map((e) => (e.isDirectory() ? filesUnder(join(dir, e.name)) : [join(dir, e.name)])),
  )
  return nested.flat()
}

/** @type {Map<string, number>} gzipped size by path under dist/, as the gateway sends it */
const gzipped = new Map()
for (const file of await filesUnder(DIST)) {
  if (!TEXT.has(extname(file))) continue
  const zipped = gzipSync(await readFile(file), { level: 9 })
  await writeFile(`${file}.gz`, zipped)
  gzipped.set(`/${relative(DIST, file)}`, zipped.length)
}

// what index.html makes the browser fetch before the first page shows: the entry, its preloads, the styles
const index = await readFile(join(DIST, 'index.html'), 'utf8')
const firstPage = [...index.matchAll(/<(?:script|link)\b[^>]*?(?:src|href)="(\/assets\/[^"]+)"/g)].map(
  (m) => m[1] ?? '',
)
const sizeOf = (/** @type {string} */ path) => gzipped.get(path) ?? 0
const js = firstPage.filter((p) => p.endsWith('.js'))
const css = firstPage.filter((p) => p.endsWith('.css'))
const total = (/** @type {string[]} */ paths) => paths.reduce((n, p) => n + sizeOf(p), 0)
const kB = (/** @type {number} */ bytes) => `${(bytes / 1000).toFixed(1)} kB`

for (const path of firstPage) console.log(`  ${path.padEnd(40)} ${kB(sizeOf(path)).padStart(9)} gzipped`)
console.log(
  `first page: ${kB(total(js))} of JavaScript gzipped (budget ${kB(BUDGET_BYTES)}), ${kB(total(css))} of CSS`,
)
if (total(js) > BUDGET_BYTES) {
  console.error(`the first page's JavaScript is over its budget of ${kB(BUDGET_BYTES)} gzipped`)
  process.exit(1)
}
