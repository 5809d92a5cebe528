import type { Logger, ServiceClient } from '@microshop/chassis'
import type { CartServiceService } from '@microshop/contracts/cart/v1/cart'
import {
  type Address,
  type IdentityServiceService,
  type Tokens,
  type User,
  UserStatus,
} from '@microshop/contracts/identity/v1/identity'

export type IdentityClient = ServiceClient<typeof IdentityServiceService>
export type CartClient = ServiceClient<typeof CartServiceService>

/** A user as the public API shows it. */
export const userView = (u: User) => ({
  ...u,
  status: u.status === UserStatus.USER_STATUS_BLOCKED ? 'blocked' : 'active',
})

export const tokensView = (t: Tokens | undefined) => ({
  accessToken: t?.accessToken ?? '',
  refreshToken: t?.refreshToken ?? '',
  expiresIn: t?.expiresIn ?? 0,
  tokenType: 'Bearer',
})

export interface ProfilePatch {
  name?: string
  addresses?: Partial<Address>[]
}

const toAddress = (a: Partial<Address>): Address => ({
  id: a.id ?? '',
  label: a.label ?? '',
  name: a.name ?? '',
  line1: a.line1 ?? '',
  line2: a.line2 ?? '',
  city: a.city ?? '',
  region: a.region ?? '',
  postalCode: a.postalCode ?? '',
  country: a.country ?? '',
  phone: a.phone ?? '',
  isDefault: a.isDefault ?? false,
})

/** Sign-up, sign-in and profile, composed from identity (and cart, to merge at sign-in). */
const JWKS_TTL_MS = 10_000

export function createAccounts(deps: { identity: IdentityClient; cart: CartClient; log: Logger }) {
  let jwksCache: { until: number; value: Promise<unknown> } | undefined
  const { identity, cart } = deps
  return {
    async register(input: { email: string; password: string; name: string }) {
      const { user } = await identity.call('register', input, { retry: false })
      return userView(user!)
    },

    /** Signs in, then moves the anonymous cart into the user's; a cart hiccup never fails the sign-in. */
    async login(input: { email: string; password: string }, cartToken: string | undefined) {
      const { tokens } = await identity.call('login', input, { retry: false })
      if (cartToken && tokens) {
        await cart
          .call('mergeCarts', { cartToken }, { authorization: `Bearer ${tokens.accessToken}` })
          .catch((err) => deps.log.warn({ err }, 'cart merge at login failed; the anonymous cart is kept'))
      }
      return tokensView(tokens)
    },

    async refresh(refreshToken: string) {
      const { tokens } = await identity.call('refresh', { refreshToken }, { retry: false })
      return tokensView(tokens)
    },

    logout: (refreshToken: string) => identity.call('logout', { refreshToken }).then(() => undefined),

    async profile() {
      const { user } = await identity.call('getProfile', {})
      return userView(user!)
    },

    async updateProfile(patch: ProfilePatch) {
      const { user } = await identity.call('updateProfile', {
        name: patch.name,
        replaceAddresses: patch.addresses !== undefined,
        addresses: (patch.addresses ?? []).map(toAddress),
      })
      return userView(user!)
    },

    /**
     * The published key set, kept JWKS_TTL_MS: every verifier outside caches it too (Cache-Control), and one
     * call to identity serves every request that arrives together. A key identity adds or removes shows here
     * within the TTL; the gateway's own verifier refetches on its schedule and on an unknown kid.
     */
    async jwks() {
      if (!jwksCache || jwksCache.until < Date.now()) {
        const fetched = identity.call('getJwks', {}).then(({ jwksJson }) => JSON.parse(jwksJson) as unknown)
        jwksCache = { until: Date.now() + JWKS_TTL_MS, value: fetched }
        // a failed fetch is not kept: the next request asks again
        fetched.catch(() => {
          if (jwksCache?.value === fetched) jwksCache = undefined
        })
      }
      return jwksCache.value
    },
  }
}

export type Accounts = ReturnType<typeof createAccounts>
