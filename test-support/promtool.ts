import { spawn } from 'node:child_process'

/** `promtool check metrics` (Debian's prometheus package) on an exposition: its exit code and all it printed. */
export function promtoolCheck(text: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('promtool', ['check', 'metrics'], { stdio: ['pipe', 'pipe', 'pipe'] })
    let output = ''
    child.stdout.on('data', (d) => {
      output += d
    })
    child.stderr.on('data', (d) => {
      output += d
    })
    child.on('error', (err) =>
      reject(new Error(`promtool is needed (Debian's prometheus package): ${err.message}`)),
    )
    child.on('close', (code) => resolve({ code, output: output.trim() }))
    child.stdin.end(text)
  })
}
