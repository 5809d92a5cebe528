import { bearer, bodyProblems, problems } from '../schemas/common.js'

const TEST_CARDS =
  'Test cards: 4242424242424242 succeeds, 4000000000000002 is declined, 4100000000000019 is blocked as fraud, 4000000000000077 is slow (2 s)'

/** A card as a person types it: the same at checkout and when tokenised beforehand. */
export const Card = {
  $id: 'Card',
  type: 'object',
  additionalProperties: false,
  required: ['number', 'expMonth', 'expYear', 'cvc'],
  description: TEST_CARDS,
  properties: {
    number: { type: 'string', pattern: '^[0-9 ]{12,23}$' },
    expMonth: { type: 'integer', minimum: 1, maximum: 12 },
    expYear: { type: 'integer', minimum: 2000, maximum: 2100 },
    cvc: { type: 'string', pattern: '^[0-9]{3,4}$' },
  },
} as const

export const CardToken = {
  $id: 'CardToken',
  type: 'object',
  description: 'Stands for the card at checkout (`payment: { token }`); only its owner can pay with it.',
  required: ['token', 'brand', 'last4'],
  properties: {
    token: { type: 'string', examples: ['tok_3q8c0mX1vN2b7yTzQ5kLw9aR'] },
    brand: { type: 'string', examples: ['visa'] },
    last4: { type: 'string', examples: ['4242'] },
  },
} as const

/** The schemas of this resource that others refer to by $id. */
export const paymentComponents = [Card, CardToken] as const

export const tokenizeCardSchema = {
  tags: ['payments'],
  summary: 'Tokenise a card before checkout (client-side tokenisation)',
  description:
    'Checks the card (number, expiry, CVC) and answers a token that stands for it: pass it to POST /api/orders as ' +
    '`payment: { token }`, so the card number never travels with the order. The token is the caller’s. ' +
    `A card that does not check out answers 400 naming the fields (\`card.number\`, \`card.expYear\`…). ${TEST_CARDS}.`,
  security: bearer,
  body: {
    type: 'object',
    additionalProperties: false,
    required: ['card'],
    properties: { card: { $ref: 'Card#' } },
  },
  response: { 201: { $ref: 'CardToken#' }, 401: problems[401], ...bodyProblems },
} as const
