import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Stack, startStack } from '../../../test-support/stack.js'
import { type GatewayEdge, gatewayEdge, PASSWORD, type ProblemBody } from './support.js'

// The strict per-address limit of sign-in and sign-up, keyed on the real client: behind the proxy the
// settings trust (loopback here, where inject comes from), X-Forwarded-For names it; from anywhere else, not.
let stack: Stack
let edge: GatewayEdge
let seq = 0

beforeAll(async () => {
  stack = await startStack(['identity', 'gateway'], {
    gateway: { GATEWAY_TRUST_PROXY: '127.0.0.1', GATEWAY_RATE_LIMIT_LOGIN: '3' },
  })
  edge = await gatewayEdge(stack)
})

afterAll(async () => {
  await stack?.close()
})

const from = (address: string) => ({ 'x-forwarded-for': address })
const newEmail = () => `address${++seq}-${Date.now()}@example.com`
const register = (address: string, email = newEmail(), name = 'Addressed Buyer', password = PASSWORD) =>
  edge.checked<Record<string, unknown> & ProblemBody>('/api/auth/register', '/api/auth/register', {
    method: 'POST',
    headers: from(address),
    json: { email, password, name },
  })
const login = (address: string, email: string, password: string) =>
  edge.inject('/api/auth/login', { method: 'POST', headers: from(address), json: { email, password } })

describe('sign-up, limited like sign-in', () => {
  it('when one address signs up past the login limit, then 429; another address still signs up', async () => {
    const statuses: number[] = []
    for (let i = 0; i < 4; i++) statuses.push((await register('203.0.113.1')).res.statusCode)
    expect(statuses).toEqual([201, 201, 201, 429])
    const limited = await register('203.0.113.1')
    expect(limited.body.code).toBe('RATE_LIMITED')
    expect(Number(limited.res.headers['retry-after'])).toBeGreaterThan(0)
    expect((await register('203.0.113.2')).res.statusCode).toBe(201)
  })

  it('when an email is taken, then sign-up answers exactly as for a new one, and only the owner signs in', async () => {
    const email = newEmail()
    const first = await register('203.0.113.3', email, 'Same Name')
    const again = await register('203.0.113.4', email.toUpperCase(), 'Same Name', 'another-horse-battery-8')
    expect(again.res.statusCode).toBe(first.res.statusCode)
    expect(first.res.statusCode).toBe(201)
    const shape = (b: Record<string, unknown>) => ({ ...b, id: typeof b.id, createdAt: typeof b.createdAt })
    expect(shape(again.body)).toEqual(shape(first.body))
    expect((await login('203.0.113.5', email, PASSWORD)).statusCode).toBe(200)
    expect((await login('203.0.113.5', email, 'another-horse-battery-8')).statusCode).toBe(401)
  })
})

describe('sign-in from two addresses', () => {
  it('when one address guesses a password past the limit, then the owner signs in from theirs', async () => {
    const email = newEmail()
    expect((await register('203.0.113.6', email)).res.statusCode).toBe(201)
    const statuses: number[] = []
    for (let i = 0; i < 4; i++)
      statuses.push((await login('198.51.100.7', email, `Wrong-pass-${i}`)).statusCode)
    expect(statuses).toEqual([401, 401, 401, 429])
    expect((await login('198.51.100.7', email, PASSWORD)).statusCode).toBe(429)
    expect((await login('203.0.113.6', email, PASSWORD)).statusCode).toBe(200)
  })

  it('when a client the gateway does not trust sends X-Forwarded-For, then it is ignored', async () => {
    const http = stack.services.gateway!.http!
    const statuses: number[] = []
    for (let i = 0; i < 4; i++) {
      const res = await http.inject({
        method: 'POST',
        url: '/api/auth/login',
        remoteAddress: '192.0.2.50',
        headers: { 'content-type': 'application/json', 'x-forwarded-for': `203.0.113.${100 + i}` },
        payload: JSON.stringify({ email: newEmail(), password: 'Wrong-pass-0' }),
      })
      statuses.push(res.statusCode)
    }
    expect(statuses).toEqual([401, 401, 401, 429])
  })
})
