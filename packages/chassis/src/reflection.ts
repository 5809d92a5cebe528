import type { PackageDefinition } from '@grpc/proto-loader'
// a CommonJS namespace without an exports map: its named exports are not visible to ESM
import descriptor, {
  type IDescriptorProto,
  type IFileDescriptorProto,
} from 'protobufjs/ext/descriptor/index.js'

const FileDescriptorCodec = descriptor.FileDescriptorProto

/**
 * The package definition with file descriptors a stock reflection client can link. proto-loader merges the
 * files of one package into one descriptor (`microshop_catalog_v1.proto`) and leaves out its `dependency`
 * list, and names types relative to their scope: a client that builds a registry from them (buf curl,
 * grpcurl) cannot resolve `Money` in catalog's file and fails every call with "failed to find service".
 * Here every reference is made fully qualified and every file names the files it uses.
 */
export function linkedForReflection(pkg: PackageDefinition): PackageDefinition {
  const files = new Map<string, IFileDescriptorProto>()
  const nameOf = new Map<Uint8Array, string>() // proto-loader shares one array of encoded files per root
  for (const entry of Object.values(pkg)) {
    if (!('fileDescriptorProtos' in entry) || !Array.isArray(entry.fileDescriptorProtos)) continue
    for (const bin of entry.fileDescriptorProtos) {
      if (nameOf.has(bin)) continue
      const file = FileDescriptorCodec.decode(bin) as unknown as IFileDescriptorProto
      nameOf.set(bin, file.name ?? '')
      if (file.name && !files.has(file.name)) files.set(file.name, file)
    }
  }

  const owner = new Map<string, string>() // fully qualified type name → file name
  const indexMessages = (messages: IDescriptorProto[] | undefined, scope: string, file: string) => {
    for (const message of messages ?? []) {
      const name = `${scope}.${message.name}`
      owner.set(name, file)
      for (const e of message.enumType ?? []) owner.set(`${name}.${e.name}`, file)
      indexMessages(message.nestedType, name, file)
    }
  }
  for (const [name, file] of files) {
    const scope = file.package ? `.${file.package}` : ''
    for (const e of file.enumType ?? []) owner.set(`${scope}.${e.name}`, name)
    indexMessages(file.messageType, scope, name)
  }

  // protobuf's scoping: a relative name is looked up in the innermost scope first, then outwards
  const resolve = (ref: string, scope: string) => {
    if (ref.startsWith('.')) return owner.has(ref) ? ref : undefined
    for (let s = scope; ; s = s.slice(0, Math.max(0, s.lastIndexOf('.')))) {
      const candidate = `${s}.${ref}`
      if (owner.has(candidate)) return candidate
      if (s === '') return undefined
    }
  }

  const encoded = new Map<string, Uint8Array>()
  for (const [name, file] of files) {
    const uses = new Set<string>()
    const qualify = (ref: string | undefined, scope: string) => {
      const full = ref ? resolve(ref, scope) : undefined
      if (!full) return ref
      const target = owner.get(full)
      if (target && target !== name) uses.add(target)
      return full
    }
    const visit = (messages: IDescriptorProto[] | undefined, scope: string) => {
      for (const message of messages ?? []) {
        const inner = `${scope}.${message.name}`
        for (const field of message.field ?? []) field.typeName = qualify(field.typeName, inner)
        visit(message.nestedType, inner)
      }
    }
    const scope = file.package ? `.${file.package}` : ''
    visit(file.messageType, scope)
    for (const service of file.service ?? []) {
      for (const method of service.method ?? []) {
        method.inputType = qualify(method.inputType, scope)
        method.outputType = qualify(method.outputType, scope)
      }
    }
    file.dependency = [...uses].sort()
    encoded.set(name, FileDescriptorCodec.encode(file as never).finish())
  }

  const linked: PackageDefinition = {}
  for (const [key, entry] of Object.entries(pkg)) {
    if (!('fileDescriptorProtos' in entry) || !Array.isArray(entry.fileDescriptorProtos)) {
      linked[key] = entry
      continue
    }
    const fileDescriptorProtos = entry.fileDescriptorProtos.map(
      (bin) => encoded.get(nameOf.get(bin) ?? '') ?? bin,
    )
    linked[key] = { ...entry, fileDescriptorProtos } as typeof entry
  }
  return linked
}
