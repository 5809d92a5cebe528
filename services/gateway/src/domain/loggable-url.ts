// a query parameter whose decoded name says credential or card: its value never reaches a log
const SECRET_PARAM = /token|password|secret|authorization|card|cvc/i

/**
 * A URL as logs may keep it: the query parsed as the router parses it (so `access%5Ftoken` is `access_token`)
 * and the value of every credential or card parameter replaced.
 */
export function loggableUrl(url: string): string {
  const q = url.indexOf('?')
  if (q < 0) return url
  const kept = [...new URLSearchParams(url.slice(q + 1))].map(
    ([name, value]) =>
      `${encodeURIComponent(name)}=${SECRET_PARAM.test(name) ? '[redacted]' : encodeURIComponent(value)}`,
  )
  return `${url.slice(0, q)}?${kept.join('&')}`
}
