// `node --import <this file> script.ts`: runs the TypeScript sources directly, as vitest does (Node 20 cannot)
import { register } from 'node:module'

register('./ts-hooks.mjs', import.meta.url)
