import { ApiError, setCredentials } from '../api/http'
import { account, auth } from '../api/shop'
import type { Tokens, User } from '../api/types'
import { refreshDelayMs } from './refresh-timing'
import { createStore } from './store'

/** The signed-in session, kept in localStorage so a reload or another tab stays signed in. */
export interface Session {
  accessToken: string
  refreshToken: string
  /** When the access token expires, in ms since the epoch. */
  expiresAt: number
  /** How long the access token lives, in ms. */
  lifetimeMs: number
}

export interface SessionState {
  session: Session | null
  user: User | null
  /** Said once on the sign-in page after a session that could not be renewed ended. */
  notice?: string
}

const KEY = 'microshop.session'

function stored(): Session | null {
  try {
    const s = JSON.parse(localStorage.getItem(KEY) ?? 'null') as Session | null
    return s && typeof s.refreshToken === 'string' ? s : null
  } catch {
    return null
  }
}

export const sessionStore = createStore<SessionState>({ session: stored(), user: null })

const sessionOf = (t: Tokens, now = Date.now()): Session => ({
  accessToken: t.accessToken,
  refreshToken: t.refreshToken,
  expiresAt: now + t.expiresIn * 1000,
  lifetimeMs: t.expiresIn * 1000,
})

let timer: ReturnType<typeof setTimeout> | undefined
let renewing: Promise<Session | null> | undefined
const endedListeners = new Set<() => void>()

/** Called when a session ends without the person asking (it could not be renewed). */
export const onSessionEnded = (listener: () => void) => {
  endedListeners.add(listener)
  return () => {
    endedListeners.delete(listener)
  }
}

function adopt(session: Session | null, user?: User | null) {
  if (session) localStorage.setItem(KEY, JSON.stringify(session))
  else localStorage.removeItem(KEY)
  sessionStore.set((s) => ({
    ...s,
    session,
    user: session ? (user === undefined ? s.user : user) : null,
  }))
  schedule(session)
}

/** Renews the tokens a little before the access token expires, so no call meets an expired one. */
function schedule(session: Session | null) {
  clearTimeout(timer)
  if (!session) return
  timer = setTimeout(() => void renew(), refreshDelayMs(session, Date.now()))
}

function end(notice: string) {
  adopt(null)
  sessionStore.set((s) => ({ ...s, notice }))
  for (const listener of [...endedListeners]) listener()
}

/** Trades the refresh token for new tokens, once at a time across tabs (a refresh token works once). */
function renew(): Promise<Session | null> {
  renewing ??= withRefreshLock(async () => {
    const mine = sessionStore.get().session
    const latest = stored()
    // another tab renewed first: its tokens are the ones to use, ours were spent
    if (latest && mine && latest.refreshToken !== mine.refreshToken && latest.expiresAt > Date.now()) {
      adopt(latest)
      return latest
    }
    const current = latest ?? mine
    if (!current) return null
    try {
      const next = sessionOf(await auth.refresh(current.refreshToken))
      adopt(next)
      return next
    } catch (err) {
      if (err instanceof ApiError && (err.status === 401 || err.status === 400)) {
        end('Your session has ended: sign in again. Your cart is kept.')
        return null
      }
      // the gateway is busy or unreachable: keep the session and try again soon
      clearTimeout(timer)
      timer = setTimeout(() => void renew(), 5_000)
      return current.expiresAt > Date.now() ? current : null
    }
  }).finally(() => {
    renewing = undefined
  })
  return renewing
}

async function withRefreshLock<T>(work: () => Promise<T>): Promise<T> {
  const locks = (navigator as Navigator & { locks?: LockManager }).locks
  return locks ? locks.request('microshop-refresh', work) : work()
}

/** An access token that is good for a few seconds more, renewed first when it is not; none when signed out. */
export async function accessToken(): Promise<string | undefined> {
  const s = sessionStore.get().session
  if (!s) return undefined
  if (s.expiresAt - Date.now() > 5_000) return s.accessToken
  return (await renew())?.accessToken
}

setCredentials({
  accessToken,
  async renew(rejected) {
    const s = sessionStore.get().session
    if (!s) return undefined
    if (s.accessToken !== rejected) return s.accessToken
    return (await renew())?.accessToken
  },
})

// another tab signed in, renewed or signed out
window.addEventListener('storage', (e) => {
  if (e.key !== KEY) return
  const next = stored()
  sessionStore.set((s) => ({ ...s, session: next, user: next ? s.user : null }))
  schedule(next)
  if (next && !sessionStore.get().user) void loadUser()
})

async function loadUser(): Promise<User | null> {
  try {
    const user = await account.me()
    sessionStore.set((s) => (s.session ? { ...s, user } : s))
    return user
  } catch {
    return null
  }
}

/** At start: renew the stored session when it is due, and learn who is signed in. */
export async function resumeSession(): Promise<void> {
  const s = sessionStore.get().session
  if (!s) return
  schedule(s)
  await loadUser()
}

/** Signs in; an anonymous cart named by cartToken is merged into the account's by the API. */
export async function signIn(email: string, password: string, cartToken?: string): Promise<User | null> {
  const tokens = await auth.login({ email, password }, cartToken)
  adopt(sessionOf(tokens), null)
  sessionStore.set((s) => ({ ...s, notice: undefined }))
  return loadUser()
}

export async function signOut(): Promise<void> {
  const s = sessionStore.get().session
  adopt(null)
  if (s) await auth.logout(s.refreshToken).catch(() => undefined)
}

export const setUser = (user: User) => sessionStore.set((s) => (s.session ? { ...s, user } : s))

export const isAdmin = (user: User | null) => Boolean(user?.roles.includes('admin'))
