import { fileURLToPath } from 'node:url'

/** Absolute path of the folder holding every .proto file (for gRPC reflection and tooling). */
export const protoRoot = fileURLToPath(new URL('../proto', import.meta.url))

/** The .proto files of each public gRPC service, relative to protoRoot. */
export const protoFiles = {
  catalog: 'microshop/catalog/v1/catalog.proto',
} as const
