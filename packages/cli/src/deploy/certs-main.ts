// The image's `certs` command (compose's one-shot): a CA and a certificate per service, made once, into a volume.
// usage: node packages/cli/dist/deploy/certs-main.js <dir> <service>...
import { ensureCertificates } from '../pki.js'

const [dir, ...services] = process.argv.slice(2)
if (!dir || services.length === 0) {
  process.stderr.write('usage: certs-main.js <dir> <service>...\n')
  process.exit(2)
}
const made = await ensureCertificates(dir, services)
process.stdout.write(`certificates in ${dir}/tls for ${[...made.keys()].join(', ')}\n`)
