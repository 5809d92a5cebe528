import type { Problem } from '@microshop/chassis'
import type { InjectOptions, LightMyRequestResponse } from 'fastify'
import { expect } from 'vitest'
import { createOpenApiChecker, type OpenApiDocument } from '../../../test-support/openapi.js'
import type { Stack } from '../../../test-support/stack.js'

export const ADMIN = { email: 'admin@microshop.local', password: 'microshop-admin-2026' }
export const PASSWORD = 'correct-horse-battery-9'

interface Call {
  method?: InjectOptions['method']
  token?: string
  json?: unknown
  /** A raw body, sent as is with the headers given. */
  body?: string
  headers?: Record<string, string>
}

/** The injected answer as a fetch Response, for the OpenAPI checker. */
const asResponse = (res: LightMyRequestResponse) =>
  new Response(res.rawPayload.length > 0 ? new Uint8Array(res.rawPayload) : null, {
    status: res.statusCode,
    headers: Object.entries(res.headers).flatMap(([name, value]) =>
      value === undefined ? [] : [[name, String(value)] as [string, string]],
    ),
  })

/** The gateway of a stack, driven in-process through Fastify's inject: no socket, the whole edge. */
export async function gatewayEdge(stack: Stack) {
  const http = stack.services.gateway?.http
  if (!http) throw new Error('the stack has no gateway')

  const inject = (path: string, call: Call = {}) =>
    http.inject({
      method: call.method ?? 'GET',
      url: path,
      headers: {
        ...call.headers,
        ...(call.token ? { authorization: `Bearer ${call.token}` } : {}),
        ...(call.json !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(call.json !== undefined ? { payload: JSON.stringify(call.json) } : {}),
      ...(call.body !== undefined ? { payload: call.body } : {}),
    })

  const doc = (await inject('/api/openapi.json')).json() as OpenApiDocument
  const openapi = createOpenApiChecker(doc)

  /** Injects and checks the answer against the gateway's own OpenAPI document (route as documented). */
  const checked = async <T>(route: string, path: string, call: Call = {}) => {
    const res = await inject(path, call)
    const body = (await openapi.check(asResponse(res), call.method ?? 'GET', route)) as T
    return { res, body }
  }

  let users = 0
  /** A new customer, signed in. */
  const newCustomer = async () => {
    const email = `customer${++users}-${Date.now()}@example.com`
    const register = await inject('/api/auth/register', {
      method: 'POST',
      json: { email, password: PASSWORD, name: `Customer ${users}` },
    })
    expect(register.statusCode, register.body).toBe(201)
    return signIn({ email, password: PASSWORD })
  }

  const signIn = async (credentials: { email: string; password: string }) => {
    const login = await inject('/api/auth/login', { method: 'POST', json: credentials })
    expect(login.statusCode, login.body).toBe(200)
    return (login.json() as { accessToken: string }).accessToken
  }

  return { inject, checked, newCustomer, adminToken: () => signIn(ADMIN), doc }
}

export type GatewayEdge = Awaited<ReturnType<typeof gatewayEdge>>

/** A problem+json body, as the chassis makes it. */
export type ProblemBody = Problem

/** The fields a 400 names. */
export const fieldsOf = (problem: ProblemBody) => (problem.errors ?? []).map((e) => e.field)
