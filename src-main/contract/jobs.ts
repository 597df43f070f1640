import { z } from 'zod'

/**
 * Jobs: long runs main does for the renderer (imports, indexing), one at a time in the order asked,
 * each with progress and cancel. What `jobs:start` takes and what `jobs:list` and `jobs:update` report.
 */

/** A path on the machine that runs main: absolute (POSIX, a Windows drive or a UNC share). */
const absolutePath = (what: string) =>
  z
    .string({ error: `${what} must be a path` })
    .min(1, `${what} is empty`)
    .max(4096, `${what} is longer than 4096 characters`)
    .refine((p) => /^(\/|[A-Za-z]:[\\/]|\\\\)/.test(p), { error: `${what} must be an absolute path` })

const paths = (what: string) => z.array(absolutePath(what)).min(1, `give at least one ${what}`).max(64, `at most 64 ${what}s`)

/** What a job does; every kind maps to one CLI command. */
export const JobRequestSchema = z.discriminatedUnion(
  'kind',
  [
    /** `earthqube import reben <parquet…>`: reBEN metadata into the catalog. */
    z.strictObject({ kind: z.literal('import-reben'), files: paths('metadata file') }),
    /** `earthqube import v1 <folder>`: BigEarthNet v1.0 patch folders. */
    z.strictObject({ kind: z.literal('import-v1'), folder: absolutePath('folder') }),
    /** `earthqube import v2 <folder> [--metadata …]`: BigEarthNet v2 patch folders. */
    z.strictObject({ kind: z.literal('import-v2'), folder: absolutePath('folder'), metadata: paths('metadata file').optional() }),
    /** `earthqube demo --n N --seed S`: the simulated demo archive. */
    z.strictObject({
      kind: z.literal('import-demo'),
      n: z.number().int('n must be a whole number').min(1).max(549_488).optional(),
      seed: z.number().int('seed must be a whole number').min(0).max(0xffff_ffff).optional(),
    }),
    /** `earthqube index [--model …] [--replace]`: hash codes for every patch with pixels. */
    z.strictObject({
      kind: z.literal('index'),
      model: z.string().min(1).max(4096).optional(),
      replace: z.boolean().optional(),
      workers: z.number().int().min(1).max(16).optional(),
    }),
  ],
  { error: 'a job is {kind:"import-reben",files}, {kind:"import-v1",folder}, {kind:"import-v2",folder,metadata?}, {kind:"import-demo",n?,seed?} or {kind:"index",model?,replace?,workers?}' },
)

export type JobRequest = z.output<typeof JobRequestSchema>

/** Every kind of job, as JobRequestSchema lists them. */
export const JOB_KINDS = ['import-reben', 'import-v1', 'import-v2', 'import-demo', 'index'] as const
export type JobKind = (typeof JOB_KINDS)[number]
// Compile-time: the list and the request schema name the same kinds.
const kindsMatch: [JobKind] extends [JobRequest['kind']] ? ([JobRequest['kind']] extends [JobKind] ? true : never) : never = true
void kindsMatch

const JOB_STATES = ['queued', 'running', 'succeeded', 'failed', 'cancelled'] as const

/** Progress of a running job (common/progress.ts `Progress`, as data). */
export const ProgressSchema = z.object({
  phase: z.string(),
  done: z.number().nonnegative(),
  total: z.number().nonnegative(),
  ratePerSecond: z.number().nonnegative(),
  etaSeconds: z.number().nonnegative().nullable(),
  /** Items that failed and were skipped (indexing). */
  failed: z.number().int().nonnegative().optional(),
})

/** A job as `jobs:list` and `jobs:update` report it. */
export const JobInfoSchema = z.object({
  id: z.string(),
  kind: z.enum(JOB_KINDS),
  /** What it does, for people ("Import BigEarthNet v1 folders from /data/v1"). */
  title: z.string(),
  state: z.enum(JOB_STATES),
  progress: ProgressSchema.nullable(),
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  /** When finished: what it did ("imported 120 patches …"), or why it failed or was cancelled. */
  message: z.string().nullable(),
})

export type JobInfo = z.output<typeof JobInfoSchema>
