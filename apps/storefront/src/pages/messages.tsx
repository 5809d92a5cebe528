import { Fragment, useState } from 'react'
import { ApiError } from '../api/http'
import { account } from '../api/shop'
import type { Message } from '../api/types'
import { Alert } from '../components/fields'
import { LoadState, Page } from '../components/page'
import { formatDateTime } from '../format'
import { Link, usePlace } from '../router'
import { useLoad } from '../use-load'

const PAGE_SIZE = 20
const URL_IN_TEXT = /(https?:\/\/[^\s<>"]+)/g

/** A link to a page of this shop, as the shop's own link; any other address as it is. */
function MailLink({ href }: { href: string }) {
  try {
    const url = new URL(href)
    if (url.origin === window.location.origin || /^\/orders\//.test(url.pathname))
      return <Link to={url.pathname + url.search}>{href}</Link>
  } catch {
    return <>{href}</>
  }
  return (
    <a href={href} rel="noreferrer noopener">
      {href}
    </a>
  )
}

/** An email's text as it was sent, its addresses made into links. */
function MailBody({ text }: { text: string }) {
  const parts = text.split(URL_IN_TEXT)
  return (
    <div className="mail-body">
      {parts.map((part, i) =>
        // split() with a capturing group puts the matches at the odd places
        // biome-ignore lint/suspicious/noArrayIndexKey: the parts of one text never move
        i % 2 === 1 ? <MailLink key={i} href={part} /> : <Fragment key={i}>{part}</Fragment>,
      )}
    </div>
  )
}

function MessageView({ m }: { m: Message }) {
  return (
    <li className="message">
      <details>
        <summary>
          <span className="message-subject">{m.subject}</span>
          <span className="muted">
            {m.channel === 'sms' ? 'SMS' : 'Email'} to {m.to}, {formatDateTime(m.sentAt)}
          </span>
        </summary>
        <MailBody text={m.body} />
      </details>
    </li>
  )
}

/** Every email and SMS the shop sent the signed-in person, newest first; or those about one order. */
export function MessagesPage() {
  const orderId = usePlace().query.get('order') ?? undefined
  const first = useLoad(() => account.messages({ pageSize: PAGE_SIZE, orderId }), [orderId])
  const [more, setMore] = useState<{ items: Message[]; next?: string }>()
  const [problem, setProblem] = useState<string>()
  const list = [...(first.data?.items ?? []), ...(more?.items ?? [])]
  const next = more ? more.next : first.data?.nextPageToken

  const loadMore = async () => {
    try {
      const page = await account.messages({ pageSize: PAGE_SIZE, pageToken: next, orderId })
      setMore({ items: [...(more?.items ?? []), ...page.items], next: page.nextPageToken })
    } catch (err) {
      setProblem(err instanceof ApiError ? err.message : String(err))
    }
  }

  return (
    <Page title="Messages" heading={orderId ? `Messages about order ${orderId}` : 'Messages'}>
      <p className="muted">
        The emails and texts we sent you. {orderId ? <Link to="/messages">Show all</Link> : null}
      </p>
      <button type="button" onClick={first.reload}>
        Check for new messages
      </button>
      <LoadState loading={first.loading && !first.data} error={first.error} retry={first.reload} />
      {first.data && list.length === 0 && <p>No messages yet.</p>}
      {list.length > 0 && (
        <ul className="messages" aria-label="Inbox">
          {list.map((m) => (
            <MessageView key={m.id} m={m} />
          ))}
        </ul>
      )}
      {next && (
        <button type="button" className="more" onClick={() => void loadMore()}>
          More messages
        </button>
      )}
      <Alert>{problem}</Alert>
    </Page>
  )
}
