import { z } from 'zod'
import type { EventName, IpcCallName, IpcMethodName } from './calls'
import { IPC_CALLS } from './calls'
import { JobInfoSchema, JobRequestSchema } from './jobs'
import type { SearchResult } from './query'
import { SATELLITES, SEASON_NAMES, SearchQuerySchema } from './query'

/**
 * THE contract between the renderer and main: every call, its request and response schemas and a
 * one-line doc, and every event main pushes with its payload schema. Main (Electron's ipcMain and the
 * browser-mode HTTP server alike) validates every request against it; the preload and the browser-mode
 * client are both built from the call list (`api.ts`); the renderer only sees `EarthqubeApi`.
 * Plain zod, no Node or DOM imports: the renderer imports it too.
 */

export type { EventName, IpcCallName } from './calls'
export { EVENT_CHANNEL, isIpcCallName } from './calls'

/** A call that takes no argument: the renderer sends nothing. */
const noArguments = (name: string) => z.undefined({ error: `${name} takes no arguments` })

const count = z.number().int().nonnegative()

/** What `catalog:stats` reports: the catalog's `CatalogStats` (src-main/catalog), as data. */
export const CatalogStatsSchema = z.object({
  file: z.string(),
  schemaVersion: z.number().int(),
  patches: count,
  archives: z.array(
    z.object({ name: z.string(), nomenclature: z.enum(['clc43', 'ben19']), patches: count, withPixels: count }),
  ),
  countries: z.array(z.object({ country: z.string(), patches: count })),
  satellites: z.array(z.object({ satellite: z.string(), patches: count })),
  seasons: z.array(z.object({ season: z.string(), patches: count })),
  firstAcquisition: z.string().nullable(),
  lastAcquisition: z.string().nullable(),
  bbox: z.tuple([z.number(), z.number(), z.number(), z.number()]).nullable(),
  imports: z.array(z.object({ kind: z.string(), source: z.string(), finishedAt: z.string(), patches: count })),
  feedback: count,
})

const lonLat = z.tuple([z.number(), z.number()])

/** What `search:query` returns; typed against `SearchResult` so the two cannot drift apart. */
export const SearchResultSchema: z.ZodType<SearchResult> = z.object({
  total: count,
  items: z.array(
    z.object({
      name: z.string(),
      bbox: z.tuple([z.number(), z.number(), z.number(), z.number()]),
      footprint: z.object({ type: z.literal('Polygon'), coordinates: z.array(z.array(lonLat)) }),
      datetime: z.string(),
      satellite: z.enum(SATELLITES),
      season: z.enum(SEASON_NAMES),
      country: z.string().nullable(),
      labels: z.array(z.string()),
    }),
  ),
  labelStats: z.array(z.object({ label: z.string(), count })),
})

/** Largest feedback text, in characters (the catalog refuses longer ones too). */
export const MAX_FEEDBACK_LENGTH = 10_000

export const APP_MODES = ['electron', 'browser'] as const
export type AppMode = (typeof APP_MODES)[number]

const jobId = z.string({ error: 'a job id is a string' }).min(1).max(64)

/** A hash model the app can use (`models:list`): its card's essentials, or why its folder is unusable. */
export const ModelSummarySchema = z.union([
  z.object({ id: z.string(), dir: z.string(), bits: z.number().int(), name: z.string().nullable(), metrics: z.record(z.string(), z.unknown()).nullable() }),
  z.object({ dir: z.string(), error: z.string() }),
])

/** Every call between renderer and main, by name (`capability:verb`). */
export const IPC_CONTRACT = {
  /** Summary of the open catalog (patches, archives, dates, …), or null when there is no catalog yet. */
  'catalog:stats': {
    request: noArguments('catalog:stats'),
    response: CatalogStatsSchema.nullable(),
  },
  /** Runs a catalog query (the query language of contract/query.ts) and returns one page of results. */
  'search:query': {
    request: SearchQuerySchema,
    response: SearchResultSchema,
  },
  /** Stores a user's free-text feedback in the catalog. */
  'feedback:add': {
    request: z.strictObject({
      text: z
        .string({ error: 'feedback text must be a string' })
        .trim()
        .min(1, 'feedback is empty')
        .max(MAX_FEEDBACK_LENGTH, `feedback is at most ${MAX_FEEDBACK_LENGTH} characters`),
    }),
    response: z.object({ id: z.number().int().positive(), createdAt: z.string() }),
  },
  /**
   * Query by example over the archive: the patches whose hash codes are nearest to a patch's code (k nearest,
   * or all within a Hamming radius), optionally only among the matches of a catalog query.
   */
  'similar:query': {
    request: z
      .strictObject({
        name: z.string({ error: 'similar:query needs the name of a patch' }).min(1).max(200),
        k: z.number().int('k must be a whole number').min(1, 'k must be at least 1').max(1000, 'k must be at most 1000').optional(),
        radius: z.number().int('radius must be a whole number').min(0, 'radius must be ≥ 0').max(64).optional(),
        filter: SearchQuerySchema.optional(),
        model: z.string().min(1).max(64).optional(),
      })
      .refine((r) => r.k === undefined || r.radius === undefined, { error: 'give k or radius, not both' }),
    response: z.object({
      model: z.string(),
      bits: z.number().int(),
      query: z.string(),
      items: z.array(z.object({ name: z.string(), distance: count })),
      warnings: z.array(z.string()).optional(),
    }),
  },
  /** The hash models the app can use: shipped with it and in the user's models folder. */
  'models:list': {
    request: noArguments('models:list'),
    response: z.array(ModelSummarySchema),
  },
  /** Starts a job (an import or indexing) on the app's catalog; it runs after the jobs before it. */
  'jobs:start': {
    request: JobRequestSchema,
    response: JobInfoSchema,
  },
  /** Every job of this run of the app, newest last: queued, running and finished ones. */
  'jobs:list': {
    request: noArguments('jobs:list'),
    response: z.array(JobInfoSchema),
  },
  /** Cancels a queued or running job: a cancelled import leaves the catalog as it was, indexing keeps the codes it stored. */
  'jobs:cancel': {
    request: z.strictObject({ id: jobId }),
    response: JobInfoSchema,
  },
  /** The app's version, how it runs (Electron window or browser mode) and the open catalog's file. */
  'app:info': {
    request: noArguments('app:info'),
    response: z.object({ version: z.string(), mode: z.enum(APP_MODES), catalogPath: z.string().nullable() }),
  },
} as const satisfies Record<IpcCallName, { request: z.ZodType; response: z.ZodType }>

