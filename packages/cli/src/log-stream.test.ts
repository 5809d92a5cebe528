import { describe, expect, it } from 'vitest'
import { createLogFormatter } from './log-stream.js'

const format = createLogFormatter({ color: false, json: false, width: 9 })
const at = new Date(2026, 0, 2, 19, 40, 1, 123).getTime()

describe('log lines', () => {
  it('when a line is pino JSON, then it shows time, level, message and the other fields as key=value', () => {
    const line = JSON.stringify({
      level: 30,
      time: at,
      pid: 1,
      hostname: 'h',
      service: 'catalog',
      instance: 'catalog-1',
      msg: 'catalog ready',
      grpcPort: 4001,
      note: 'two words',
    })
    expect(format('catalog-1', 0, line)).toBe(
      'catalog-1 | 19:40:01.123 INFO  catalog ready grpcPort=4001 note="two words"',
    )
  })

  it('when a line carries an error, then it shows its type and message on the same line', () => {
    const line = JSON.stringify({
      level: 50,
      time: at,
      msg: 'failed\nbadly',
      err: { type: 'Error', message: 'boom', stack: 'a\nb' },
    })
    expect(format('gateway-1', 1, line)).toBe(
      'gateway-1 | 19:40:01.123 ERROR failed\\nbadly err="Error: boom"',
    )
  })

  it('when a line is not JSON, then it is printed as it came', () => {
    expect(format('gateway-1', 1, '(node:1) Warning: x')).toBe('gateway-1 | (node:1) Warning: x')
  })

  it('when raw JSON is asked for, then the line is printed unchanged', () => {
    const raw = createLogFormatter({ color: false, json: true, width: 9 })
    expect(raw('catalog-1', 0, '{"level":30}')).toBe('{"level":30}')
  })
})
