import { type FormEvent, useState } from 'react'
import { ApiError } from '../api/http'
import { account } from '../api/shop'
import type { Address, PostalAddress } from '../api/types'
import { AddressFields, addressLines, cleanAddress, EMPTY_ADDRESS } from '../components/address-fields'
import { Alert, Field } from '../components/fields'
import { LoadState, Page } from '../components/page'
import { Link, navigate } from '../router'
import { resetCart } from '../state/cart'
import { sessionStore, setUser, signOut } from '../state/session'
import { useStore } from '../state/store'

/** The signed-in person's name and saved addresses, and signing out. */
export function AccountPage() {
  const { user } = useStore(sessionStore)
  const [name, setName] = useState<string>()
  const [adding, setAdding] = useState(false)
  const [address, setAddress] = useState<PostalAddress>(EMPTY_ADDRESS)
  const [label, setLabel] = useState('Home')
  const [errors, setErrors] = useState<Record<string, string>>({})
  const [message, setMessage] = useState<{ tone: 'error' | 'info'; text: string }>()

  if (!user)
    return (
      <Page title="Your account">
        <LoadState loading />
      </Page>
    )

  const save = async (patch: { name?: string; addresses?: Address[] }, done: string) => {
    setErrors({})
    setMessage(undefined)
    try {
      setUser(await account.update(patch))
      setMessage({ tone: 'info', text: done })
      return true
    } catch (err) {
      setErrors(err instanceof ApiError ? err.fields : {})
      setMessage({ tone: 'error', text: err instanceof ApiError ? err.message : String(err) })
      return false
    }
  }

  const saveName = (e: FormEvent) => {
    e.preventDefault()
    void save({ name: (name ?? user.name).trim() }, 'Your name is saved.')
  }

  const addAddress = async (e: FormEvent) => {
    e.preventDefault()
    const next = [...user.addresses, { ...cleanAddress(address), label: label.trim() || undefined }]
    if (await save({ addresses: next }, 'The address is saved.')) {
      setAdding(false)
      setAddress(EMPTY_ADDRESS)
    }
  }

  const out = async () => {
    await signOut()
    resetCart()
    navigate('/')
  }

  const at = user.addresses.length
  return (
    <Page title="Your account" className="narrow">
      {message && <Alert tone={message.tone}>{message.text}</Alert>}
      <p>
        Signed in as <strong>{user.email}</strong>. <Link to="/orders">Your orders</Link> ·{' '}
        <Link to="/messages">Messages</Link>
      </p>
      <form onSubmit={saveName} noValidate className="stack">
        <Field
          label="Name"
          value={name ?? user.name}
          onChange={(e) => setName(e.target.value)}
          error={errors.name}
        />
        <button type="submit">Save name</button>
      </form>

      <section aria-labelledby="addresses-heading">
        <h2 id="addresses-heading">Saved addresses</h2>
        {user.addresses.length === 0 && (
          <p>No saved addresses yet: checkout offers to save the one you use.</p>
        )}
        <ul className="addresses">
          {user.addresses.map((a, i) => (
            <li key={a.id ?? i}>
              <span>
                {a.label ? <strong>{a.label}: </strong> : null}
                {addressLines(a)}
              </span>
              <button
                type="button"
                onClick={() =>
                  void save(
                    { addresses: user.addresses.filter((_, j) => j !== i) },
                    'The address is removed.',
                  )
                }
              >
                Remove <span className="visually-hidden">{a.label ?? addressLines(a)}</span>
              </button>
            </li>
          ))}
        </ul>
        {adding ? (
          <form onSubmit={addAddress} noValidate className="stack">
            <Field
              label="Label"
              value={label}
              onChange={(e) => setLabel(e.target.value)}
              error={errors[`addresses.${at}.label`]}
            />
            <AddressFields value={address} onChange={setAddress} errors={errors} prefix={`addresses.${at}`} />
            <button type="submit" className="primary">
              Save address
            </button>
            <button type="button" onClick={() => setAdding(false)}>
              Never mind
            </button>
          </form>
        ) : (
          <button type="button" onClick={() => setAdding(true)}>
            Add an address
          </button>
        )}
      </section>

      <section aria-labelledby="sign-out-heading">
        <h2 id="sign-out-heading">Sign out</h2>
        <button type="button" onClick={() => void out()}>
          Sign out
        </button>
      </section>
    </Page>
  )
}
