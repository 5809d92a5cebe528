import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

/**
 * Path of the SQL that lists every violated stock invariant (read-only; `microshop audit` runs it too);
 * the SQL stays in src/, so the path is the same from src/store and from dist/store.
 */
export const stockInvariantsSqlPath = fileURLToPath(
  new URL('../../src/store/invariants.sql', import.meta.url),
)

/** The SQL text: rows of product_id, order_id, violation, detail; none when every invariant holds. */
export const stockInvariantsSql = (): string => readFileSync(stockInvariantsSqlPath, 'utf8')
