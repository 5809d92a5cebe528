// The image's mail catcher (compose's `mail`): SMTP on port 1025 of every interface, each mail a file in <dir>.
// usage: node packages/cli/dist/deploy/mail-main.js <dir>
import { startMailCatcher } from '../mail-catcher.js'

const dir = process.argv[2]
if (!dir) {
  process.stderr.write('usage: mail-main.js <dir>\n')
  process.exit(2)
}
const mail = await startMailCatcher({ dir, port: 1025, host: '0.0.0.0' })
process.stdout.write(`mail catcher: SMTP on port ${mail.port}, mails in ${dir}\n`)
const stop = () => void mail.stop().then(() => process.exit(0))
process.once('SIGTERM', stop)
process.once('SIGINT', stop)
