import { existsSync } from 'node:fs'
import { Catalog } from '../catalog/catalog'
import type { AppMode, IpcCallName, IpcResponse, IpcResult, ParsedIpcRequest } from '../contract/ipc'
import { IPC_CALL_NAMES, IPC_CONTRACT, describeZodError, fail, isIpcCallName, ok } from '../contract/ipc'
import { SearchEngine } from '../search/engine'
import { SimilarityService, resolveHashModel } from '../search/similar'
import { hashModels } from '../catalog/codes'

/** How the app service is set up by its host (the Electron adapter or the browser-mode server). */
export interface AppServiceOptions {
  /** The catalog file. Opened once it exists, so data imported after start-up shows up. */
  catalogPath: string
  mode: AppMode
  version: string
}

/** The open catalog, the engine searching it and the hash index service over its codes. */
interface OpenCatalog {
  catalog: Catalog
  engine: SearchEngine
  similar: SimilarityService
}

type CallImplementations = { [N in IpcCallName]: (request: ParsedIpcRequest<N>) => IpcResponse<N> | Promise<IpcResponse<N>> }

/** Shown wherever a call needs data and there is none yet. */
const importHint = (file: string): string => `import data with \`npx earthqube import reben <metadata.parquet> --db ${file}\``

/**
 * The app's side of the IPC contract, in plain Node: every call is validated against the contract,
 * run over the catalog and search engine, and its response validated before it leaves. Both
 * transports (Electron ipcMain, browser-mode HTTP) hand their calls to `handle`.
 */
export class AppService {
  private open: OpenCatalog | null = null

  private readonly calls: CallImplementations = {
    'catalog:stats': () => this.stats(),
    'search:query': (query) => this.search(query),
    'feedback:add': ({ text }) => this.addFeedback(text),
    'similar:query': (request) => this.similarQuery(request),
    'app:info': () => this.info(),
  }

  constructor(private readonly options: AppServiceOptions) {}

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
      return fail(e instanceof Error ? e.message : String(e))
    }
    const response = contract.response.safeParse(value)
    if (!response.success) {
      return fail(`internal error: ${name} produced a response the contract refuses (${describeZodError(response.error)})`)
    }
    return ok(response.data)
  }

  /** Closes the catalog (and the hash indexes' workers). */
  close(): void {
    void this.open?.similar.close()
    this.open?.catalog.close()
    this.open = null
  }

  /** Patches nearest in Hamming space to an archive patch, by the catalog's hash codes. */
  private async similarQuery(request: ParsedIpcRequest<'similar:query'>): Promise<IpcResponse<'similar:query'>> {
    const { engine, similar } = this.requireCatalog('find similar patches')
    engine.refresh()
    const mode = request.radius !== undefined ? { radius: request.radius } : { k: request.k ?? 10 }
    return similar.similarTo(request.name, mode, {
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
    let open: OpenCatalog | null = null
    try {
      open = this.openCatalog()
    } catch {
      // A broken catalog file is reported by the calls that need it; info still answers.
    }
    return { version: this.options.version, mode: this.options.mode, catalogPath: open ? open.catalog.file : null }
  }

  /** The open catalog, or an error saying there is none yet and how to make one. */
  private requireCatalog(purpose: string): OpenCatalog {
    const open = this.openCatalog()
    const file = this.options.catalogPath
    if (!open) throw new Error(`cannot ${purpose}: no catalog yet at ${file}; ${importHint(file)}`)
    return open
  }

  /** The open catalog, opening it if its file has appeared; null while there is no file. */
  private openCatalog(): OpenCatalog | null {
    if (this.open) return this.open
    const file = this.options.catalogPath
    if (!existsSync(file)) return null
    const catalog = Catalog.open(file, { mustExist: true })
    try {
      const engine = new SearchEngine(catalog.db)
      this.open = { catalog, engine, similar: new SimilarityService(catalog, engine) }
    } catch (e) {
      catalog.close()
      throw e
    }
    // Load the hash index now, in the background, so the first similarity query does not wait for it.
    if (hashModels(catalog.db).some((m) => m.codes > 0)) {
      try {
        this.open.similar.index(resolveHashModel(catalog)).catch(() => undefined)
      } catch {
        // Several models and none chosen: each query names its model; nothing to preload.
      }
    }
    return this.open
  }
}
