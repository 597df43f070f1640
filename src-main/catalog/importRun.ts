import { CancelledError } from '../common/cancel'
import type { ProgressListener } from '../common/progress'
import { progressReporter } from '../common/progress'
import type { ArchiveInfo, Catalog, PatchRecord } from './catalog'
import type { NomenclatureId } from './nomenclature'
import { buildScanIndex, saveScanIndex } from './scanIndex'

/** Options every importer takes. */
export interface ImportOptions {
  /** Aborting cancels the import; the catalog is left as it was. */
  signal?: AbortSignal
  onProgress?: ProgressListener
}

/** What a finished import did. */
export interface ImportResult {
  kind: string
  archive: string
  imported: number
  seconds: number
}

/** Thrown when an import is cancelled through its AbortSignal. */
export class ImportCancelledError extends CancelledError {
  constructor() {
    super('import cancelled; the catalog is unchanged')
    this.name = 'ImportCancelledError'
  }
}

/** A source of patch records for runImport. */
export interface ImportSource {
  kind: string
  source: string
  archive: string
  nomenclature: NomenclatureId
  /** Expected number of records, for progress. */
  total: number
  records: AsyncIterable<PatchRecord> | Iterable<PatchRecord>
}

const YIELD_EVERY = 4096

function reportPhase(onProgress: ImportOptions['onProgress'], phase: string, total: number): void {
  onProgress?.({ phase, done: 0, total, ratePerSecond: 0, etaSeconds: null })
}

/**
 * Writes a source's records into the catalog in one transaction: on any error or cancellation the
 * transaction rolls back and the catalog is exactly as it was, never half an import.
 */
export async function runImport(catalog: Catalog, src: ImportSource, options: ImportOptions = {}): Promise<ImportResult> {
  const { signal, onProgress } = options
  const startedAt = new Date()
  const t0 = performance.now()
  const report = progressReporter(`import ${src.kind}`, src.total, onProgress)
  if (signal?.aborted) throw new ImportCancelledError()
  const db = catalog.db
  db.exec('BEGIN IMMEDIATE')
  let done = 0
  try {
    const archive: ArchiveInfo = catalog.ensureArchive(src.archive, src.nomenclature)
    for await (const record of src.records) {
      catalog.upsertPatch(archive, record)
      done++
      if (done % YIELD_EVERY === 0) {
        report(done)
        // Let the event loop run so a cancel request (or a UI) gets through.
        await new Promise((r) => setImmediate(r))
        if (signal?.aborted) throw new ImportCancelledError()
      }
    }
    if (signal?.aborted) throw new ImportCancelledError()
    catalog.recordImport(src.kind, src.source, archive, startedAt, done)
    reportPhase(onProgress, 'index', done)
    saveScanIndex(db, buildScanIndex(db))
    db.exec('COMMIT')
  } catch (e) {
    if (db.inTransaction) db.exec('ROLLBACK')
    throw e
  }
  report(done, true)
  return { kind: src.kind, archive: src.archive, imported: done, seconds: (performance.now() - t0) / 1000 }
}
