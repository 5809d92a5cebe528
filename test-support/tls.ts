import { mkdtemp, readFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  type CertificateAuthority,
  createAuthority,
  issueServiceCertificate,
  writeServiceCertificate,
} from '../packages/cli/src/pki.js'

/** A service's certificate material as the chassis loads it (PEM buffers). */
export interface TestTls {
  ca: Buffer
  cert: Buffer
  key: Buffer
}

// one CA per test process (a vitest worker: one test file), made on first use, in a temp dir of its own
let authority: Promise<{ ca: CertificateAuthority; dir: string }> | undefined
const dirs = new Map<string, Promise<string>>()

const testAuthority = () => {
  authority ??= (async () => ({
    ca: await createAuthority('microshop test CA'),
    dir: await mkdtemp(join(tmpdir(), 'microshop-test-tls-')),
  }))()
  return authority
}

/**
 * The TLS_DIR of a certificate naming `service`, issued by the test run's CA (`ca.crt`, `tls.crt`, `tls.key`,
 * the launcher's and cert-manager's layout). `other: true` issues it from a CA of its own, which no server trusts.
 */
export function testTlsDir(service: string, opts: { untrusted?: boolean } = {}): Promise<string> {
  const key = `${opts.untrusted ? 'untrusted/' : ''}${service}`
  let dir = dirs.get(key)
  if (!dir) {
    dir = (async () => {
      const { ca, dir: root } = await testAuthority()
      const issuer = opts.untrusted ? await createAuthority('someone else') : ca
      const path = join(root, key)
      await writeServiceCertificate(path, await issueServiceCertificate(issuer, service))
      return path
    })()
    dirs.set(key, dir)
  }
  return dir
}

/** The certificate naming `service`, as buffers for a test's own client. */
export async function testTls(service: string, opts: { untrusted?: boolean } = {}): Promise<TestTls> {
  const dir = await testTlsDir(service, opts)
  const [ca, cert, key] = await Promise.all(
    ['ca.crt', 'tls.crt', 'tls.key'].map((name) => readFile(join(dir, name))),
  )
  return { ca: ca!, cert: cert!, key: key! }
}

/** The environment that gives a service its own certificate. */
export const testTlsEnv = async (service: string) => ({ TLS_DIR: await testTlsDir(service) })

/** Plaintext gRPC for a service a test starts without certificates (the development flag; no call policy). */
export const INSECURE_GRPC = { GRPC_INSECURE: 'true' } as const
