import { lazy, type ReactNode, Suspense, useEffect } from 'react'
import { Header } from './components/header'
import { LoadState, Page } from './components/page'
import { AccountPage } from './pages/account'
import { CartPage } from './pages/cart'
import { CategoryPage } from './pages/category'
import { CheckoutPage } from './pages/checkout'
import { HomePage } from './pages/home'
import { MessagesPage } from './pages/messages'
import { OrderPage } from './pages/order'
import { OrdersPage } from './pages/orders'
import { ProductPage } from './pages/product'
import { SearchPage } from './pages/search'
import { SignInPage, SignUpPage } from './pages/sign-in'
import { here, Link, navigate, usePlace } from './router'
import { onSessionEnded, sessionStore } from './state/session'
import { useStore } from './state/store'

// the back office is for a few: its code loads only when an admin opens it
const AdminPage = lazy(() => import('./pages/admin'))

type Route = [pattern: RegExp, page: (params: string[]) => ReactNode, signedIn?: boolean]

const ROUTES: Route[] = [
  [/^\/$/, () => <HomePage />],
  [/^\/products$/, () => <CategoryPage />],
  [/^\/category\/([a-z0-9-]+)$/, ([id]) => <CategoryPage id={id!} />],
  [/^\/search$/, () => <SearchPage />],
  [/^\/products\/([a-z0-9-]+)$/, ([id]) => <ProductPage id={id!} />],
  [/^\/cart$/, () => <CartPage />],
  [/^\/checkout$/, () => <CheckoutPage />],
  [/^\/sign-in$/, () => <SignInPage />],
  [/^\/sign-up$/, () => <SignUpPage />],
  [/^\/account$/, () => <AccountPage />, true],
  [/^\/orders$/, () => <OrdersPage />, true],
  [/^\/orders\/([A-Za-z0-9_-]+)$/, ([id]) => <OrderPage id={id!} />, true],
  [/^\/messages$/, () => <MessagesPage />, true],
  [
    /^\/admin$/,
    () => (
      <Suspense fallback={<LoadState loading />}>
        <AdminPage />
      </Suspense>
    ),
    true,
  ],
]

function NotFound() {
  return (
    <Page title="Not found">
      <p>
        There is no page here. <Link to="/">Back to the shop</Link>
      </p>
    </Page>
  )
}

/** A page that needs an account sends a signed-out visitor to sign in, and back here after. */
function SignInFirst() {
  useEffect(() => navigate(`/sign-in?next=${encodeURIComponent(here())}`, { replace: true }), [])
  return <LoadState loading />
}

export function App() {
  const { pathname } = usePlace()
  const signedIn = Boolean(useStore(sessionStore).session)
  useEffect(
    () => onSessionEnded(() => navigate(`/sign-in?next=${encodeURIComponent(here())}`, { replace: true })),
    [],
  )

  let page: ReactNode = <NotFound />
  for (const [pattern, render, needsAccount] of ROUTES) {
    const m = pattern.exec(pathname)
    if (!m) continue
    page = needsAccount && !signedIn ? <SignInFirst /> : render(m.slice(1))
    break
  }

  return (
    <>
      <Header />
      <main id="main" key={pathname}>
        {page}
      </main>
      <footer className="site-footer">
        <p>
          microshop: a demo shop. Payments take test cards only; nothing is charged or shipped for real.{' '}
          <a href="/api/docs/">API docs</a>
        </p>
      </footer>
    </>
  )
}
