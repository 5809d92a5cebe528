#!/usr/bin/env node
import { existsSync } from 'node:fs'

const entry = new URL('../dist/main.js', import.meta.url)
if (!existsSync(entry)) {
  process.stderr.write('microshop: run `npm run build` first\n')
  process.exit(1)
}
const { main } = await import(entry.href)
// exit explicitly: a stray handle (a socket, a timer) must not keep a finished command alive
main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`microshop: ${err?.stack ?? err}\n`)
    process.exit(1)
  },
)
