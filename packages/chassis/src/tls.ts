import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import * as grpc from '@grpc/grpc-js'
import { ConfigError } from './config.js'

/** A service's certificate, its key and the CA its peers' certificates must chain to (PEM). */
export interface TlsMaterial {
  ca: Buffer
  cert: Buffer
  key: Buffer
}

/** What the chassis reads to secure gRPC: the TLS_* settings, or the explicit GRPC_INSECURE development flag. */
export interface TlsConfig {
  readonly tlsDir?: string | undefined
  readonly tlsCaFile?: string | undefined
  readonly tlsCertFile?: string | undefined
  readonly tlsKeyFile?: string | undefined
  readonly grpcInsecure?: boolean | undefined
}

/** Whether any TLS setting is given: the service then has a certificate (or fails to start). */
export const tlsSettingsGiven = (config: TlsConfig) =>
  [config.tlsDir, config.tlsCaFile, config.tlsCertFile, config.tlsKeyFile].some((p) => p !== undefined)

/**
 * The certificate files named by the config: TLS_CA_FILE / TLS_CERT_FILE / TLS_KEY_FILE, each defaulting
 * to `ca.crt`, `tls.crt`, `tls.key` in TLS_DIR (a mounted cert-manager secret). Undefined only with
 * GRPC_INSECURE=true (plaintext, for development); neither set is a configuration error.
 */
export function loadTls(config: TlsConfig, service: string): TlsMaterial | undefined {
  const file = (explicit: string | undefined, name: string) =>
    explicit ?? (config.tlsDir ? join(config.tlsDir, name) : undefined)
  const paths = {
    TLS_CA_FILE: file(config.tlsCaFile, 'ca.crt'),
    TLS_CERT_FILE: file(config.tlsCertFile, 'tls.crt'),
    TLS_KEY_FILE: file(config.tlsKeyFile, 'tls.key'),
  }
  const given = Object.values(paths).some((p) => p !== undefined)
  if (!given) {
    if (config.grpcInsecure) return undefined
    throw new ConfigError([
      `TLS_DIR: ${service} speaks gRPC only over mutual TLS: set TLS_DIR (ca.crt, tls.crt, tls.key) or ` +
        'TLS_CA_FILE, TLS_CERT_FILE and TLS_KEY_FILE; GRPC_INSECURE=true allows plaintext in development (not set)',
    ])
  }
  const problems: string[] = []
  const read = (name: keyof typeof paths) => {
    const path = paths[name]
    if (!path) {
      problems.push(`${name}: needed with the other TLS settings (not set)`)
      return Buffer.alloc(0)
    }
    try {
      return readFileSync(path)
    } catch (err) {
      problems.push(`${name}: cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? err}`)
      return Buffer.alloc(0)
    }
  }
  const material = { ca: read('TLS_CA_FILE'), cert: read('TLS_CERT_FILE'), key: read('TLS_KEY_FILE') }
  if (problems.length > 0) throw new ConfigError(problems)
  return material
}

/** Server credentials: TLS that requires a client certificate from the same CA; plaintext without material. */
export function serverCredentials(tls: TlsMaterial | undefined): grpc.ServerCredentials {
  if (!tls) return grpc.ServerCredentials.createInsecure()
  return grpc.ServerCredentials.createSsl(tls.ca, [{ private_key: tls.key, cert_chain: tls.cert }], true)
}

/** Channel credentials presenting the service's own certificate; plaintext without material. */
export function channelCredentials(tls: TlsMaterial | undefined): grpc.ChannelCredentials {
  if (!tls) return grpc.credentials.createInsecure()
  return grpc.credentials.createSsl(tls.ca, tls.key, tls.cert)
}

/**
 * Channel options that make a client check the server's certificate names `service`, whatever address
 * (a discovered 127.0.0.1:port) it dials.
 */
export function serverNameOptions(tls: TlsMaterial | undefined, service: string): grpc.ChannelOptions {
  return tls ? { 'grpc.ssl_target_name_override': service, 'grpc.default_authority': service } : {}
}

/**
 * The service a verified client certificate names: its CN, when a DNS SAN says the same. Undefined on a
 * plaintext call or a certificate that names no service.
 */
export function certificateIdentity(
  cert: { subject?: { CN?: string | string[] }; subjectaltname?: string } | undefined,
) {
  if (!cert) return undefined
  const cn = cert.subject?.CN
  const name = Array.isArray(cn) ? cn[0] : cn
  if (!name) return undefined
  const sans = (cert.subjectaltname ?? '').split(',').map((s) => s.trim())
  return sans.includes(`DNS:${name}`) ? name : undefined
}
