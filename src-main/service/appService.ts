import { existsSync } from 'node:fs'
import { Catalog } from '../catalog/catalog'
import { errorMessage } from '../common/errors'
import type { AppEvent, AppMode, IpcCallName, IpcResponse, IpcResult, ParsedIpcRequest } from '../contract/ipc'
import { EVENT_CONTRACT, IPC_CALL_NAMES, IPC_CONTRACT, describeZodError, fail, isIpcCallName, ok } from '../contract/ipc'
import type { JobInfo, JobRequest } from '../contract/jobs'
import type { ModelFolders } from '../inference/modelRegistry'
import { ModelRegistry } from '../inference/modelRegistry'
import { importData, importSummary, indexCodes, indexSummary, jobTitle, NO_PIXELS_NOTE } from './dataJobs'
import type { AppEventListener } from './events'
import { EventHub } from './events'
import type { JobOutcome, JobWork } from './jobs'
import { JobManager } from './jobs'
import { modelSummaries } from './models'
import { Workspace } from './workspace'

/** How the app service is set up by its host (the Electron adapter or the browser-mode server). */
export interface AppServiceOptions {
  /** The catalog file. Opened once it exists, so data imported after start-up shows up. */
  catalogPath: string
  mode: AppMode
  version: string
  /** Where hash models are (the adapter knows its resources folder and the user's). */
  models: ModelFolders
}

type CallImplementations = { [N in IpcCallName]: (request: ParsedIpcRequest<N>) => IpcResponse<N> | Promise<IpcResponse<N>> }

/** Shown wherever a call needs data and there is none yet. */
const importHint = (file: string): string => `import data with \`npx earthqube import reben <metadata.parquet> --db ${file}\``

/**
 * The app's side of the IPC contract, in plain Node: every call is validated against the contract,
 * run over the catalog, the search engine, query by example and the jobs, and its response validated
 * before it leaves. Both transports (Electron ipcMain, browser-mode HTTP) hand their calls to `handle`
 * and subscribe to its events with `onEvent`.
 */
export class AppService {
  private open: Workspace | null = null
  private readonly models: ModelRegistry
  private readonly events = new EventHub()
  private readonly jobs: JobManager

  private readonly calls: CallImplementations = {
    'catalog:stats': () => this.stats(),
    'search:query': (query) => this.search(query),
    'feedback:add': ({ text }) => this.addFeedback(text),
    'similar:query': (request) => this.similarQuery(request),
    'models:list': () => modelSummaries(this.models),
    'jobs:start': (request) => this.startJob(request),
    'jobs:list': () => this.jobs.list(),
    'jobs:cancel': ({ id }) => this.jobs.cancel(id),
    'app:info': () => this.info(),
  }

  constructor(private readonly options: AppServiceOptions) {
    this.models = new ModelRegistry(options.models)
    this.jobs = new JobManager((job, outcome) => this.jobUpdated(job, outcome))
  }

  /** Runs one contract call; bad input or a failure comes back as a readable error, never a throw. */
  handle<N extends IpcCallName>(name: N, payload: unknown): Promise<IpcResult<IpcResponse<N>>>
  handle(name: string, payload: unknown): Promise<IpcResult<unknown>>
  async handle(name: string, payload: unknown): Promise<IpcResult<unknown>> {
    if (!isIpcCallName(name)) {
      return fail(`unknown call ${JSON.stringify(name)}; the calls are ${IPC_CALL_NAMES.join(', ')}`)
    }
    const contract = IPC_CONTRACT[name]
    const request = contract.request.safeParse(payload)
    if (!request.success) return fail(`invalid ${name} request: ${describeZodError(request.error)}`)
    let value: unknown
    try {
      value = await (this.calls[name] as (request: unknown) => unknown)(request.data)
    } catch (e) {
      return fail(errorMessage(e))
    }
    const response = contract.response.safeParse(value)
    if (!response.success) {
      return fail(`internal error: ${name} produced a response the contract refuses (${describeZodError(response.error)})`)
    }
    return ok(response.data)
  }

  /** Subscribes to the events main pushes (job updates, catalog changes); returns the unsubscribe function. */
  onEvent(listener: AppEventListener): () => void {
    return this.events.subscribe(listener)
  }

  /** Cancels the jobs (a cancelled import rolls back), then closes the catalog and the hash indexes' workers. */
  async close(): Promise<void> {
    await this.jobs.cancelAll()
    const open = this.open
    this.open = null
    await open?.close()
  }

