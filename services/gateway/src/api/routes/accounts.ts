import type { FastifyInstance } from 'fastify'
import type { Accounts, ProfilePatch } from '../../app/accounts.js'
import { bodyProblems, commonProblems, problems, userProblems } from '../schemas.js'

const email = { type: 'string', minLength: 3, maxLength: 254 } as const
const password = { type: 'string', minLength: 1, maxLength: 128 } as const
const refreshBody = {
  type: 'object',
  additionalProperties: false,
  required: ['refreshToken'],
  properties: { refreshToken: { type: 'string', minLength: 1, maxLength: 200 } },
} as const
const bearer = [{ bearerAuth: [] }]

/** Sign-up, sign-in, tokens and the caller's profile. */
export function registerAccountRoutes(app: FastifyInstance, accounts: Accounts): void {
  app.post<{ Body: { email: string; password: string; name: string } }>(
    '/api/auth/register',
    {
      schema: {
        tags: ['auth'],
        summary: 'Create a customer account',
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['email', 'password', 'name'],
          properties: { email, password, name: { type: 'string', minLength: 1, maxLength: 100 } },
        },
        response: { 201: { $ref: 'User#' }, 409: problems[409], ...bodyProblems },
      },
    },
    async (request, reply) => reply.code(201).send(await accounts.register(request.body)),
  )

  app.post<{ Body: { email: string; password: string }; Headers: { 'x-cart-token'?: string } }>(
    '/api/auth/login',
    {
      config: { rateLimit: 'login' },
      schema: {
        tags: ['auth'],
        summary: 'Sign in; an anonymous cart named by X-Cart-Token is merged into the account',
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['email', 'password'],
          properties: { email, password },
        },
        response: { 200: { $ref: 'Tokens#' }, 401: problems[401], 403: problems[403], ...bodyProblems },
      },
    },
    (request) => accounts.login(request.body, request.headers['x-cart-token']),
  )

  app.post<{ Body: { refreshToken: string } }>(
    '/api/auth/refresh',
    {
      config: { rateLimit: 'login' },
      schema: {
        tags: ['auth'],
        summary: 'Trade a refresh token for new tokens (rotation)',
        body: refreshBody,
        response: { 200: { $ref: 'Tokens#' }, 401: problems[401], ...bodyProblems },
      },
    },
    (request) => accounts.refresh(request.body.refreshToken),
  )

  app.post<{ Body: { refreshToken: string } }>(
    '/api/auth/logout',
    {
      schema: {
        tags: ['auth'],
        summary: 'Revoke a refresh token',
        body: refreshBody,
        response: { 204: { description: 'Signed out', type: 'null' }, ...bodyProblems },
      },
    },
    async (request, reply) => {
      await accounts.logout(request.body.refreshToken)
      return reply.code(204).send()
    },
  )

  app.get(
    '/.well-known/jwks.json',
    {
      schema: {
        tags: ['auth'],
        summary: 'Public keys that verify access tokens',
        response: {
          200: {
            type: 'object',
            required: ['keys'],
            properties: { keys: { type: 'array', items: { type: 'object', additionalProperties: true } } },
          },
          ...commonProblems,
        },
      },
    },
    async (_request, reply) =>
      reply.header('cache-control', 'public, max-age=300').send(await accounts.jwks()),
  )

  app.get(
    '/api/me',
    {
      config: { auth: 'user' },
      schema: {
        tags: ['account'],
        summary: "The caller's profile",
        security: bearer,
        response: { 200: { $ref: 'User#' }, ...userProblems },
      },
    },
    () => accounts.profile(),
  )

  app.patch<{ Body: ProfilePatch }>(
    '/api/me',
    {
      config: { auth: 'user' },
      schema: {
        tags: ['account'],
        summary: "Change the caller's name or shipping addresses (addresses replace the current list)",
        security: bearer,
        body: {
          type: 'object',
          additionalProperties: false,
          minProperties: 1,
          properties: {
            name: { type: 'string', minLength: 1, maxLength: 100 },
            addresses: { type: 'array', maxItems: 10, items: { $ref: 'Address#' } },
          },
        },
        response: { 200: { $ref: 'User#' }, ...userProblems, 413: problems[413] },
      },
    },
    (request) => accounts.updateProfile(request.body),
  )
}
