import { Document, isScalar, visit } from 'yaml'

/**
 * YAML as the tools read it: YAML 1.1 rules (kubectl's and compose's parsers take `no` and `on` for booleans, so
 * such strings are quoted), short lists of scalars on one line, no folding of long lines.
 */
export function toYaml(value: unknown): string {
  const doc = new Document(value, { version: '1.1' })
  visit(doc, {
    Seq(_, node) {
      const scalars = node.items.every((item) => isScalar(item))
      if (scalars && node.items.length > 0 && JSON.stringify(node.toJSON()).length <= 80) node.flow = true
    },
  })
  return doc.toString({ lineWidth: 0, flowCollectionPadding: false })
}
