import { defineConfig } from 'vite'

// The gateway serves the build at `/`; in `vite` (dev) the API is the gateway's, proxied
export default defineConfig({
  oxc: { jsx: { runtime: 'automatic' } },
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022', sourcemap: false },
  server: {
    port: 5173,
    proxy: { '/api': 'http://localhost:8080', '/images': 'http://localhost:8080' },
  },
})
