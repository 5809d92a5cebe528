// The image's health check (Docker's HEALTHCHECK, compose): no curl in the image, so Node asks.
// `healthcheck.mjs` asks the service's /health/ready on HTTP_PORT (9464); `healthcheck.mjs tcp <port>` only connects.
import { connect } from 'node:net'

const [mode, port] = process.argv.slice(2)
const done = (ok) => process.exit(ok ? 0 : 1)
if (mode === 'tcp') {
  const socket = connect(Number(port), '127.0.0.1', () => done(true))
  socket.on('error', () => done(false))
  socket.setTimeout(2_000, () => done(false))
} else {
  fetch(`http://127.0.0.1:${process.env.HTTP_PORT || 9464}/health/ready`, {
    signal: AbortSignal.timeout(2_000),
  }).then(
    (res) => done(res.ok),
    () => done(false),
  )
}
