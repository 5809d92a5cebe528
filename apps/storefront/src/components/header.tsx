import { useEffect, useState } from 'react'
import { items } from '../format'
import { Link, navigate, usePlace } from '../router'
import { cartStore } from '../state/cart'
import { isAdmin, sessionStore } from '../state/session'
import { useStore } from '../state/store'
import { useDebounced } from '../use-load'

const SEARCH_DEBOUNCE_MS = 250

/** Searches as the person types: the results page follows the box, a moment after the last key. */
function SearchBox() {
  const place = usePlace()
  const onSearch = place.pathname === '/search'
  const [typed, setTyped] = useState(() => (onSearch ? (place.query.get('q') ?? '') : ''))
  const settled = useDebounced(typed, SEARCH_DEBOUNCE_MS)

  // leaving the results clears the box; coming back by history shows what was searched
  useEffect(() => {
    if (!onSearch) setTyped('')
    else
      setTyped((t) => (t.trim() === (place.query.get('q') ?? '').trim() ? t : (place.query.get('q') ?? '')))
  }, [onSearch, place])

  useEffect(() => {
    const q = settled.trim()
    const shown = (new URLSearchParams(window.location.search).get('q') ?? '').trim()
    if (window.location.pathname === '/search' ? q === shown : q === '') return
    const to = q ? `/search?q=${encodeURIComponent(q)}` : '/search'
    navigate(to, { replace: window.location.pathname === '/search' })
  }, [settled])

  return (
    <search className="search">
      <form
        onSubmit={(e) => {
          e.preventDefault()
          const q = typed.trim()
          navigate(q ? `/search?q=${encodeURIComponent(q)}` : '/search', { replace: onSearch })
        }}
      >
        <label htmlFor="search-input" className="visually-hidden">
          Search products
        </label>
        <input
          id="search-input"
          type="search"
          placeholder="Search products"
          autoComplete="off"
          value={typed}
          onChange={(e) => setTyped(e.target.value)}
        />
      </form>
    </search>
  )
}

/** The shop's name, the search box, the cart with its count, and the account's pages. */
export function Header() {
  const { cart } = useStore(cartStore)
  const { session, user } = useStore(sessionStore)
  const pathname = usePlace().pathname
  const current = (path: string) => (pathname === path ? 'page' : undefined)
  return (
    <header className="site-header">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <div className="header-top">
        <Link to="/" className="logo">
          microshop
        </Link>
        <Link to="/cart" className="cart-link" aria-current={current('/cart')}>
          Cart{' '}
          <span className="badge" aria-hidden="true">
            {cart.itemCount}
          </span>
          <span className="visually-hidden">, {items(cart.itemCount)}</span>
        </Link>
      </div>
      <SearchBox />
      <nav aria-label="Account" className="account-nav">
        <ul>
          {session ? (
            <>
              <li>
                <Link to="/orders" aria-current={current('/orders')}>
                  Orders
                </Link>
              </li>
              <li>
                <Link to="/messages" aria-current={current('/messages')}>
                  Messages
                </Link>
              </li>
              <li>
                <Link to="/account" aria-current={current('/account')}>
                  {user?.name ? `Account (${user.name})` : 'Account'}
                </Link>
              </li>
              {isAdmin(user) && (
                <li>
                  <Link to="/admin" aria-current={current('/admin')}>
                    Admin
                  </Link>
                </li>
              )}
            </>
          ) : (
            <>
              <li>
                <Link to={`/sign-in?next=${encodeURIComponent(pathname)}`}>Sign in</Link>
              </li>
              <li>
                <Link to={`/sign-up?next=${encodeURIComponent(pathname)}`}>Create an account</Link>
              </li>
            </>
          )}
        </ul>
      </nav>
    </header>
  )
}
