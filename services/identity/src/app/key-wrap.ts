import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto'
import { ConfigError } from '@microshop/chassis'

// AES-256-GCM: a 96-bit nonce per wrap, the 128-bit tag after the ciphertext
const VERSION = 'v1'
const NONCE_BYTES = 12
const TAG_BYTES = 16

/** The wrapped form is bound to its key id: a wrapped key copied onto another row does not unwrap. */
const aadOf = (kid: string) => Buffer.from(`microshop identity signing key ${kid}`, 'utf8')

export type KeyWrap = ReturnType<typeof createKeyWrap>

/**
 * Wraps signing keys' private halves under the key-encryption key (IDENTITY_KEY_ENCRYPTION_KEY) before they
 * reach the database: `v1.<nonce>.<ciphertext+tag>`, base64url.
 */
export function createKeyWrap(kek: Buffer) {
  if (kek.length !== 32) throw new Error('the key-encryption key must be 32 bytes (AES-256)')
  return {
    wrap(kid: string, privateJwk: Record<string, unknown>): string {
      const nonce = randomBytes(NONCE_BYTES)
      const cipher = createCipheriv('aes-256-gcm', kek, nonce).setAAD(aadOf(kid))
      const sealed = Buffer.concat([
        cipher.update(JSON.stringify(privateJwk), 'utf8'),
        cipher.final(),
        cipher.getAuthTag(),
      ])
      return [VERSION, nonce.toString('base64url'), sealed.toString('base64url')].join('.')
    },

    /** The private JWK; a ConfigError naming the variable when this key-encryption key did not wrap it. */
    unwrap(kid: string, wrapped: string): Record<string, unknown> {
      const [version, nonce, sealed] = wrapped.split('.')
      if (version !== VERSION || !nonce || !sealed)
        throw new Error(`signing key ${kid}: its wrapped private key is not in the ${VERSION} form`)
      const bytes = Buffer.from(sealed, 'base64url')
      try {
        const decipher = createDecipheriv('aes-256-gcm', kek, Buffer.from(nonce, 'base64url'))
          .setAAD(aadOf(kid))
          .setAuthTag(bytes.subarray(bytes.length - TAG_BYTES))
        const plain = Buffer.concat([
          decipher.update(bytes.subarray(0, bytes.length - TAG_BYTES)),
          decipher.final(),
        ])
        return JSON.parse(plain.toString('utf8')) as Record<string, unknown>
      } catch {
        throw new ConfigError([
          `IDENTITY_KEY_ENCRYPTION_KEY: does not unwrap the stored signing key ${kid}: it is not the key it was wrapped with`,
        ])
      }
    },
  }
}
