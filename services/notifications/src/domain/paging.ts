import { pageTokens } from '@microshop/chassis/paging'

/** Page tokens of a mailbox: "continue with the messages older than this seq". */
export const messageTokens = pageTokens<number>({
  prefix: 'm1.',
  write: String,
  read: (text) => (/^\d{1,15}$/.test(text) ? Number(text) : undefined),
})
