import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import ts from 'typescript'

const root = new URL('../../../../../', import.meta.url)
// the same aliases as vitest.config.ts: the workspace packages from their sources
const aliases = {
  '@microshop/chassis': 'packages/chassis/src/index.ts',
  '@microshop/contracts': 'packages/contracts/src/index.ts',
  '@microshop/contracts/events': 'packages/contracts/src/events.ts',
}
const CONTRACTS = '@microshop/contracts/'

export async function resolve(specifier, context, next) {
  if (Object.hasOwn(aliases, specifier))
    return { url: new URL(aliases[specifier], root).href, shortCircuit: true }
  if (specifier.startsWith(CONTRACTS)) {
    const path = `packages/contracts/src/gen/microshop/${specifier.slice(CONTRACTS.length)}.ts`
    return { url: new URL(path, root).href, shortCircuit: true }
  }
  if (specifier.startsWith('.') && specifier.endsWith('.js') && context.parentURL?.endsWith('.ts')) {
    const source = new URL(`${specifier.slice(0, -3)}.ts`, context.parentURL)
    if (existsSync(source)) return { url: source.href, shortCircuit: true }
  }
  return next(specifier, context)
}

export async function load(url, context, next) {
  if (!url.startsWith('file:') || !url.endsWith('.ts')) return next(url, context)
  const { outputText } = ts.transpileModule(await readFile(new URL(url), 'utf8'), {
    fileName: fileURLToPath(url),
    compilerOptions: {
      module: ts.ModuleKind.ESNext,
      target: ts.ScriptTarget.ES2022,
      inlineSourceMap: true,
    },
  })
  return { format: 'module', source: outputText, shortCircuit: true }
}