// Compile-time: the contract has exactly the calls `calls.ts` lists, no more.
const callsMatch: [keyof typeof IPC_CONTRACT] extends [IpcCallName] ? true : never = true
void callsMatch

/** Every event main pushes, with its payload. */
export const EVENT_CONTRACT = {
  /** A job was queued, started, progressed or finished (at most about five times a second while it runs). */
  'jobs:update': JobInfoSchema,
  /** The catalog's contents changed (an import or indexing finished): stats, searches and codes are to be fetched again. */
  'catalog:changed': z.object({ cause: z.string(), jobId: z.string().nullable() }),
} as const satisfies Record<EventName, z.ZodType>

/** An event as the renderer receives it. */
export type AppEvent = { [N in EventName]: { name: N; payload: z.output<(typeof EVENT_CONTRACT)[N]> } }[EventName]

export type IpcContract = typeof IPC_CONTRACT
/** What the renderer sends for a call (before defaults are applied). */
export type IpcRequest<N extends IpcCallName> = z.input<IpcContract[N]['request']>
/** A request after validation (defaults applied), as main receives it. */
export type ParsedIpcRequest<N extends IpcCallName> = z.output<IpcContract[N]['request']>
/** What a call returns on success. */
export type IpcResponse<N extends IpcCallName> = z.output<IpcContract[N]['response']>

/** Every call name, in contract order. */
export const IPC_CALL_NAMES: readonly IpcCallName[] = IPC_CALLS

/**
 * How every call answers: a value, or an error the user can read. Errors travel as values because
 * Electron rewrites thrown errors into "Error invoking remote method …" and HTTP would need its own.
 */
export type IpcResult<T> = { ok: true; value: T } | { ok: false; error: string }

/** A successful result. */
export function ok<T>(value: T): IpcResult<T> {
  return { ok: true, value }
}

/** A failed result with a readable message. */
export function fail<T = never>(error: string): IpcResult<T> {
  return { ok: false, error }
}

/** True when `x` has the shape of an IpcResult (used on data arriving over HTTP). */
export function isIpcResult(x: unknown): x is IpcResult<unknown> {
  if (typeof x !== 'object' || x === null) return false
  const r = x as { ok?: unknown; error?: unknown }
  return r.ok === true ? 'value' in r : r.ok === false && typeof r.error === 'string'
}

/** One readable line naming each problem of a zod error and where it is ("page.limit must be …"). */
export function describeZodError(error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      const where = issue.path.join('.')
      // Many messages already start with their field ("page.limit must be …"); don't say it twice.
      return where === '' || issue.message.startsWith(where) ? issue.message : `${where}: ${issue.message}`
    })
    .join('; ')
}

/** A call as a function: no parameter when the call takes no arguments. */
export type IpcFunction<N extends IpcCallName> = [IpcRequest<N>] extends [undefined]
  ? () => Promise<IpcResult<IpcResponse<N>>>
  : (request: IpcRequest<N>) => Promise<IpcResult<IpcResponse<N>>>

/** Subscribes to main's events; returns the function that unsubscribes. */
export type EventSubscription = (listener: (event: AppEvent) => void) => () => void

/**
 * What the renderer sees, whichever the transport (Electron preload or browser-mode HTTP): one named
 * function per contract call and one `onEvent` subscription. Both transports build it from the call
 * list (`bindApi` in api.ts), so a new call reaches both or neither.
 */
export type EarthqubeApi = { readonly [N in IpcCallName as IpcMethodName<N>]: IpcFunction<N> } & { readonly onEvent: EventSubscription }
