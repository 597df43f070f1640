import { CancelledError } from '../common/cancel'
import { errorMessage } from '../common/errors'
import type { Progress, ProgressListener } from '../common/progress'
import type { JobInfo, JobKind } from '../contract/jobs'

/** What a job's work reports when it ends well. */
export interface JobOutcome {
  /** What it did, for people. */
  message: string
  /** True when it changed the catalog (then `catalog:changed` follows). */
  catalogChanged: boolean
}

/** A job's work: runs until done, watching the signal and reporting progress. */
export type JobWork = (signal: AbortSignal, onProgress: ProgressListener<Progress & { failed?: number }>) => Promise<JobOutcome>

/** Finished jobs kept for `jobs:list` (the running and queued ones are always kept). */
const KEPT_FINISHED = 50

interface Job {
  info: JobInfo
  work: JobWork
  controller: AbortController
  done: Promise<void>
  resolveDone: () => void
}

/**
 * Runs jobs one after the other, in the order they were started: they all write the one catalog, and
 * SQLite takes one writer at a time. Each job has an AbortSignal (cancel) and reports its state and
 * progress through `onUpdate`; its outcome or error becomes its message. Plain Node, no transport.
 */
export class JobManager {
  private readonly jobs: Job[] = []
  private running: Job | null = null
  private nextId = 1

  constructor(
    /** Called with the job's new state whenever it is queued, starts, progresses or ends. */
    private readonly onUpdate: (job: JobInfo, outcome: JobOutcome | null) => void,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Queues a job; it starts when the jobs before it have ended. */
  start(kind: JobKind, title: string, work: JobWork): JobInfo {
    let resolveDone!: () => void
    const done = new Promise<void>((r) => (resolveDone = r))
    const job: Job = {
      info: {
        id: `job-${this.nextId++}`,
        kind,
        title,
        state: 'queued',
        progress: null,
        createdAt: this.now().toISOString(),
        startedAt: null,
        finishedAt: null,
        message: null,
      },
      work,
      controller: new AbortController(),
      done,
      resolveDone,
    }
    this.jobs.push(job)
    this.forgetOldJobs()
    this.update(job, null)
    queueMicrotask(() => this.runNext())
    return { ...job.info }
  }

  /** Every kept job, oldest first. */
  list(): JobInfo[] {
    return this.jobs.map((j) => ({ ...j.info }))
  }

  /** Cancels a queued job (it never runs) or a running one (its work stops at its next check). */
  cancel(id: string): JobInfo {
    const job = this.jobs.find((j) => j.info.id === id)
    if (!job) {
      const known = this.jobs.map((j) => j.info.id).join(', ') || 'none'
      throw new Error(`no job ${JSON.stringify(id)} (jobs: ${known})`)
    }
    if (job.info.state === 'queued') {
      this.finish(job, 'cancelled', 'cancelled before it started', null)
    } else if (job.info.state === 'running') {
      job.controller.abort()
    }
    return { ...job.info }
  }

  /** Cancels every job and waits until none runs (shutdown). */
  async cancelAll(): Promise<void> {
    for (const job of this.jobs) if (job.info.state === 'queued' || job.info.state === 'running') this.cancel(job.info.id)
    await Promise.all(this.jobs.map((j) => j.done))
  }

  /** Resolves when the job has ended, whichever way. */
  whenDone(id: string): Promise<JobInfo> {
    const job = this.jobs.find((j) => j.info.id === id)
    if (!job) return Promise.reject(new Error(`no job ${JSON.stringify(id)}`))
    return job.done.then(() => ({ ...job.info }))
  }

  private runNext(): void {
    if (this.running) return
    const job = this.jobs.find((j) => j.info.state === 'queued')
    if (!job) return
    this.running = job
    job.info = { ...job.info, state: 'running', startedAt: this.now().toISOString() }
    this.update(job, null)
    const onProgress = (p: Progress & { failed?: number }): void => {
      if (job.info.state !== 'running') return
      job.info = { ...job.info, progress: { ...p } }
      this.update(job, null)
    }
    job
      .work(job.controller.signal, onProgress)
      .then(
        (outcome) => this.finish(job, 'succeeded', outcome.message, outcome),
        (e: unknown) => {
          const cancelled = e instanceof CancelledError || job.controller.signal.aborted
          this.finish(job, cancelled ? 'cancelled' : 'failed', errorMessage(e), null)
        },
      )
      .finally(() => {
        this.running = null
        this.runNext()
      })
  }

  private finish(job: Job, state: 'succeeded' | 'failed' | 'cancelled', message: string, outcome: JobOutcome | null): void {
    job.info = { ...job.info, state, message, finishedAt: this.now().toISOString() }
    this.update(job, outcome)
    job.resolveDone()
  }

  private update(job: Job, outcome: JobOutcome | null): void {
    this.onUpdate({ ...job.info }, outcome)
  }

  private forgetOldJobs(): void {
    const finished = this.jobs.filter((j) => j.info.finishedAt !== null)
    for (const old of finished.slice(0, Math.max(0, finished.length - KEPT_FINISHED))) this.jobs.splice(this.jobs.indexOf(old), 1)
  }
}
