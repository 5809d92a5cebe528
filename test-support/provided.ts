// What the global setup hands every test file through vitest's provide/inject.
declare module 'vitest' {
  export interface ProvidedContext {
    /** Superuser URL of the test run's embedded PostgreSQL, on its `postgres` database. */
    pgAdminUrl: string
  }
}

export {}
