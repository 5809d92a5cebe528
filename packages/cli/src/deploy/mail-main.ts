// The image's mail catcher (compose's `mail`): SMTP on port 1025 (or [port]) of every interface (or [host]),
// each mail a file in <dir>.
// usage: node packages/cli/dist/deploy/mail-main.js <dir> [port] [host]
import { startMailCatcher } from '../mail-catcher.js'

const [dir, port = '1025', host = '0.0.0.0'] = process.argv.slice(2)
if (!dir || !/^\d+$/.test(port)) {
  process.stderr.write('usage: mail-main.js <dir> [port] [host]\n')
  process.exit(2)
}
const mail = await startMailCatcher({ dir, port: Number(port), host })
process.stdout.write(`mail catcher: SMTP on port ${mail.port}, mails in ${dir}\n`)
const stop = () => void mail.stop().then(() => process.exit(0))
process.once('SIGTERM', stop)
process.once('SIGINT', stop)
