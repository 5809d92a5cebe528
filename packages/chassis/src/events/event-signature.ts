import { createPrivateKey, type KeyObject, sign, verify, X509Certificate } from 'node:crypto'
import { certificateIdentity, type TlsMaterial } from '../tls.js'
import { asBuffer, type CloudEvent } from './cloud-event.js'

/** The CloudEvents extension attributes of a signed event: the signature and the signer's certificate. */
export const SIGNATURE_ATTRIBUTE = 'microshopsig'
export const SIGNER_ATTRIBUTE = 'microshopsigner'

/** Why a consumer refuses a signed event's envelope, as the rejected counter labels it. */
export type SignatureProblem = 'unsigned' | 'signer_untrusted' | 'signer_not_owner' | 'signature_invalid'

/**
 * The bytes a signature covers: every attribute and the data, each length-prefixed so that no two events
 * share a form, extensions sorted by name (the signature's own two left out). One place, for signer and verifier.
 */
export function canonicalEvent(event: CloudEvent): Buffer {
  const extensions = Object.entries(event.extensions)
    .filter(([name]) => name !== SIGNATURE_ATTRIBUTE && name !== SIGNER_ATTRIBUTE)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .flat()
  const fields = [
    event.specversion,
    event.id,
    event.source,
    event.type,
    event.subject,
    event.time,
    event.datacontenttype,
    event.traceparent ?? '',
    String(extensions.length / 2),
    ...extensions,
  ].map((f): Buffer => Buffer.from(f, 'utf8'))
  fields.push(asBuffer(event.data))
  const parts: Buffer[] = []
  for (const field of fields) {
    const length = Buffer.alloc(4)
    length.writeUInt32BE(field.length)
    parts.push(length, field)
  }
  return Buffer.concat(parts)
}

// EdDSA keys hash internally; ECDSA signatures in the fixed-size form (r‖s), RSA ignores the encoding
const digestOf = (key: KeyObject) =>
  key.asymmetricKeyType === 'ed25519' || key.asymmetricKeyType === 'ed448' ? null : 'sha256'
const DSA_ENCODING = 'ieee-p1363' as const

const derOf = (pem: Buffer) => new X509Certificate(pem).raw.toString('base64')

/** Adds the signature attributes to an event. */
export type EventSigner = (event: CloudEvent) => CloudEvent
/** Says why an event is not its type owner's, or undefined when it is. */
export type EventVerifier = (event: CloudEvent, owner: string) => SignatureProblem | undefined

/** Signs events with the service's mTLS key: the same identity its gRPC calls prove. */
export function createEventSigner(tls: TlsMaterial): EventSigner {
  const key = createPrivateKey(tls.key)
  const digest = digestOf(key)
  const signer = derOf(tls.cert)
  return (event) => {
    const unsigned = { ...event, extensions: { ...event.extensions, [SIGNER_ATTRIBUTE]: signer } }
    const signature = sign(digest, canonicalEvent(unsigned), { key, dsaEncoding: DSA_ENCODING })
    return {
      ...unsigned,
      extensions: { ...unsigned.extensions, [SIGNATURE_ATTRIBUTE]: signature.toString('base64') },
    }
  }
}

/** The certificates of a PEM bundle (ca.crt may hold more than one CA). */
function certificatesOf(pem: Buffer): X509Certificate[] {
  const blocks = pem.toString('utf8').match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g)
  return (blocks ?? []).map((b) => new X509Certificate(b))
}

const serviceNamed = (cert: X509Certificate) =>
  certificateIdentity({
    subject: { CN: /^CN=(.*)$/m.exec(cert.subject)?.[1] ?? '' },
    subjectaltname: cert.subjectAltName ?? '',
  })

interface Signer {
  service: string | undefined
  key: KeyObject
  validFrom: number
  validTo: number
}

// certificates are few (one per service and rotation): a small cache spares a chain check per event
const MAX_CACHED_SIGNERS = 256

/**
 * Checks a delivered event was signed by its type's owner: a valid signature by a certificate issued by the
 * CA the service trusts, whose service name (CN and DNS SAN, as on gRPC) is the owner. Undefined when it was.
 */
export function createEventVerifier(
  tls: Pick<TlsMaterial, 'ca'>,
  clock: () => number = Date.now,
): EventVerifier {
  const authorities = certificatesOf(tls.ca)
  if (authorities.length === 0) throw new Error('TLS_CA_FILE holds no certificate to verify events against')
  const signers = new Map<string, Signer>()

  const signerOf = (encoded: string): Signer | undefined => {
    const cached = signers.get(encoded)
    if (cached) return cached
    let cert: X509Certificate
    try {
      cert = new X509Certificate(Buffer.from(encoded, 'base64'))
    } catch {
      return undefined
    }
    if (!authorities.some((ca) => cert.checkIssued(ca) && cert.verify(ca.publicKey))) return undefined
    const signer = {
      service: serviceNamed(cert),
      key: cert.publicKey,
      validFrom: Date.parse(cert.validFrom),
      validTo: Date.parse(cert.validTo),
    }
    if (signers.size >= MAX_CACHED_SIGNERS) signers.delete(signers.keys().next().value as string)
    signers.set(encoded, signer)
    return signer
  }

  return (event, owner) => {
    const signature = event.extensions[SIGNATURE_ATTRIBUTE]
    const encoded = event.extensions[SIGNER_ATTRIBUTE]
    if (!signature || !encoded) return 'unsigned'
    const signer = signerOf(encoded)
    const now = clock()
    if (!signer || now < signer.validFrom || now > signer.validTo) return 'signer_untrusted'
    if (signer.service !== owner) return 'signer_not_owner'
    const valid = verify(
      digestOf(signer.key),
      canonicalEvent(event),
      { key: signer.key, dsaEncoding: DSA_ENCODING },
      Buffer.from(signature, 'base64'),
    )
    return valid ? undefined : 'signature_invalid'
  }
}
