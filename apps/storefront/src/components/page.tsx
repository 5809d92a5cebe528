import { type ReactNode, useEffect, useRef } from 'react'
import type { ApiError } from '../api/http'
import { useTitle } from '../use-load'
import { Alert } from './fields'

let firstPage = true

/**
 * A page's heading and body. Its heading takes the focus when the page was reached by navigating, so a
 * keyboard or screen-reader user starts reading there, as after a full page load.
 */
export function Page({
  title,
  heading,
  children,
  className,
}: {
  title: string
  heading?: ReactNode
  children?: ReactNode
  className?: string
}) {
  useTitle(title)
  const h1 = useRef<HTMLHeadingElement>(null)
  useEffect(() => {
    if (firstPage) {
      firstPage = false
      return
    }
    // typing in the search box took the person here: the box keeps the focus
    if (document.activeElement?.closest('search')) return
    h1.current?.focus({ preventScroll: true })
  }, [])
  return (
    <div className={className}>
      <h1 ref={h1} tabIndex={-1}>
        {heading ?? title}
      </h1>
      {children}
    </div>
  )
}

/** While a part of a page loads, and when it could not be loaded. */
export function LoadState({
  loading,
  error,
  retry,
}: {
  loading: boolean
  error?: ApiError
  retry?: () => void
}) {
  if (error)
    return (
      <Alert>
        <p>Could not load this: {error.message}.</p>
        {retry && (
          <button type="button" onClick={retry}>
            Try again
          </button>
        )}
      </Alert>
    )
  if (loading)
    return (
      <p className="loading" role="status">
        Loading…
      </p>
    )
  return null
}
