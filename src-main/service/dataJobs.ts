import type { Catalog } from '../catalog/catalog'
import type { ImportOptions, ImportResult } from '../catalog/importRun'
import type { JobRequest } from '../contract/jobs'
import { DEMO_PIXELS_SCHEME } from '../demo/archive'
import { importDemo } from '../demo/importDemo'
import type { IndexOptions, IndexResult } from '../inference/indexArchive'
import { indexArchive } from '../inference/indexArchive'
import type { ModelRegistry } from '../inference/modelRegistry'
import { importV1 } from '../ingest/bigearthnetV1'
import { importV2 } from '../ingest/bigearthnetV2'
import { importReben } from '../ingest/reben'
import { resolvePixels } from '../pixels/pixelSources'

/**
 * The data operations behind the CLI's `import`, `demo` and `index` commands and the app's jobs: one
 * implementation, so a command and a job do exactly the same thing.
 */

/** An import, as a job request names it. */
export type ImportRequest = Extract<JobRequest, { kind: `import-${string}` }>
/** Indexing, as a job request names it. */
export type IndexRequest = Extract<JobRequest, { kind: 'index' }>

/** Imports an archive into the catalog: one transaction, progress, cancel (the catalog is then unchanged). */
export function importData(catalog: Catalog, request: ImportRequest, options: ImportOptions = {}): Promise<ImportResult> {
  switch (request.kind) {
    case 'import-reben':
      return importReben(catalog, request.files, options)
    case 'import-v1':
      return importV1(catalog, request.folder, options)
    case 'import-v2':
      return importV2(catalog, request.folder, { ...options, ...(request.metadata ? { metadata: request.metadata } : {}) })
    case 'import-demo':
      return importDemo(catalog, { ...(request.n !== undefined ? { n: request.n } : {}), ...(request.seed !== undefined ? { seed: request.seed } : {}) }, options)
  }
}

/** What an import did, in one line. */
export function importSummary(result: ImportResult, catalogFile: string): string {
  return `imported ${result.imported} patches into "${result.archive}" of ${catalogFile} in ${result.seconds.toFixed(1)} s`
}

/** How many worker threads index by default: one model runner per core of a small machine. */
export const DEFAULT_INDEX_WORKERS = 2

/**
 * Computes and stores the hash codes of every patch with pixels (resumable; a cancel keeps what is
 * stored). Simulated demo patches regenerate their pixels in this thread; folders are read inside the
 * workers.
 */
export function indexCodes(
  catalog: Catalog,
  models: ModelRegistry,
  request: Omit<IndexRequest, 'kind'>,
  options: Pick<IndexOptions, 'signal' | 'onProgress' | 'workerFactory'> = {},
): Promise<IndexResult> {
  const modelPath = models.resolve(request.model)
  const workers = request.workers ?? DEFAULT_INDEX_WORKERS
  if (workers < 1 || workers > 16) throw new Error(`--workers must be from 1 to 16, not ${workers}`)
  const hasDemo = catalog.hasPixelsPathPrefix(DEMO_PIXELS_SCHEME)
  return indexArchive(catalog, modelPath, {
    workers,
    ...(request.replace ? { replace: true } : {}),
    ...options,
    ...(hasDemo ? { pixelSource: resolvePixels } : {}),
  })
}

/** What indexing did, in one line. */
export function indexSummary(result: IndexResult): string {
  return (
    `model ${result.modelId} (${result.bits} bits): ${result.stored} codes stored, ${result.alreadyCoded} already there, ` +
    `${result.failedCount} failed, of ${result.total} patches with pixels, in ${result.seconds.toFixed(1)} s`
  )
}

/** Said when indexing found no patch with pixels. */
export const NO_PIXELS_NOTE = 'no patch in this catalog has pixels (reBEN metadata has none): import folders or build the demo archive'

/** A job request's title, for the job list ("Import BigEarthNet v1 folders from /data/v1"). */
export function jobTitle(request: JobRequest): string {
  switch (request.kind) {
    case 'import-reben':
      return `Import reBEN metadata (${request.files.join(', ')})`
    case 'import-v1':
      return `Import BigEarthNet v1 folders from ${request.folder}`
    case 'import-v2':
      return `Import BigEarthNet v2 folders from ${request.folder}${request.metadata ? ` with metadata ${request.metadata.join(', ')}` : ''}`
    case 'import-demo':
      return `Build the simulated demo archive (${request.n ?? 'default'} patches)`
    case 'index':
      return `Compute hash codes with ${request.model ?? 'the default model'}${request.replace ? ' (replacing old codes)' : ''}`
  }
}
