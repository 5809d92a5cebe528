/** One call to the gateway's public API, with problem+json errors turned into an ApiError. */

export interface FieldProblem {
  field: string
  message: string
}

// the API's schema messages, as a person filling a form reads them
const READABLE: [RegExp, (m: RegExpExecArray) => string][] = [
  [/^must have required property/, () => 'Required'],
  [/^must NOT have fewer than 1 characters?$/, () => 'Required'],
  [/^must NOT have fewer than (\d+) characters$/, (m) => `At least ${m[1]} characters`],
  [/^must NOT have more than (\d+) characters$/, (m) => `At most ${m[1]} characters`],
  [/^must be >= (\d+)$/, (m) => `At least ${m[1]}`],
  [/^must be <= (\d+)$/, (m) => `At most ${m[1]}`],
  [/^must be integer$/, () => 'A whole number'],
  [/^must match pattern "\^\[A-Z\]\{2\}\$"$/, () => 'Two capital letters, like US'],
]

/** A field message of the API in words for a form: "must have required property 'city'" is "Required". */
export function readable(message: string): string {
  for (const [pattern, say] of READABLE) {
    const m = pattern.exec(message)
    if (m) return say(m)
  }
  return message.charAt(0).toUpperCase() + message.slice(1)
}

/** An RFC 9457 problem as the gateway answers it, or a call that never got an answer (status 0). */
export class ApiError extends Error {
  readonly status: number
  readonly code: string
  /** Messages by field (`shippingAddress.city`, `card.number`, `quantity`), as the API names them. */
  readonly fields: Record<string, string>
  readonly retryAfterSeconds: number | undefined

  constructor(
    status: number,
    code: string,
    detail: string,
    fields: FieldProblem[] = [],
    retryAfterSeconds?: number,
  ) {
    super(detail)
    this.name = 'ApiError'
    this.status = status
    this.code = code
    this.fields = {}
    for (const f of fields) this.fields[f.field] ??= readable(f.message)
    this.retryAfterSeconds = retryAfterSeconds
  }

  /** True when nobody can tell whether the call had an effect, so the same call may be sent again. */
  get outcomeUnknown(): boolean {
    return this.status === 0 || this.status >= 500 || this.status === 429 || this.code.endsWith('IN_FLIGHT')
  }
}

/** How calls get an access token, and what happens when the API refuses it. */
export interface Credentials {
  /** A token valid for a while yet, refreshed first when it is about to expire; undefined when signed out. */
  accessToken(): Promise<string | undefined>
  /** After a 401: a new token, or undefined when the session cannot go on. */
  renew(rejected: string): Promise<string | undefined>
}

let credentials: Credentials = {
  accessToken: async () => undefined,
  renew: async () => undefined,
}

export const setCredentials = (c: Credentials) => {
  credentials = c
}

export interface CallOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'
  json?: unknown
  headers?: Record<string, string>
  /** `true`: the call needs the signed-in user; `optional`: it sends the token when there is one. */
  auth?: boolean | 'optional'
  signal?: AbortSignal
  cache?: RequestCache
}

export interface Answer<T> {
  status: number
  body: T
  headers: Headers
}

const NETWORK = 'the shop cannot be reached: check your connection and try again'

async function problemOf(res: Response): Promise<ApiError> {
  const retryAfter = Number(res.headers.get('retry-after')) || undefined
  const text = await res.text().catch(() => '')
  try {
    const p = JSON.parse(text) as { code?: string; detail?: string; title?: string; errors?: FieldProblem[] }
    return new ApiError(
      res.status,
      p.code ?? `HTTP_${res.status}`,
      p.detail ?? p.title ?? res.statusText,
      p.errors,
      retryAfter,
    )
  } catch {
    return new ApiError(res.status, `HTTP_${res.status}`, res.statusText || NETWORK, [], retryAfter)
  }
}

async function send(path: string, opts: CallOptions, token: string | undefined): Promise<Response> {
  const headers: Record<string, string> = { accept: 'application/json', ...opts.headers }
  if (opts.json !== undefined) headers['content-type'] = 'application/json'
  if (token) headers.authorization = `Bearer ${token}`
  try {
    return await fetch(path, {
      method: opts.method ?? 'GET',
      headers,
      body: opts.json === undefined ? undefined : JSON.stringify(opts.json),
      signal: opts.signal,
      cache: opts.cache,
    })
  } catch (err) {
    if (err instanceof DOMException && err.name === 'AbortError') throw err
    throw new ApiError(0, 'NETWORK', NETWORK)
  }
}

/** Calls the API; a refused access token is renewed once, then the call is sent again. */
export async function call<T>(path: string, opts: CallOptions = {}): Promise<Answer<T>> {
  const token = opts.auth ? await credentials.accessToken() : undefined
  if (opts.auth === true && !token) throw new ApiError(401, 'SIGNED_OUT', 'sign in to go on')
  let res = await send(path, opts, token)
  if (res.status === 401 && token) {
    const renewed = await credentials.renew(token)
    if (renewed) res = await send(path, opts, renewed)
  }
  if (!res.ok) throw await problemOf(res)
  const text = res.status === 204 ? '' : await res.text()
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T, headers: res.headers }
}

/** The body of a call's answer. */
export const get = async <T>(path: string, opts: CallOptions = {}): Promise<T> =>
  (await call<T>(path, opts)).body

/** A query string of the values that are set. */
export function query(params: Record<string, string | number | undefined>): string {
  const q = new URLSearchParams()
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') q.set(k, String(v))
  const s = q.toString()
  return s ? `?${s}` : ''
}
