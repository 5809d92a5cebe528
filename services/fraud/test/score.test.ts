import { randomUUID } from 'node:crypto'
import type { Db, ServiceClient } from '@microshop/chassis'
import { createServiceClient } from '@microshop/chassis/internal'
import { expectFailure, silentLogger, staticDiscovery } from '@microshop/chassis/testing'
import { Decision, FraudServiceService, type ScoreRequest } from '@microshop/contracts/fraud/v1/fraud'
import { IdentityServiceService } from '@microshop/contracts/identity/v1/identity'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Stack, startStack } from '../../../test-support/stack.js'

let stack: Stack
let fraud: ServiceClient<typeof FraudServiceService>
let userId: string

const fraudDb = (): Db => {
  const db = stack.services.fraud?.db
  if (!db) throw new Error('fraud is not running')
  return db
}

const request = (over: Partial<ScoreRequest> = {}): ScoreRequest => ({
  orderId: randomUUID(),
  userId,
  amount: { amount: 2_500, currency: 'USD' },
  cardBin: '424242',
  cardLast4: '4242',
  cardCountry: 'US',
  shippingCountry: 'US',
  email: 'buyer@example.com',
  ...over,
})

beforeAll(async () => {
  stack = await startStack(['identity', 'fraud'], {
    identity: { IDENTITY_ARGON2_MEMORY_KIB: '8192', IDENTITY_ARGON2_TIME_COST: '1' },
    fraud: { FRAUD_VELOCITY_MAX_PER_HOUR: '2' },
  })
  fraud = createServiceClient({
    service: 'fraud',
    definition: FraudServiceService,
    discovery: staticDiscovery([`127.0.0.1:${stack.services.fraud!.grpcPort}`]),
    log: silentLogger,
    deadlineMs: 5_000,
  })
  const identity = createServiceClient({
    service: 'identity',
    definition: IdentityServiceService,
    discovery: staticDiscovery([`127.0.0.1:${stack.services.identity!.grpcPort}`]),
    log: silentLogger,
    deadlineMs: 5_000,
  })
  const { user } = await identity.call('register', {
    email: 'buyer@example.com',
    password: 'correct-horse-battery-9',
    name: 'Buyer',
  })
  identity.close()
  userId = user!.id
})
afterAll(async () => {
  fraud?.close()
  await stack?.close()
})

describe('Score', () => {
  it('when a small order of a new account ships to the card country, then it is approved for the new account only', async () => {
    expect(await fraud.call('score', request())).toEqual({
      score: 15,
      decision: Decision.DECISION_APPROVE,
      reasons: ['account_new'],
    })
  })

  it('when the card is the test card payments blocklists, then fraud scores it like any other card', async () => {
    // the blocklist is payments': that card never gets here in a checkout (payments' tests prove it)
    expect(
      await fraud.call('score', request({ userId: randomUUID(), cardBin: '410000', cardLast4: '0019' })),
    ).toEqual({ score: 10, decision: Decision.DECISION_APPROVE, reasons: ['account_unknown'] })
  })

  it('when a large order ships abroad, then the reasons add up to a review', async () => {
    const res = await fraud.call(
      'score',
      request({ userId: randomUUID(), amount: { amount: 100_000, currency: 'USD' }, shippingCountry: 'FR' }),
    )
    expect(res.reasons).toEqual(['amount_very_large', 'country_mismatch', 'account_unknown'])
    expect(res).toMatchObject({ score: 75, decision: Decision.DECISION_REVIEW })
  })

  it('when one user orders fast, then velocity raises the score, and a re-scored order counts once', async () => {
    const user = randomUUID()
    const orders = [randomUUID(), randomUUID(), randomUUID(), randomUUID(), randomUUID()]
    const scored = async (orderId: string) =>
      (await fraud.call('score', request({ userId: user, orderId }))).reasons
    expect(await scored(orders[0]!)).toEqual(['account_unknown'])
    expect(await scored(orders[1]!)).toEqual(['account_unknown'])
    expect(await scored(orders[2]!)).toEqual(['velocity_high', 'account_unknown'])
    // asked again, the first orders keep their first answers and are not counted again
    expect(await scored(orders[0]!)).toEqual(['account_unknown'])
    expect(await Promise.all([scored(orders[2]!), scored(orders[2]!)])).toEqual([
      ['velocity_high', 'account_unknown'],
      ['velocity_high', 'account_unknown'],
    ])
    expect(await scored(orders[3]!)).toEqual(['velocity_high', 'account_unknown'])
    expect(await scored(orders[4]!)).toEqual(['velocity_very_high', 'account_unknown'])
    const rows = await fraudDb().query('select order_id from scores where user_id = $1', [user])
    expect(rows.rowCount).toBe(5)
  })

  it('when the request is malformed, then it is refused naming each field', async () => {
    const err = await expectFailure(
      fraud.call('score', request({ orderId: '', cardBin: '42', amount: { amount: -5, currency: 'USD' } })),
      { code: 'FRAUD_INVALID_REQUEST', kind: 'invalid_argument' },
    )
    expect(err.fields.map((f) => f.field)).toEqual(['order_id', 'amount.amount', 'card_bin'])
  })

  it('when identity is down, then the account age is unknown and the score is still given', async () => {
    await stack.stop('identity')
    const res = await fraud.call('score', request({ userId: randomUUID() }))
    expect(res).toEqual({ score: 10, decision: Decision.DECISION_APPROVE, reasons: ['account_unknown'] })
  })
})
