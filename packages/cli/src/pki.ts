// @peculiar/x509 resolves its parts through tsyringe, which needs the Reflect metadata API
import 'reflect-metadata'
import { webcrypto } from 'node:crypto'
import { existsSync } from 'node:fs'
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import * as x509 from '@peculiar/x509'

// @peculiar/x509 (pinned, engines node >=20) builds the certificates; the keys are Node's own WebCrypto keys
x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0])

type CryptoKey = webcrypto.CryptoKey
type CryptoKeyPair = webcrypto.CryptoKeyPair

const ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const
const DAY_MS = 86_400_000
const CA_DAYS = 3650
const LEAF_DAYS = 825

/** A certificate authority: its certificate and key, PEM. */
export interface CertificateAuthority {
  cert: string
  key: string
}

/** A service's certificate, PEM, with the CA that issued it: what a cert-manager secret holds. */
export interface ServiceCertificate {
  ca: string
  cert: string
  key: string
}

const keyPem = async (key: CryptoKey) => {
  const der = await webcrypto.subtle.exportKey('pkcs8', key)
  return x509.PemConverter.encode(der, 'PRIVATE KEY')
}

const serial = () =>
  Buffer.from(webcrypto.getRandomValues(new Uint8Array(16)))
    .toString('hex')
    .replace(/^[89a-f]/, '1')

/** A new self-signed CA, for one data dir (or one test run). */
export async function createAuthority(name = 'microshop local CA'): Promise<CertificateAuthority> {
  const keys = (await webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify'])) as CryptoKeyPair
  const now = Date.now()
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: `CN=${name}`,
    notBefore: new Date(now - DAY_MS),
    notAfter: new Date(now + CA_DAYS * DAY_MS),
    keys,
    signingAlgorithm: ALGORITHM,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  })
  return { cert: cert.toString('pem'), key: await keyPem(keys.privateKey) }
}

/**
 * A certificate naming one service: CN and the first DNS SAN are the service name (its identity, which
 * peers verify and the policy checks); `localhost` and 127.0.0.1 let local tools (buf curl) dial it too.
 * Usable as server and as client certificate (mTLS).
 */
export async function issueServiceCertificate(
  ca: CertificateAuthority,
  service: string,
): Promise<ServiceCertificate> {
  const caCert = new x509.X509Certificate(ca.cert)
  const caKey = await webcrypto.subtle.importKey(
    'pkcs8',
    x509.PemConverter.decodeFirst(ca.key),
    ALGORITHM,
    false,
    ['sign'],
  )
  const keys = (await webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify'])) as CryptoKeyPair
  const now = Date.now()
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serial(),
    subject: `CN=${service}`,
    issuer: caCert.subject,
    notBefore: new Date(now - DAY_MS),
    notAfter: new Date(now + LEAF_DAYS * DAY_MS),
    publicKey: keys.publicKey,
    signingKey: caKey as CryptoKey,
    signingAlgorithm: ALGORITHM,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(
        x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment,
        true,
      ),
      new x509.ExtendedKeyUsageExtension([
        x509.ExtendedKeyUsage.serverAuth,
        x509.ExtendedKeyUsage.clientAuth,
      ]),
      new x509.SubjectAlternativeNameExtension([
        { type: 'dns', value: service },
        { type: 'dns', value: 'localhost' },
        { type: 'ip', value: '127.0.0.1' },
      ]),
      await x509.AuthorityKeyIdentifierExtension.create(caCert),
    ],
  })
  return { ca: ca.cert, cert: cert.toString('pem'), key: await keyPem(keys.privateKey) }
}

/** `<dataDir>/tls/<service>`: `ca.crt`, `tls.crt`, `tls.key`, the layout of a cert-manager secret. */
export const tlsDir = (dataDir: string, service: string) => join(dataDir, 'tls', service)

/** Writes a service's certificate in the cert-manager layout (dir 0700, key 0600). */
export async function writeServiceCertificate(dir: string, cert: ServiceCertificate): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 })
  await chmod(dir, 0o700)
  await writeFile(join(dir, 'ca.crt'), cert.ca, { mode: 0o644 })
  await writeFile(join(dir, 'tls.crt'), cert.cert, { mode: 0o644 })
  await writeFile(join(dir, 'tls.key'), cert.key, { mode: 0o600 })
}

/**
 * The data dir's CA (made on first start, its key 0600 in `tls/ca`) and a certificate per service, each
 * made when missing. Returns the TLS_DIR of each service.
 */
export async function ensureCertificates(
  dataDir: string,
  services: readonly string[],
): Promise<Map<string, string>> {
  const root = join(dataDir, 'tls')
  await mkdir(root, { recursive: true, mode: 0o700 })
  await chmod(root, 0o700)
  const caDir = join(root, 'ca')
  let ca: CertificateAuthority
  if (existsSync(join(caDir, 'ca.key'))) {
    ca = {
      cert: await readFile(join(caDir, 'ca.crt'), 'utf8'),
      key: await readFile(join(caDir, 'ca.key'), 'utf8'),
    }
  } else {
    ca = await createAuthority()
    await mkdir(caDir, { recursive: true, mode: 0o700 })
    await writeFile(join(caDir, 'ca.key'), ca.key, { mode: 0o600 })
    await writeFile(join(caDir, 'ca.crt'), ca.cert, { mode: 0o644 })
  }
  const dirs = new Map<string, string>()
  for (const service of services) {
    const dir = tlsDir(dataDir, service)
    if (!existsSync(join(dir, 'tls.key')))
      await writeServiceCertificate(dir, await issueServiceCertificate(ca, service))
    dirs.set(service, dir)
  }
  return dirs
}
