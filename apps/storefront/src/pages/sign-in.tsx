import { type FormEvent, useState } from 'react'
import { ApiError } from '../api/http'
import { auth } from '../api/shop'
import { Alert, Field } from '../components/fields'
import { Page } from '../components/page'
import { Link, navigate, usePlace } from '../router'
import { cartToken, forgetAnonymousCart, loadCart } from '../state/cart'
import { sessionStore, signIn } from '../state/session'
import { useStore } from '../state/store'

/** Where to go once signed in: a page of the shop only, never another site. */
const nextOf = (query: URLSearchParams) => {
  const next = query.get('next') ?? '/'
  return next.startsWith('/') && !next.startsWith('//') ? next : '/'
}

function problemText(err: unknown): string {
  if (!(err instanceof ApiError)) return String(err)
  if (err.status === 401) return 'That email and password do not match an account.'
  if (err.status === 429) return `Too many attempts: try again in ${err.retryAfterSeconds ?? 60} seconds.`
  return err.message
}

/** Signs in with the anonymous cart's token, so what was added signed out is merged into the account. */
async function enter(email: string, password: string, next: string) {
  const from = window.location.pathname
  await signIn(email, password, cartToken())
  forgetAnonymousCart()
  await loadCart().catch(() => undefined)
  // the header's links work as soon as the session does: a person may have gone on already
  if (window.location.pathname === from) navigate(next, { replace: true })
}

export function SignInPage() {
  const place = usePlace()
  const next = nextOf(place.query)
  const { notice } = useStore(sessionStore)
  const [email, setEmail] = useState('')
  const [password, setPassword] = useState('')
  const [errors, setErrors] = useState<Record<string, string>>({})
  const [problem, setProblem] = useState<string>()
  const [busy, setBusy] = useState(false)

  const submit = async (e: FormEvent) => {
    e.preventDefault()
    if (busy) return
    setBusy(true)
    setErrors({})
    setProblem(undefined)
    try {
      await enter(email.trim(), password, next)
    } catch (err) {
      setErrors(err instanceof ApiError ? err.fields : {})
      setProblem(problemText(err))
      setBusy(false)
    }
  }

  return (
    <Page title="Sign in" className="narrow">
      {notice && <Alert tone="info">{notice}</Alert>}
      <form onSubmit={submit} noValidate className="stack">
        <Field
          label="Email"
          type="email"
          autoComplete="email"
          value={email}
          onChange={(e) => setEmail(e.target.value)}
          error={errors.email}
        />
        <Field
          label="Password"
          type="password"
          autoComplete="current-password"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          error={errors.password}
        />
        <Alert>{problem}</Alert>
        <button type="submit" className="primary" disabled={busy}>
          Sign in
        </button>
      </form>
      <p>
        New here? <Link to={`/sign-up?next=${encodeURIComponent(next)}`}>Create an account</Link>
      </p>
    </Page>
  )
}

export function SignUpPage() {
  const next = nextOf(usePlace().query)
  const [name, setName] = useState('')
  const [email, setEmail] = useState('')
  const [password, setPassword] = useState('')
  const [errors, setErrors] = useState<Record<string, string>>({})
  const [problem, setProblem] = useState<string>()
  const [busy, setBusy] = useState(false)

  const submit = async (e: FormEvent) => {
    e.preventDefault()
    if (busy) return
    setBusy(true)
    setErrors({})
    setProblem(undefined)
    try {
      await auth.register({ name: name.trim(), email: email.trim(), password })
      await enter(email.trim(), password, next)
    } catch (err) {
      const fields = err instanceof ApiError ? err.fields : {}
      setErrors(fields)
      if (err instanceof ApiError && err.status === 409)
        setErrors({ email: 'An account with this email exists: sign in instead.' })
      else if (Object.keys(fields).length === 0) setProblem(problemText(err))
      setBusy(false)
    }
  }

  return (
    <Page title="Create an account" className="narrow">
      <form onSubmit={submit} noValidate className="stack">
        <Field
          label="Name"
          autoComplete="name"
          value={name}
          onChange={(e) => setName(e.target.value)}
          error={errors.name}
        />
        <Field
          label="Email"
          type="email"
          autoComplete="email"
          value={email}
          onChange={(e) => setEmail(e.target.value)}
          error={errors.email}
        />
        <Field
          label="Password"
          type="password"
          autoComplete="new-password"
          hint="At least 10 characters, mixing letters with digits or symbols"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          error={errors.password}
        />
        <Alert>{problem}</Alert>
        <button type="submit" className="primary" disabled={busy}>
          Create account
        </button>
      </form>
      <p>
        Have an account? <Link to={`/sign-in?next=${encodeURIComponent(next)}`}>Sign in</Link>
      </p>
    </Page>
  )
}
