import { useState } from 'react'
import { ApiError } from '../api/http'
import { orders } from '../api/shop'
import type { Order } from '../api/types'
import { Alert } from '../components/fields'
import { LoadState, Page } from '../components/page'
import { formatDateTime, formatMoney, items, STATUS_LABELS } from '../format'
import { Link } from '../router'
import { useLoad } from '../use-load'

const PAGE_SIZE = 20

/** The signed-in person's orders, newest first. */
export function OrdersPage() {
  const first = useLoad(() => orders.list({ pageSize: PAGE_SIZE }), [])
  const [more, setMore] = useState<{ items: Order[]; next?: string }>()
  const [problem, setProblem] = useState<string>()
  const list = [...(first.data?.items ?? []), ...(more?.items ?? [])]
  const next = more ? more.next : first.data?.nextPageToken

  const loadMore = async () => {
    try {
      const page = await orders.list({ pageSize: PAGE_SIZE, pageToken: next })
      setMore({ items: [...(more?.items ?? []), ...page.items], next: page.nextPageToken })
    } catch (err) {
      setProblem(err instanceof ApiError ? err.message : String(err))
    }
  }

  return (
    <Page title="Your orders">
      <LoadState loading={first.loading && !first.data} error={first.error} retry={first.reload} />
      {first.data && list.length === 0 && (
        <p>
          No orders yet. <Link to="/">Start shopping</Link>.
        </p>
      )}
      {list.length > 0 && (
        <ul className="order-list" aria-label="Orders">
          {list.map((o) => (
            <li key={o.id}>
              <Link to={`/orders/${encodeURIComponent(o.id)}`}>
                <span className="order-id">Order {o.id}</span>
                <span>{formatDateTime(o.createdAt)}</span>
                <span className={`badge status-${o.status.toLowerCase()}`}>{STATUS_LABELS[o.status]}</span>
                <span>
                  {items(o.itemCount)}, {formatMoney(o.total)}
                </span>
              </Link>
            </li>
          ))}
        </ul>
      )}
      {next && (
        <button type="button" className="more" onClick={() => void loadMore()}>
          More orders
        </button>
      )}
      <Alert>{problem}</Alert>
    </Page>
  )
}
