/** What a test sends to the launched system's HTTP APIs. */
export interface JsonCall {
  method?: string
  token?: string
  json?: unknown
  headers?: Record<string, string>
}

/** One JSON request as a client makes it: the status, the parsed body (undefined when empty), the headers. */
export async function jsonCall<T = Record<string, unknown>>(
  base: string,
  path: string,
  init: JsonCall = {},
): Promise<{ status: number; body: T; headers: Headers }> {
  const res = await fetch(`${base}${path}`, {
    method: init.method ?? 'GET',
    headers: {
      ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
      ...(init.json !== undefined ? { 'content-type': 'application/json' } : {}),
      ...init.headers,
    },
    body: init.json !== undefined ? JSON.stringify(init.json) : undefined,
    signal: AbortSignal.timeout(15_000),
  })
  const text = await res.text()
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T, headers: res.headers }
}
