/** Building blocks every resource's schemas share: money, problems, pages, identifiers. */

export const slug = { type: 'string', pattern: '^[a-z0-9]+(-[a-z0-9]+)*$', maxLength: 80 } as const

export const Money = {
  $id: 'Money',
  type: 'object',
  description: 'An amount in minor units (cents) of an ISO 4217 currency.',
  required: ['amount', 'currency'],
  properties: {
    amount: { type: 'integer', examples: [1299] },
    currency: { type: 'string', pattern: '^[A-Z]{3}$', examples: ['USD'] },
  },
} as const

export const Problem = {
  $id: 'Problem',
  type: 'object',
  description: 'RFC 9457 problem details; `code` is stable and meant for programs.',
  required: ['type', 'title', 'status', 'detail', 'code'],
  properties: {
    type: { type: 'string' },
    title: { type: 'string' },
    status: { type: 'integer' },
    detail: { type: 'string' },
    code: { type: 'string', examples: ['CATALOG_PRODUCT_NOT_FOUND'] },
    instance: { type: 'string' },
    errors: {
      type: 'array',
      items: {
        type: 'object',
        required: ['field', 'message'],
        properties: { field: { type: 'string' }, message: { type: 'string' } },
      },
    },
    traceId: {
      type: 'string',
      pattern: '^[0-9a-f]{32}$',
      description: 'The trace of the failed request, to look up in the console (`npx microshop traces`)',
    },
  },
} as const

/** A page of a list, as every list of the API has it: `items` and, when more follow, `nextPageToken`. */
export const pageOf = <const Id extends string, const Item extends string>(id: Id, item: Item) =>
  ({
    $id: id,
    type: 'object',
    required: ['items'],
    properties: {
      items: { type: 'array', items: { $ref: `${item}#` } },
      nextPageToken: {
        type: 'string',
        description: 'Pass as pageToken for the next page; absent on the last page.',
      },
    },
  }) as const

/** The query of a paged list: `pageSize` (clamped to max) and `pageToken`. */
export const pageQuery = (max: number) =>
  ({
    type: 'object',
    additionalProperties: false,
    properties: {
      pageSize: {
        type: 'integer',
        minimum: 1,
        description: `Items per page; larger values are clamped to ${max}`,
      },
      pageToken: { type: 'string', maxLength: 200 },
    },
  }) as const

const problem = <const D extends string>(description: D) =>
  ({
    description,
    content: { 'application/problem+json': { schema: { $ref: 'Problem#' } } },
  }) as const

/** Documented error responses, by status. */
export const problems = {
  400: problem('Invalid input'),
  401: problem('No valid access token'),
  403: problem('Not allowed for this caller'),
  404: problem('Not found'),
  409: problem('Conflict'),
  413: problem('Body too large'),
  422: problem('Not possible in the current state'),
  429: problem('Too many requests; see Retry-After'),
  503: problem('An upstream service is down or slow; see Retry-After'),
} as const

/** The error responses every route may give. */
export const commonProblems = { 400: problems[400], 429: problems[429], 503: problems[503] } as const
export const bodyProblems = { ...commonProblems, 413: problems[413] } as const
export const userProblems = { ...commonProblems, 401: problems[401] } as const

/** Routes that need a signed-in caller. */
export const bearer = [{ bearerAuth: [] }] as const