  /** Resolves when a job has ended (tests and the CLI wait on it). */
  whenJobDone(id: string): Promise<JobInfo> {
    return this.jobs.whenDone(id)
  }

  /** Patches nearest in Hamming space to an archive patch, by the catalog's hash codes. */
  private async similarQuery(request: ParsedIpcRequest<'similar:query'>): Promise<IpcResponse<'similar:query'>> {
    const { engine, similarity } = this.requireCatalog('find similar patches')
    engine.refresh()
    const mode = request.radius !== undefined ? { radius: request.radius } : { k: request.k ?? 10 }
    return similarity.similarTo(request.name, mode, {
      ...(request.model ? { model: request.model } : {}),
      ...(request.filter ? { filter: request.filter } : {}),
    })
  }

  /** Catalog summary, or null while the catalog file does not exist. */
  private stats(): IpcResponse<'catalog:stats'> {
    const open = this.openCatalog()
    if (!open) return null
    // Assigning checks at compile time that the catalog's stats still fit the contract.
    const stats: IpcResponse<'catalog:stats'> = open.catalog.stats()
    return stats
  }

  /** One page of results; the engine is refreshed first so a finished import is searchable. */
  private search(query: ParsedIpcRequest<'search:query'>): IpcResponse<'search:query'> {
    const { engine } = this.requireCatalog('search')
    engine.refresh()
    return engine.search(query)
  }

  /** Stores feedback; it lives in the catalog, so there must be one. */
  private addFeedback(text: string): IpcResponse<'feedback:add'> {
    const { catalog } = this.requireCatalog('store feedback')
    const { id, createdAt } = catalog.addFeedback(text)
    return { id, createdAt }
  }

  /** Version, mode and the open catalog's file (null when none is open). */
  private info(): IpcResponse<'app:info'> {
    let open: Workspace | null = null
    try {
      open = this.openCatalog()
    } catch {
      // A broken catalog file is reported by the calls that need it; info still answers.
    }
    return { version: this.options.version, mode: this.options.mode, catalogPath: open ? open.catalog.file : null }
  }

  /**
   * Queues an import or indexing on the app's catalog. The job writes through its own connection, so
   * searches keep answering from what is committed while it runs; the catalog is created if need be.
   */
  private startJob(request: JobRequest): JobInfo {
    const file = this.options.catalogPath
    const work: JobWork = async (signal, onProgress) => {
      const catalog = Catalog.open(file)
      try {
        if (request.kind === 'index') {
          const result = await indexCodes(catalog, this.models, request, { signal, onProgress })
          const message = result.total === 0 ? `${indexSummary(result)}; ${NO_PIXELS_NOTE}` : indexSummary(result)
          return { message, catalogChanged: result.stored > 0 }
        }
        const result = await importData(catalog, request, { signal, onProgress })
        return { message: importSummary(result, file), catalogChanged: true }
      } finally {
        catalog.close()
      }
    }
    return this.jobs.start(request.kind, jobTitle(request), work)
  }

  /** Forwards a job's state as an event; a job that changed the catalog also says so. */
  private jobUpdated(job: JobInfo, outcome: JobOutcome | null): void {
    this.emit({ name: 'jobs:update', payload: job })
    // Indexing keeps the codes it stored when cancelled or failing midway; an import rolls back.
    const changed = outcome ? outcome.catalogChanged : job.kind === 'index' && job.finishedAt !== null && job.startedAt !== null
    if (job.finishedAt !== null && changed) this.emit({ name: 'catalog:changed', payload: { cause: job.kind, jobId: job.id } })
  }

  /** Emits an event after checking it against the contract (an event the contract refuses is a bug here). */
  private emit(event: AppEvent): void {
    const checked = EVENT_CONTRACT[event.name].safeParse(event.payload)
    if (!checked.success) throw new Error(`internal error: event ${event.name} does not fit the contract (${describeZodError(checked.error)})`)
    this.events.emit(event)
  }

  /** The open catalog, or an error saying there is none yet and how to make one. */
  private requireCatalog(purpose: string): Workspace {
    const open = this.openCatalog()
    const file = this.options.catalogPath
    if (!open) throw new Error(`cannot ${purpose}: no catalog yet at ${file}; ${importHint(file)}`)
    return open
  }

  /** The open catalog, opening it if its file has appeared; null while there is no file. */
  private openCatalog(): Workspace | null {
    if (this.open) return this.open
    const file = this.options.catalogPath
    if (!existsSync(file)) return null
    this.open = Workspace.open(file, this.models, { mustExist: true })
    this.open.preloadHashIndex()
    return this.open
  }
}
