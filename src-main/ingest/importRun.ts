import type { ArchiveInfo, Catalog, PatchRecord } from '../catalog/catalog'
import type { NomenclatureId } from '../catalog/nomenclature'
import { buildScanIndex, saveScanIndex } from '../search/scanIndex'

/** Progress of a long import: done of total, rate and estimated time left. */
export interface ImportProgress {
  phase: string
  done: number
  total: number
  ratePerSecond: number
  etaSeconds: number | null
}

/** Options every importer takes. */
export interface ImportOptions {
  /** Aborting cancels the import; the catalog is left as it was. */
  signal?: AbortSignal
  onProgress?: (p: ImportProgress) => void
}

/** What a finished import did. */
export interface ImportResult {
  kind: string
  archive: string
  imported: number
  seconds: number
}

/** Thrown when an import is cancelled through its AbortSignal. */
export class ImportCancelledError extends Error {
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

/** Emits progress at most every `intervalMs`, plus the final state. */
export function progressReporter(
  phase: string,
  total: number,
  onProgress: ((p: ImportProgress) => void) | undefined,
  intervalMs = 200,
): (done: number, force?: boolean) => void {
  const start = performance.now()
  let last = -Infinity
  return (done, force = false) => {
    if (!onProgress) return
    const now = performance.now()
    if (!force && now - last < intervalMs) return
    last = now
    const seconds = (now - start) / 1000
    const rate = seconds > 0 ? done / seconds : 0
    onProgress({
      phase,
      done,
      total,
      ratePerSecond: rate,
      etaSeconds: rate > 0 && total >= done ? (total - done) / rate : null,
    })
  }
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
