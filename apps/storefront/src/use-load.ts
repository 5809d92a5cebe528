import { type DependencyList, useCallback, useEffect, useRef, useState } from 'react'
import { ApiError } from './api/http'

export interface Loaded<T> {
  data: T | undefined
  error: ApiError | undefined
  loading: boolean
  reload: () => void
}

/** Loads what a page shows; a newer load (other deps, reload) cancels the one still running. */
export function useLoad<T>(load: (signal: AbortSignal) => Promise<T>, deps: DependencyList): Loaded<T> {
  const [state, setState] = useState<{ data?: T; error?: ApiError; loading: boolean }>({ loading: true })
  const [round, setRound] = useState(0)
  const loadRef = useRef(load)
  loadRef.current = load

  // biome-ignore lint/correctness/useExhaustiveDependencies: the caller's deps say when to load again
  useEffect(() => {
    const controller = new AbortController()
    setState((s) => ({ ...s, loading: true }))
    loadRef.current(controller.signal).then(
      (data) => {
        if (!controller.signal.aborted) setState({ data, loading: false })
      },
      (err: unknown) => {
        if (controller.signal.aborted) return
        const error = err instanceof ApiError ? err : new ApiError(0, 'CLIENT', String(err))
        setState((s) => ({ data: s.data, error, loading: false }))
      },
    )
    return () => controller.abort()
  }, [...deps, round])

  const reload = useCallback(() => setRound((r) => r + 1), [])
  return { data: state.data, error: state.error, loading: state.loading, reload }
}

/** `value` once it stopped changing for `ms`: what a search box asks for while a person types. */
export function useDebounced<T>(value: T, ms: number): T {
  const [settled, setSettled] = useState(value)
  useEffect(() => {
    const t = setTimeout(() => setSettled(value), ms)
    return () => clearTimeout(t)
  }, [value, ms])
  return settled
}

/** Sets the document's title while a page shows. */
export function useTitle(title: string) {
  useEffect(() => {
    document.title = title ? `${title} · microshop` : 'microshop'
  }, [title])
}
