import { Ajv2020 } from 'ajv/dist/2020.js'
import addFormats from 'ajv-formats'

interface Operation {
  responses: Record<string, { content?: Record<string, { schema: unknown }> }>
}
export interface OpenApiDocument {
  paths: Record<string, Record<string, Operation>>
  components?: { schemas?: Record<string, unknown> }
}

const pointer = (...parts: string[]) =>
  parts.map((p) => p.replaceAll('~', '~0').replaceAll('/', '~1')).join('/')

/**
 * Checks real responses against the gateway's own OpenAPI document: the route and status must be
 * documented, and the body must match the documented schema for its media type.
 */
export function createOpenApiChecker(doc: OpenApiDocument) {
  const ajv = new Ajv2020({ strict: false, allErrors: true })
  addFormats.default(ajv)
  ajv.addSchema(doc as object, 'openapi')

  return {
    /** Throws with the validation errors when the response does not match the document. */
    async check(res: Response, method: string, route: string): Promise<unknown> {
      const op = doc.paths[route]?.[method.toLowerCase()]
      if (!op) throw new Error(`${method} ${route} is not in the OpenAPI document`)
      const status = String(res.status)
      const documented = op.responses[status] ?? op.responses.default
      if (!documented) throw new Error(`${method} ${route} answered ${status}, which is not documented`)
      if (!documented.content) {
        const text = await res.text()
        if (text !== '')
          throw new Error(`${method} ${route} ${status} is documented without a body but sent one`)
        return undefined
      }
      const mediaType = (res.headers.get('content-type') ?? '').split(';')[0]!.trim()
      const body = await res.json()
      if (!documented.content?.[mediaType])
        throw new Error(`${method} ${route} ${status}: media type ${mediaType} is not documented`)
      const ref = `openapi#/${pointer('paths', route, method.toLowerCase(), 'responses', op.responses[status] ? status : 'default', 'content', mediaType, 'schema')}`
      const validate = ajv.getSchema(ref)
      if (!validate) throw new Error(`no schema at ${ref}`)
      if (!validate(body))
        throw new Error(
          `${method} ${route} ${status} does not match its schema: ${ajv.errorsText(validate.errors)}\n${JSON.stringify(body).slice(0, 500)}`,
        )
      return body
    },
  }
}
