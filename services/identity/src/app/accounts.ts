import { randomUUID } from 'node:crypto'
import type { Db, Emit, FieldError, Logger } from '@microshop/chassis'
import { type Address, planAddresses } from '../domain/address.js'
import { normaliseEmail } from '../domain/email.js'
import { IdentityErrors } from '../domain/errors.js'
import {
  checkRegistration,
  nameProblem,
  normaliseName,
  type Registration,
  type User,
} from '../domain/user.js'
import type { UserStore } from '../store/user-store.js'
import type { PasswordHasher } from './passwords.js'

export interface ProfileChange {
  name?: string | undefined
  replaceAddresses: boolean
  addresses: Address[]
}

/** What a new account would look like: the answer to a registration whose email is taken. */
const lookalike = (registration: Registration): User => ({
  id: randomUUID(),
  email: registration.email,
  name: registration.name,
  roles: ['customer'],
  status: 'active',
  createdAt: new Date().toISOString(),
  addresses: [],
})

// the owner of an email hears of sign-ups with it at most this often: a notice, not a way to flood a mailbox
const DUPLICATE_SIGN_UP_NOTICE_EVERY_MS = 24 * 3_600_000

/** What the outside world hears of account changes. */
export type AccountEvent =
  | { kind: 'UserRegistered'; user: User }
  | { kind: 'DuplicateSignUpAttempted'; owner: User; at: Date }

export type Accounts = ReturnType<typeof createAccounts>

/** Registration, profiles and the lookups other services make. */
export function createAccounts(deps: {
  db: Db
  users: UserStore
  hasher: PasswordHasher
  emit: Emit<AccountEvent>
  log: Logger
  clock: () => Date
}) {
  const { db, users, hasher, emit, log, clock } = deps

  const activeUser = (user: User | undefined, id: string) => {
    if (!user) throw IdentityErrors.userNotFound(id)
    if (user.status !== 'active') throw IdentityErrors.userBlocked()
    return user
  }

  return {
    /**
     * A new customer; whatever else the request carried, the role is customer. A taken email gets the same
     * answer, in the same time (the password is hashed either way), so sign-up cannot tell who has an account;
     * its owner is told someone tried (at most once a day), and nothing else is written.
     */
    async register(input: Registration): Promise<User> {
      const { registration, errors } = checkRegistration(input)
      if (errors.length > 0) throw IdentityErrors.invalidRegistration(errors)
      const existing = await users.getByEmail(db, registration.email)
      const passwordHash = await hasher.hash(registration.password)
      const user = await db.tx(async (tx) => {
        const created = existing
          ? undefined
          : await users.insert(tx, {
              id: randomUUID(),
              email: registration.email,
              name: registration.name,
              passwordHash,
              roles: ['customer'],
            })
        if (created) {
          await emit(tx, [{ kind: 'UserRegistered', user: created }])
          return created
        }
        // taken, found above or by the unique email when two registrations race
        const owner = existing ?? (await users.getByEmail(tx, registration.email))
        const now = clock()
        const notBefore = new Date(now.getTime() - DUPLICATE_SIGN_UP_NOTICE_EVERY_MS)
        if (owner && (await users.claimDuplicateSignUpNotice(tx, owner.id, now, notBefore)))
          await emit(tx, [{ kind: 'DuplicateSignUpAttempted', owner, at: now }])
        return undefined
      })
      if (!user) {
        log.info('registration for a taken email answered like a new one')
        return lookalike(registration)
      }
      log.info({ userId: user.id }, 'user registered')
      return user
    },

    async getUser(id: string): Promise<User> {
      const user = await users.get(db, id)
      if (!user) throw IdentityErrors.userNotFound(id)
      return user
    },

    async getProfile(userId: string): Promise<User> {
      return activeUser(await users.get(db, userId), userId)
    },

    async updateProfile(userId: string, change: ProfileChange): Promise<User> {
      return db.tx(async (tx) => {
        const current = activeUser(await users.getForUpdate(tx, userId), userId)
        const errors: FieldError[] = []
        const name = change.name === undefined ? current.name : normaliseName(change.name)
        const nameError = nameProblem(name)
        if (nameError) errors.push({ field: 'name', message: nameError })
        let addresses = current.addresses
        if (change.replaceAddresses) {
          const existing = new Set(current.addresses.map((a) => a.id))
          const plan = planAddresses(change.addresses, existing, randomUUID)
          errors.push(...plan.errors)
          addresses = plan.addresses
        } else if (change.addresses.length > 0)
          errors.push({ field: 'replaceAddresses', message: 'set it to change the addresses' })
        if (errors.length > 0) throw IdentityErrors.invalidProfile(errors)
        return users.updateProfile(tx, userId, { name, addresses })
      })
    },

    /** Creates the first admin unless an account with that email exists; the password is set only then. */
    async ensureAdmin(admin: { email: string; password: string }): Promise<void> {
      const email = normaliseEmail(admin.email)
      const existing = await users.getByEmail(db, email)
      if (existing) {
        if (!existing.roles.includes('admin'))
          log.warn({ userId: existing.id }, 'the admin email belongs to an account without the admin role')
        return
      }
      const passwordHash = await hasher.hash(admin.password)
      const created = await db.tx((tx) =>
        users.insert(tx, {
          id: randomUUID(),
          email,
          name: 'Administrator',
          passwordHash,
          roles: ['admin', 'customer'],
        }),
      )
      if (created) log.info('first admin created')
    },
  }
}
