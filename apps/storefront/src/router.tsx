import { type AnchorHTMLAttributes, type MouseEvent, useSyncExternalStore } from 'react'

/** Where the browser is: the path, the query and what the page that navigated left in history.state. */
export interface Place {
  pathname: string
  query: URLSearchParams
  state: unknown
}

const listeners = new Set<() => void>()
const notify = () => {
  for (const listener of [...listeners]) listener()
}
window.addEventListener('popstate', notify)

let snapshot: { href: string; state: unknown; place: Place } | undefined
function currentPlace(): Place {
  const href = window.location.pathname + window.location.search
  const state: unknown = window.history.state
  if (!snapshot || snapshot.href !== href || snapshot.state !== state)
    snapshot = {
      href,
      state,
      place: {
        pathname: window.location.pathname,
        query: new URLSearchParams(window.location.search),
        state,
      },
    }
  return snapshot.place
}

const subscribe = (listener: () => void) => {
  listeners.add(listener)
  return () => {
    listeners.delete(listener)
  }
}

export const usePlace = (): Place => useSyncExternalStore(subscribe, currentPlace)

/** Moves to a page of the shop without reloading; `replace` keeps the history as it is (typing a search). */
export function navigate(to: string, opts: { replace?: boolean; state?: unknown } = {}): void {
  const url = new URL(to, window.location.href)
  const samePage = url.pathname === window.location.pathname
  if (opts.replace) window.history.replaceState(opts.state ?? null, '', url)
  else window.history.pushState(opts.state ?? null, '', url)
  if (!samePage) window.scrollTo(0, 0)
  notify()
}

/** The current path and query, to come back to after signing in. */
export const here = () => window.location.pathname + window.location.search

type LinkProps = AnchorHTMLAttributes<HTMLAnchorElement> & { to: string }

/** A link within the shop: a plain click navigates in place; a modified click opens as the browser would. */
export function Link({ to, onClick, ...rest }: LinkProps) {
  const click = (e: MouseEvent<HTMLAnchorElement>) => {
    onClick?.(e)
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return
    e.preventDefault()
    navigate(to)
  }
  return <a href={to} onClick={click} {...rest} />
}
