import type { Accounts } from '../../app/accounts.js'
import type { GatewayApp } from '../schemas/components.js'
import {
  jwksSchema,
  loginSchema,
  logoutSchema,
  profilePatchSchema,
  profileSchema,
  refreshSchema,
  registerSchema,
} from './accounts.schemas.js'

/** Sign-up, sign-in, tokens and the caller's profile. */
export function registerAccountRoutes(app: GatewayApp, accounts: Accounts): void {
  // sign-up hashes a password like sign-in does: the same strict limit per address
  app.post(
    '/api/auth/register',
    { config: { rateLimit: 'login', admission: 'auth' }, schema: registerSchema },
    async (request, reply) => reply.code(201).send(await accounts.register(request.body)),
  )

  app.post(
    '/api/auth/login',
    { config: { rateLimit: 'login', admission: 'auth' }, schema: loginSchema },
    (request) => accounts.login(request.body, request.headers['x-cart-token']),
  )

  app.post('/api/auth/refresh', { config: { rateLimit: 'login' }, schema: refreshSchema }, (request) =>
    accounts.refresh(request.body.refreshToken),
  )

  app.post('/api/auth/logout', { schema: logoutSchema }, async (request, reply) => {
    await accounts.logout(request.body.refreshToken)
    return reply.code(204).send()
  })

  app.get('/.well-known/jwks.json', { schema: jwksSchema }, async (_request, reply) =>
    reply.header('cache-control', 'public, max-age=300').send(await accounts.jwks()),
  )

  app.get('/api/me', { config: { auth: 'user' }, schema: profileSchema }, () => accounts.profile())

  app.patch('/api/me', { config: { auth: 'user' }, schema: profilePatchSchema }, (request) =>
    accounts.updateProfile(request.body),
  )
}
