import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import * as grpc from '@grpc/grpc-js'
import * as protoLoader from '@grpc/proto-loader'
import { service as healthService } from 'grpc-health-check'

export { silentLogger, staticDiscovery } from '@microshop/chassis/testing'

const HealthClient = grpc.makeGenericClientConstructor(healthService as grpc.ServiceDefinition, 'Health')

/** The status the standard gRPC health service reports for `service` ('' for the whole server). */
export function checkGrpcHealth(target: string, service = ''): Promise<string> {
  const client = new HealthClient(target, grpc.credentials.createInsecure())
  return new Promise<string>((resolve, reject) => {
    const health = client as unknown as {
      Check(
        req: { service: string },
        options: grpc.CallOptions,
        callback: (err: grpc.ServiceError | null, res: { status: string }) => void,
      ): void
    }
    health.Check({ service }, { deadline: Date.now() + 5_000 }, (err, res) =>
      err ? reject(err) : resolve(res.status),
    )
  }).finally(() => client.close())
}

const reflectionProto = join(
  dirname(createRequire(import.meta.url).resolve('@grpc/reflection')),
  '../proto/grpc/reflection/v1/reflection.proto',
)

/** The service names a server lists through gRPC server reflection (v1). */
export function listReflectedServices(target: string): Promise<string[]> {
  const definition = protoLoader.loadSync(reflectionProto, { keepCase: true, defaults: true, oneofs: true })
  const Reflection = grpc.makeGenericClientConstructor(
    definition['grpc.reflection.v1.ServerReflection'] as grpc.ServiceDefinition,
    'ServerReflection',
  )
  const client = new Reflection(target, grpc.credentials.createInsecure())
  return new Promise<string[]>((resolve, reject) => {
    const reflection = client as unknown as {
      ServerReflectionInfo(
        options: grpc.CallOptions,
      ): grpc.ClientDuplexStream<unknown, { list_services_response?: { service: { name: string }[] } }>
    }
    const stream = reflection.ServerReflectionInfo({ deadline: Date.now() + 5_000 })
    stream.on('data', (res) => {
      resolve(res.list_services_response?.service.map((s: { name: string }) => s.name) ?? [])
      stream.end()
    })
    stream.on('error', reject)
    stream.write({ list_services: '' })
  }).finally(() => client.close())
}

/** The value of a Prometheus sample whose name and labels all match, or 0 when there is none. */
export function metricValue(text: string, name: string, labels: Record<string, string> = {}): number {
  let total = 0
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue
    if (!Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`))) continue
    total += Number(line.slice(line.lastIndexOf(' ') + 1))
  }
  return total
}

/**
 * The error a promise rejects with, whatever it is; fails the test when it resolves instead. For an AppError
 * of a known code use `expectFailure` (`@microshop/chassis/testing`); this is for rejections that are not
 * AppErrors (a raw gRPC ServiceError) or whose kind a test does not pin (tripping a breaker).
 */
export function rejectionOf<E = unknown>(promise: Promise<unknown>): Promise<E> {
  return promise.then(
    (value) => {
      throw new Error(`expected a failure, got ${JSON.stringify(value)?.slice(0, 200)}`)
    },
    (err: unknown) => err as E,
  )
}
