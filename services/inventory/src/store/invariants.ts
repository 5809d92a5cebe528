import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { packageDir } from '@microshop/chassis'

/** Path of the SQL that lists every violated stock invariant (read-only; `microshop audit` runs it too). */
export const stockInvariantsSqlPath = join(packageDir(import.meta.url), 'src/store/invariants.sql')

/** The SQL text: rows of product_id, order_id, violation, detail; none when every invariant holds. */
export const stockInvariantsSql = (): string => readFileSync(stockInvariantsSqlPath, 'utf8')
