import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'

const src = (path: string) => fileURLToPath(new URL(path, import.meta.url))

export default defineConfig({
  resolve: {
    alias: [
      { find: /^@microshop\/chassis$/, replacement: src('./packages/chassis/src/index.ts') },
      { find: /^@microshop\/chassis\/(.*)$/, replacement: src('./packages/chassis/src/$1.ts') },
      { find: /^@microshop\/contracts$/, replacement: src('./packages/contracts/src/index.ts') },
      { find: /^@microshop\/contracts\/events$/, replacement: src('./packages/contracts/src/events.ts') },
      {
        find: /^@microshop\/contracts\/(.*)$/,
        replacement: src('./packages/contracts/src/gen/microshop/$1.ts'),
      },
    ],
  },
  test: {
    include: ['{packages,services,apps,e2e}/**/*.test.ts'],
    exclude: ['**/node_modules/**', '**/dist/**'],
    globalSetup: ['./test-support/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
})
