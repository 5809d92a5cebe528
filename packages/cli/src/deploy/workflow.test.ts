import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { validateWorkflow } from '@action-validator/core'
import { describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import { repoRoot } from '../topology.js'

// The hosted CI workflow and .ci/run tell one story: the workflow runs the script where it finds what the
// script expects, and builds the image from the Dockerfile the image tests check.

const source = readFileSync(join(repoRoot, '.github', 'workflows', 'ci.yml'), 'utf8')
const ciRun = readFileSync(join(repoRoot, '.ci', 'run'), 'utf8')
const dockerfile = readFileSync(join(repoRoot, 'Dockerfile'), 'utf8')

interface Step {
  name?: string
  uses?: string
  run?: string
  if?: string
  with?: Record<string, unknown>
}
interface Job {
  needs?: string | string[]
  services?: Record<string, { image: string; env?: Record<string, string>; ports?: string[] }>
  steps: Step[]
  permissions?: Record<string, string>
}
const workflow = parse(source) as { on: { push: { tags: string[] } }; jobs: Record<string, Job> }
const steps = Object.values(workflow.jobs).flatMap((job) => job.steps)
const jobOf = (step: Step) => Object.values(workflow.jobs).find((job) => job.steps.includes(step))!

/** The schema's findings, flattened to `path: detail` lines. */
const findings = (yaml: string) =>
  validateWorkflow(yaml).errors.map((e) => `${'path' in e ? e.path : ''}: ${e.detail ?? e.title}`)

describe('the GitHub Actions workflow', () => {
  it('when checked against the workflow schema (SchemaStore, by action-validator), then it has no finding; a broken one has', () => {
    expect(findings(source)).toEqual([])
    expect(findings(source.replace('runs-on: ubuntu-24.04', 'runs-onn: ubuntu-24.04'))).not.toEqual([])
  })

  it('when it tests, then it runs .ci/run in a Debian image of the Node major the Dockerfile builds on', () => {
    const runs = steps.filter((s) => s.run?.includes('bash .ci/run'))
    expect(runs).toHaveLength(1)
    const image = /\bnode:(\d+)-(\w+)\b/.exec(runs[0]!.run!)
    const base = /^FROM node:(\d+)-(\w+)/m.exec(dockerfile)
    expect(image?.slice(1, 3)).toEqual(base?.slice(1, 3))
    // as root (apt-get in .ci/run), on the host's network (the services on 127.0.0.1)
    expect(runs[0]!.run).toMatch(/--network host/)
    expect(ciRun).toMatch(/apt-get install/)
  })

  it("when it tests, then NATS with JetStream listens where .ci/run's NATS_URL points, and PostgreSQL on 127.0.0.1:5432 with trust and a database test", () => {
    const natsUrl = /^export NATS_URL=(\S+)$/m.exec(ciRun)?.[1]
    expect(natsUrl).toBeDefined()
    const { hostname, port } = new URL(natsUrl!)
    const job = jobOf(steps.find((s) => s.run?.includes('bash .ci/run'))!)
    const nats = job.steps.find((s) => s.run?.includes('docker run') && s.run.includes('nats'))
    expect(nats?.run).toContain(`-p ${hostname}:${port}:4222`)
    expect(nats?.run).toMatch(/ -js\b/)
    const postgres = job.services?.postgres
    expect(postgres?.ports).toContain('127.0.0.1:5432:5432')
    expect(postgres?.env).toMatchObject({ POSTGRES_HOST_AUTH_METHOD: 'trust', POSTGRES_DB: 'test' })
  })

  it('when it builds the image, then it uses the Dockerfile after the tests, and pushes to ghcr.io on a tag v* only', () => {
    expect(workflow.on.push.tags).toEqual(['v*'])
    const build = steps.find((s) => s.uses?.startsWith('docker/build-push-action@'))
    expect(build?.with).toMatchObject({ context: '.', file: 'Dockerfile' })
    expect(build?.with?.push).toMatch(/^\$\{\{ startsWith\(github\.ref, 'refs\/tags\/v'\) \}\}$/)
    const job = jobOf(build!)
    expect(job.needs).toBe('test')
    expect(job.permissions?.packages).toBe('write')
    const meta = job.steps.find((s) => s.uses?.startsWith('docker/metadata-action@'))
    expect(String(meta?.with?.images)).toMatch(/^ghcr\.io\//)
  })
})
