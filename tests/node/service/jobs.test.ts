import { describe, expect, it } from 'vitest'
import { CancelledError } from '../../../src-main/common/cancel'
import type { JobInfo } from '../../../src-main/contract/jobs'
import type { JobOutcome, JobWork } from '../../../src-main/service/jobs'
import { JobManager } from '../../../src-main/service/jobs'

/** A job's work that waits until the test lets it finish (or is cancelled through its signal). */
function gate(): { work: JobWork; started: Promise<void>; finish: (outcome?: JobOutcome) => void; fail: (e: Error) => void; progress: (done: number) => void } {
  let finish!: (o: JobOutcome) => void
  let fail!: (e: Error) => void
  let markStarted!: () => void
  let report: ((done: number) => void) | null = null
  const started = new Promise<void>((r) => (markStarted = r))
  const work: JobWork = (signal, onProgress) =>
    new Promise<JobOutcome>((resolve, reject) => {
      finish = resolve
      fail = reject
      report = (done) => onProgress({ phase: 'test', done, total: 10, ratePerSecond: 1, etaSeconds: 10 - done })
      signal.addEventListener('abort', () => reject(new CancelledError('test cancelled; nothing kept')))
      markStarted()
    })
  return {
    work,
    started,
    finish: (o = { message: 'did it', catalogChanged: true }) => finish(o),
    fail: (e) => fail(e),
    progress: (done) => report?.(done),
  }
}

function manager(): { jobs: JobManager; updates: JobInfo[]; outcomes: (JobOutcome | null)[] } {
  const updates: JobInfo[] = []
  const outcomes: (JobOutcome | null)[] = []
  let t = Date.parse('2026-01-01T00:00:00Z')
  const jobs = new JobManager(
    (job, outcome) => {
      updates.push(job)
      outcomes.push(outcome)
    },
    () => new Date((t += 1000)),
  )
  return { jobs, updates, outcomes }
}

describe('JobManager', () => {
  it('runs one job at a time, in the order started, reporting each state and its progress', async () => {
    const { jobs, updates } = manager()
    const a = gate()
    const b = gate()
    const first = jobs.start('import-reben', 'first', a.work)
    const second = jobs.start('index', 'second', b.work)
    expect([first.state, second.state]).toEqual(['queued', 'queued'])
    await a.started
    expect(jobs.list().map((j) => j.state)).toEqual(['running', 'queued'])
    a.progress(4)
    expect(jobs.list()[0]!.progress).toEqual({ phase: 'test', done: 4, total: 10, ratePerSecond: 1, etaSeconds: 6 })
    a.finish()
    await b.started
    expect(jobs.list().map((j) => j.state)).toEqual(['succeeded', 'running'])
    b.finish({ message: 'second done', catalogChanged: false })
    const done = await jobs.whenDone(second.id)
    expect(done).toMatchObject({ state: 'succeeded', message: 'second done' })
    expect(done.startedAt! > done.createdAt).toBe(true)
    expect(done.finishedAt! > done.startedAt!).toBe(true)
    expect(updates.filter((u) => u.id === first.id).map((u) => u.state)).toEqual(['queued', 'running', 'running', 'succeeded'])
  })

  it('cancels a queued job before it runs, and a running one through its signal', async () => {
    const { jobs, outcomes, updates } = manager()
    const a = gate()
    const b = gate()
    const running = jobs.start('import-v1', 'running', a.work)
    const queued = jobs.start('import-v2', 'queued', b.work)
    await a.started
    expect(jobs.cancel(queued.id)).toMatchObject({ state: 'cancelled', message: 'cancelled before it started' })
    jobs.cancel(running.id)
    expect(await jobs.whenDone(running.id)).toMatchObject({ state: 'cancelled', message: 'test cancelled; nothing kept' })
    // The queued job never started.
    expect(updates.filter((u) => u.id === queued.id).map((u) => u.state)).toEqual(['queued', 'cancelled'])
    expect(outcomes.at(-1)).toBeNull()
  })

  it('says why a job failed, and goes on with the next', async () => {
    const { jobs } = manager()
    const a = gate()
    const b = gate()
    const failing = jobs.start('import-reben', 'failing', a.work)
    const next = jobs.start('index', 'next', b.work)
    await a.started
    a.fail(new Error('meta.parquet is not a Parquet file'))
    expect(await jobs.whenDone(failing.id)).toMatchObject({ state: 'failed', message: 'meta.parquet is not a Parquet file' })
    await b.started
    b.finish()
    expect(await jobs.whenDone(next.id)).toMatchObject({ state: 'succeeded' })
  })

  it('refuses to cancel a job it does not know, naming the jobs it has', () => {
    const { jobs } = manager()
    jobs.start('index', 'one', gate().work)
    expect(() => jobs.cancel('job-99')).toThrow('no job "job-99" (jobs: job-1)')
  })

  it('cancels everything on cancelAll and waits until nothing runs', async () => {
    const { jobs } = manager()
    const a = gate()
    jobs.start('import-reben', 'a', a.work)
    jobs.start('import-reben', 'b', gate().work)
    await a.started
    await jobs.cancelAll()
    expect(jobs.list().map((j) => j.state)).toEqual(['cancelled', 'cancelled'])
  })
})
