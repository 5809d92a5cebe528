import type { Handlers } from '@microshop/chassis'
import {
  type IdentityServiceService,
  type User as UserMessage,
  UserStatus as UserStatusMessage,
} from '@microshop/contracts/identity/v1/identity'
import type { Accounts } from '../app/accounts.js'
import type { KeyRing } from '../app/key-ring.js'
import type { Sessions } from '../app/sessions.js'
import type { User, UserStatus } from '../domain/user.js'
import { userViewFor } from '../domain/user-access.js'

const STATUSES: Record<UserStatus, UserStatusMessage> = {
  active: UserStatusMessage.USER_STATUS_ACTIVE,
  blocked: UserStatusMessage.USER_STATUS_BLOCKED,
}

// field by field: whatever the user row grows, only these leave the service
const toMessage = (u: User): UserMessage => ({
  id: u.id,
  email: u.email,
  name: u.name,
  roles: [...u.roles],
  status: STATUSES[u.status],
  createdAt: u.createdAt,
  addresses: u.addresses.map((a) => ({
    id: a.id,
    label: a.label,
    name: a.name,
    line1: a.line1,
    line2: a.line2,
    city: a.city,
    region: a.region,
    postalCode: a.postalCode,
    country: a.country,
    phone: a.phone,
    isDefault: a.isDefault,
  })),
})

// what a service with no user in the call may know of an account: nothing that says who or where they are
const toFacts = (u: User): UserMessage => ({
  ...toMessage(u),
  email: '',
  name: '',
  addresses: [],
})

/** gRPC handlers: read the request, call the use case, shape the response. */
export function createIdentityHandlers(deps: {
  accounts: Accounts
  sessions: Sessions
  keys: KeyRing
}): Handlers<typeof IdentityServiceService> {
  const { accounts, sessions, keys } = deps
  return {
    async register(req) {
      const user = await accounts.register({ email: req.email, password: req.password, name: req.name })
      return { user: toMessage(user) }
    },
    async login(req) {
      const { tokens, user } = await sessions.login({ email: req.email, password: req.password })
      return { tokens, user: toMessage(user) }
    },
    async refresh(req) {
      return { tokens: await sessions.refresh(req.refreshToken) }
    },
    async logout(req) {
      await sessions.logout(req.refreshToken)
      return {}
    },
    async getUser(req, ctx) {
      const view = userViewFor(req.id, { caller: await ctx.caller(), peerService: ctx.peerService })
      const user = await accounts.getUser(req.id)
      return { user: view === 'profile' ? toMessage(user) : toFacts(user) }
    },
    async getProfile(_req, ctx) {
      const caller = await ctx.requireCaller()
      return { user: toMessage(await accounts.getProfile(caller.userId)) }
    },
    async updateProfile(req, ctx) {
      const caller = await ctx.requireCaller()
      const user = await accounts.updateProfile(caller.userId, {
        name: req.name,
        replaceAddresses: req.replaceAddresses,
        addresses: req.addresses,
      })
      return { user: toMessage(user) }
    },
    async getJwks() {
      return { jwksJson: JSON.stringify(await keys.jwks()) }
    },
  }
}
